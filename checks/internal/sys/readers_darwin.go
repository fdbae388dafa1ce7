package sys

import (
	"context"
	"net/netip"

	"github.com/netguard/netguard/checks/internal/firewall"
	"github.com/netguard/netguard/checks/internal/neighprobe"
	"github.com/netguard/netguard/checks/internal/wireguard"
	"github.com/netguard/netguard/checks/netstate"
)

// The capabilities below are read by the packages beside sys; the OS
// layer only hands them its process facts, so that the engine still finds
// them on the one value New returns.

var _ netstate.FirewallReader = (*darwinSystem)(nil)

// OutputFilter reads pf's filter rules for outgoing packets
// (firewall.ReadOutput).
func (*darwinSystem) OutputFilter(ctx context.Context) netstate.FirewallState {
	return firewall.ReadOutput(ctx)
}

var _ netstate.TunnelInspector = (*darwinSystem)(nil)

// InspectTunnel reads a wireguard-go utun device's peers
// (wireguard.Inspect).
func (*darwinSystem) InspectTunnel(ctx context.Context, ifName string) (netstate.TunnelInfo, error) {
	return wireguard.Inspect(ctx, ifName)
}

var (
	_ netstate.AddressProber     = (*darwinSystem)(nil)
	_ netstate.NeighborSoliciter = (*darwinSystem)(nil)
)

// ProbeAddress sends RFC 5227 ARP probes for a on l through a BPF device
// (neighprobe.ProbeAddress).
func (*darwinSystem) ProbeAddress(ctx context.Context, l netstate.Link, a netip.Addr) ([]netstate.NeighborAnswer, error) {
	return neighprobe.ProbeAddress(ctx, l, a)
}

// Solicit asks an IPv4 gateway's MAC on l with ARP requests through a
// BPF device (neighprobe.Solicit).
func (*darwinSystem) Solicit(ctx context.Context, l netstate.Link, ip netip.Addr) ([]netstate.NeighborAnswer, error) {
	return neighprobe.Solicit(ctx, l, ip)
}
