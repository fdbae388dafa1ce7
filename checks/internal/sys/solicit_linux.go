//go:build linux

package sys

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/mdlayher/arp"
	"github.com/mdlayher/ndp"
	"github.com/netguard/netguard/checks"
)

var _ checks.NeighborSoliciter = (*linuxSystem)(nil)

// solicitAttempts and solicitInterval: one solicitation, repeated a few
// times so that one lost frame does not fall back to the probe window.
const (
	solicitAttempts = 3
	solicitInterval = 40 * time.Millisecond
)

// Solicit asks ip's hardware address on interface l with an ARP request
// (IPv4) or a neighbor solicitation (IPv6), as root (a packet socket, a
// raw ICMPv6 socket), and returns the first answer. The kernel sees the
// answer too; it never changes a permanent entry because of it, which is
// why the engine solicits only for those.
func (*linuxSystem) Solicit(ctx context.Context, l checks.Link, ip netip.Addr) (net.HardwareAddr, time.Duration, error) {
	ifi, err := net.InterfaceByIndex(l.Index)
	if err != nil {
		return nil, 0, fmt.Errorf("solicit %s on %s: %w", ip, l.Name, err)
	}
	if ip.Is4() {
		return solicitARP(ctx, ifi, ip)
	}
	return solicitNDP(ctx, ifi, ip)
}

// deadlineConn is the part of a socket Solicit needs to stop a read.
type deadlineConn interface{ SetReadDeadline(time.Time) error }

// resend sends every solicitInterval until done or ctx ends, and makes
// the pending read return when ctx ends.
func resend(ctx context.Context, c deadlineConn, send func() error) (stop func(), err error) {
	if err := send(); err != nil {
		return nil, err
	}
	done := make(chan struct{})
	unhook := context.AfterFunc(ctx, func() { c.SetReadDeadline(time.Now()) })
	go func() {
		for range solicitAttempts - 1 {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-time.After(solicitInterval):
				if send() != nil {
					return
				}
			}
		}
	}()
	return func() { close(done); unhook() }, nil
}

func solicitARP(ctx context.Context, ifi *net.Interface, ip netip.Addr) (net.HardwareAddr, time.Duration, error) {
	c, err := arp.Dial(ifi)
	if err != nil {
		return nil, 0, fmt.Errorf("arp on %s: %w", ifi.Name, err)
	}
	defer c.Close()
	t0 := time.Now()
	stop, err := resend(ctx, c, func() error { return c.Request(ip) })
	if err != nil {
		return nil, 0, fmt.Errorf("arp request %s on %s: %w", ip, ifi.Name, err)
	}
	defer stop()
	for {
		p, _, err := c.Read()
		if err != nil {
			return nil, 0, fmt.Errorf("arp reply %s on %s: %w", ip, ifi.Name, err)
		}
		if p.Operation == arp.OperationReply && p.SenderIP == ip {
			return p.SenderHardwareAddr, time.Since(t0), nil
		}
	}
}

func solicitNDP(ctx context.Context, ifi *net.Interface, ip netip.Addr) (net.HardwareAddr, time.Duration, error) {
	c, _, err := ndp.Listen(ifi, ndp.LinkLocal)
	if err != nil {
		return nil, 0, fmt.Errorf("ndp on %s: %w", ifi.Name, err)
	}
	defer c.Close()
	snm, err := ndp.SolicitedNodeMulticast(ip)
	if err != nil {
		return nil, 0, fmt.Errorf("ndp %s: %w", ip, err)
	}
	ns := &ndp.NeighborSolicitation{TargetAddress: ip, Options: []ndp.Option{
		&ndp.LinkLayerAddress{Direction: ndp.Source, Addr: ifi.HardwareAddr}}}
	t0 := time.Now()
	stop, err := resend(ctx, c, func() error { return c.WriteTo(ns, nil, snm) })
	if err != nil {
		return nil, 0, fmt.Errorf("neighbor solicitation %s on %s: %w", ip, ifi.Name, err)
	}
	defer stop()
	for {
		m, _, _, err := c.ReadFrom()
		if err != nil {
			return nil, 0, fmt.Errorf("neighbor advertisement %s on %s: %w", ip, ifi.Name, err)
		}
		na, ok := m.(*ndp.NeighborAdvertisement)
		if !ok || na.TargetAddress != ip {
			continue
		}
		for _, o := range na.Options {
			if lla, ok := o.(*ndp.LinkLayerAddress); ok && lla.Direction == ndp.Target {
				return lla.Addr, time.Since(t0), nil
			}
		}
		return nil, 0, errors.New("neighbor advertisement without a link-layer address")
	}
}
