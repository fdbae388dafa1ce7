//go:build !linux

package checks

import (
	"context"
	"net/netip"
)

// LargeEcho is not run here: neither pro-bing nor an unprivileged echo
// socket can set don't-fragment on this OS (macOS would need IP_DONTFRAG
// on a raw socket, Windows IP_DONTFRAGMENT through IcmpSendEcho2).
func (p *NetProber) LargeEcho(_ context.Context, dst netip.Addr, _ int, _ bool) ProbeResult {
	return ProbeResult{Kind: ProbeICMP, Target: netip.AddrPortFrom(dst, 0)}
}
