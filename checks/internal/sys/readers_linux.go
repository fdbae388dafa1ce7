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

var _ netstate.FirewallReader = (*linuxSystem)(nil)

// OutputFilter reads the output hook's nftables and legacy iptables rules
// (firewall.ReadOutput).
func (s *linuxSystem) OutputFilter(ctx context.Context) netstate.FirewallState {
	return firewall.ReadOutput(ctx, IsPrivileged())
}

var _ netstate.TunnelInspector = (*linuxSystem)(nil)

// InspectTunnel reads a WireGuard device's peers, a kernel device's over
// a generic netlink socket of its own (wireguard.Inspect).
func (s *linuxSystem) InspectTunnel(ctx context.Context, ifName string) (netstate.TunnelInfo, error) {
	c := newGenl()
	defer c.close()
	return wireguard.Inspect(ctx, ifName, genl{c})
}

// genl hands the wireguard reader one exchange over a generic netlink
// socket.
type genl struct{ c *rtnl }

// Request is rtnl.request.
func (g genl) Request(ctx context.Context, typ, flags uint16, body []byte, want uint16, reset func(), fn func([]byte) error) error {
	return g.c.request(ctx, typ, flags, body, want, reset, fn)
}

var (
	_ netstate.AddressProber     = (*linuxSystem)(nil)
	_ netstate.NeighborSoliciter = (*linuxSystem)(nil)
)

// ProbeAddress sends RFC 5227 ARP probes for a on l from a packet socket
// (neighprobe.ProbeAddress).
func (*linuxSystem) ProbeAddress(ctx context.Context, l netstate.Link, a netip.Addr) ([]netstate.NeighborAnswer, error) {
	return neighprobe.ProbeAddress(ctx, l, a)
}

// Solicit asks ip's hardware address on l with ARP requests or neighbor
// solicitations (neighprobe.Solicit).
func (*linuxSystem) Solicit(ctx context.Context, l netstate.Link, ip netip.Addr) ([]netstate.NeighborAnswer, error) {
	return neighprobe.Solicit(ctx, l, ip)
}
