//go:build !linux

package probe

import (
	"context"
	"net/netip"

	"github.com/netguard/netguard/checks/netstate"
)

// LargeEcho is not run here: neither pro-bing nor an unprivileged echo
// socket can set don't-fragment on this OS (macOS would need IP_DONTFRAG
// on a raw socket, Windows IP_DONTFRAGMENT through IcmpSendEcho2).
func (p *NetProber) LargeEcho(_ context.Context, dst netip.Addr, _ int, _ bool) netstate.ProbeResult {
	return netstate.ProbeResult{Kind: netstate.ProbeICMP, Target: netip.AddrPortFrom(dst, 0)}
}
