//go:build linux

package sys

import (
	"context"
	"net/netip"

	"github.com/netguard/netguard/checks/netstate"
)

var _ netstate.AddressProber = (*linuxSystem)(nil)

// ProbeAddress sends RFC 5227 ARP probes for a on l from a packet socket,
// as root, and gathers every claim of a by another MAC until ctx ends.
func (*linuxSystem) ProbeAddress(ctx context.Context, l netstate.Link, a netip.Addr) ([]netstate.NeighborAnswer, error) {
	return probeAddress(ctx, l, a, dialPacketARP)
}
