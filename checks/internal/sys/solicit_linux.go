//go:build linux

package sys

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"time"

	"github.com/mdlayher/arp"
	"github.com/mdlayher/ndp"
	"github.com/netguard/netguard/checks/netstate"
)

var _ netstate.NeighborSoliciter = (*linuxSystem)(nil)

// solicitAttempts and solicitInterval: one solicitation, repeated a few
// times so that one lost frame does not fall back to the probe window.
const (
	solicitAttempts = 3
	solicitInterval = 40 * time.Millisecond
)

// Solicit asks ip's hardware address on interface l with ARP requests
// (IPv4) or neighbor solicitations (IPv6), as root (a packet socket, a
// raw ICMPv6 socket), and gathers every answer addressed to this host
// until ctx ends. The kernel sees the answers too; it never changes a
// permanent entry because of them, which is why the engine solicits only
// for those.
func (*linuxSystem) Solicit(ctx context.Context, l netstate.Link, ip netip.Addr) ([]netstate.NeighborAnswer, error) {
	ifi, err := net.InterfaceByIndex(l.Index)
	if err != nil {
		return nil, fmt.Errorf("solicit %s on %s: %w", ip, l.Name, err)
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

// askFrom is the IPv4 address of ifi the request is sent from: one on the
// gateway's subnet, else the first. Only replies to it are answers.
func askFrom(ifi *net.Interface, gw netip.Addr) (netip.Addr, error) {
	addrs, err := ifi.Addrs()
	if err != nil {
		return netip.Addr{}, err
	}
	var first netip.Addr
	for _, a := range addrs {
		n, ok := a.(*net.IPNet)
		if !ok {
			continue
		}
		p, ok := netip.AddrFromSlice(n.IP)
		if !ok || !p.Unmap().Is4() {
			continue
		}
		p = p.Unmap()
		ones, _ := n.Mask.Size()
		if netip.PrefixFrom(p, ones).Masked().Contains(gw) {
			return p, nil
		}
		if !first.IsValid() {
			first = p
		}
	}
	if !first.IsValid() {
		return netip.Addr{}, errors.New("no IPv4 address")
	}
	return first, nil
}

var broadcastMAC = net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}

func solicitARP(ctx context.Context, ifi *net.Interface, ip netip.Addr) ([]netstate.NeighborAnswer, error) {
	src, err := askFrom(ifi, ip)
	if err != nil {
		return nil, fmt.Errorf("arp on %s: %w", ifi.Name, err)
	}
	c, err := arp.Dial(ifi)
	if err != nil {
		return nil, fmt.Errorf("arp on %s: %w", ifi.Name, err)
	}
	defer c.Close()
	req, err := arp.NewPacket(arp.OperationRequest, ifi.HardwareAddr, src, broadcastMAC, ip)
	if err != nil {
		return nil, fmt.Errorf("arp request %s on %s: %w", ip, ifi.Name, err)
	}
	t0 := time.Now()
	stop, err := resend(ctx, c, func() error { return c.WriteTo(req, broadcastMAC) })
	if err != nil {
		return nil, fmt.Errorf("arp request %s on %s: %w", ip, ifi.Name, err)
	}
	defer stop()
	q := arpAsk{OurMAC: ifi.HardwareAddr, OurIP: src, Gateway: ip}
	as, err := gather(ctx, t0, func() (arpFrame, bool, error) {
		p, eth, err := c.Read()
		if err != nil {
			return arpFrame{}, !isSocketErr(err), err
		}
		return arpFrame{Reply: p.Operation == arp.OperationReply, EthDst: eth.Destination,
			SenderMAC: p.SenderHardwareAddr, SenderIP: p.SenderIP, TargetMAC: p.TargetHardwareAddr, TargetIP: p.TargetIP}, false, nil
	}, q.answer)
	if err != nil {
		return as, fmt.Errorf("arp reply %s on %s: %w", ip, ifi.Name, err)
	}
	return as, nil
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
