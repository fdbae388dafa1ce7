//go:build linux

package neighprobe

import (
	"context"
	"net/netip"

	"github.com/netguard/netguard/checks/netstate"
)

// ProbeAddress sends RFC 5227 ARP probes for a on l from a packet socket,
// as root, and gathers every claim of a by another MAC until ctx ends.
func ProbeAddress(ctx context.Context, l netstate.Link, a netip.Addr) ([]netstate.NeighborAnswer, error) {
	return probeAddress(ctx, l, a, dialPacketARP)
}
