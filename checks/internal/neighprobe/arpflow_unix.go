//go:build linux || darwin

package neighprobe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"

	"github.com/netguard/netguard/checks/netstate"
)

// The entry points of the ARP flow on the OSes that have an
// arpPort (arp.go): they find the interface and its address, open the
// port and wrap the errors with what was asked.

// probeAddress is ProbeAddress over the port dial opens on l.
func probeAddress(ctx context.Context, l netstate.Link, a netip.Addr, dial func(*net.Interface) (arpPort, error)) ([]netstate.NeighborAnswer, error) {
	if !a.Is4() {
		return nil, fmt.Errorf("arp probe %s: not an IPv4 address", a)
	}
	ifi, err := net.InterfaceByIndex(l.Index)
	if err != nil {
		return nil, fmt.Errorf("arp probe %s on %s: %w", a, l.Name, err)
	}
	p, err := dial(ifi)
	if err != nil {
		return nil, fmt.Errorf("arp probe %s on %s: %w", a, ifi.Name, err)
	}
	defer p.Close()
	as, err := probeARP(ctx, p, ifi.HardwareAddr, a)
	if err != nil {
		return as, fmt.Errorf("arp probe %s on %s: %w", a, ifi.Name, err)
	}
	return as, nil
}

// solicitARPOn is Solicit for an IPv4 gateway over the port dial opens on
// ifi, asking from ifi's address on the gateway's subnet.
func solicitARPOn(ctx context.Context, ifi *net.Interface, gw netip.Addr, dial func(*net.Interface) (arpPort, error)) ([]netstate.NeighborAnswer, error) {
	src, err := askFrom(ifi, gw)
	if err != nil {
		return nil, fmt.Errorf("arp on %s: %w", ifi.Name, err)
	}
	p, err := dial(ifi)
	if err != nil {
		return nil, fmt.Errorf("arp on %s: %w", ifi.Name, err)
	}
	defer p.Close()
	as, err := solicitARP(ctx, p, arpAsk{OurMAC: ifi.HardwareAddr, OurIP: src, Gateway: gw})
	if err != nil {
		return as, fmt.Errorf("arp request %s on %s: %w", gw, ifi.Name, err)
	}
	return as, nil
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
