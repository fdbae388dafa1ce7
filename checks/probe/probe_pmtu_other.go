//go:build !linux

package probe

import (
	"context"
	"net/netip"

	"github.com/netguard/netguard/checks"
)

// LargeEcho is not run here: neither pro-bing nor an unprivileged echo
// socket can set don't-fragment on this OS (macOS would need IP_DONTFRAG
// on a raw socket, Windows IP_DONTFRAGMENT through IcmpSendEcho2).
func (p *NetProber) LargeEcho(_ context.Context, dst netip.Addr, _ int, _ bool) checks.ProbeResult {
	return checks.ProbeResult{Kind: checks.ProbeICMP, Target: netip.AddrPortFrom(dst, 0)}
}
