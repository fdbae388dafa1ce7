//go:build linux

package neighprobe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"time"

	"github.com/mdlayher/ndp"
	"github.com/netguard/netguard/checks/netstate"
)

// Solicit asks ip's hardware address on interface l with ARP requests
// (IPv4) or neighbor solicitations (IPv6), as root (a packet socket, a
// raw ICMPv6 socket), and gathers every answer addressed to this host
// until ctx ends. The kernel sees the answers too; it never changes a
// permanent entry because of them, which is why the engine solicits only
// for those.
func Solicit(ctx context.Context, l netstate.Link, ip netip.Addr) ([]netstate.NeighborAnswer, error) {
	ifi, err := net.InterfaceByIndex(l.Index)
	if err != nil {
		return nil, fmt.Errorf("solicit %s on %s: %w", ip, l.Name, err)
	}
	if ip.Is4() {
		return solicitARPOn(ctx, ifi, ip, dialPacketARP)
	}
	return solicitNDP(ctx, ifi, ip)
}

// isSocketErr tells a failed read from a frame the parser refused: the
// socket's errors are *net.OpError (a deadline, a closed socket).
func isSocketErr(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) || errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, net.ErrClosed)
}

func solicitNDP(ctx context.Context, ifi *net.Interface, ip netip.Addr) ([]netstate.NeighborAnswer, error) {
	c, _, err := ndp.Listen(ifi, ndp.LinkLocal)
	if err != nil {
		return nil, fmt.Errorf("ndp on %s: %w", ifi.Name, err)
	}
	defer c.Close()
	snm, err := ndp.SolicitedNodeMulticast(ip)
	if err != nil {
		return nil, fmt.Errorf("ndp %s: %w", ip, err)
	}
	ns := &ndp.NeighborSolicitation{TargetAddress: ip, Options: []ndp.Option{
		&ndp.LinkLayerAddress{Direction: ndp.Source, Addr: ifi.HardwareAddr}}}
	t0 := time.Now()
	stop, err := resend(ctx, c, func() error { return c.WriteTo(ns, nil, snm) })
	if err != nil {
		return nil, fmt.Errorf("neighbor solicitation %s on %s: %w", ip, ifi.Name, err)
	}
	defer stop()
	as, err := gather(ctx, t0, func() (ndpFrame, bool, error) {
		m, _, _, err := c.ReadFrom()
		if err != nil {
			return ndpFrame{}, !isSocketErr(err), err
		}
		na, ok := m.(*ndp.NeighborAdvertisement)
		if !ok {
			return ndpFrame{}, true, nil
		}
		f := ndpFrame{Solicited: na.Solicited, Target: na.TargetAddress}
		for _, o := range na.Options {
			if lla, ok := o.(*ndp.LinkLayerAddress); ok && lla.Direction == ndp.Target {
				f.TargetMAC = lla.Addr
			}
		}
		return f, false, nil
	}, func(f ndpFrame) net.HardwareAddr { return ndpAnswer(ip, f) })
	if err != nil {
		return as, fmt.Errorf("neighbor advertisement %s on %s: %w", ip, ifi.Name, err)
	}
	return as, nil
}
