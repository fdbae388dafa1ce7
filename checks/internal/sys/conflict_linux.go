//go:build linux

package sys

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/mdlayher/arp"
	"github.com/netguard/netguard/checks/netstate"
)

var _ netstate.AddressProber = (*linuxSystem)(nil)

// zeroMAC is the target hardware address of an ARP probe (RFC 5227 2.1.1).
var zeroMAC = net.HardwareAddr{0, 0, 0, 0, 0, 0}

// ProbeAddress sends RFC 5227 ARP probes for a on l (sender 0.0.0.0, so no
// host's ARP cache learns from them; target a) from a packet socket, as
// root, and gathers every claim of a by another MAC until ctx ends.
func (*linuxSystem) ProbeAddress(ctx context.Context, l netstate.Link, a netip.Addr) ([]netstate.NeighborAnswer, error) {
	if !a.Is4() {
		return nil, fmt.Errorf("arp probe %s: not an IPv4 address", a)
	}
	ifi, err := net.InterfaceByIndex(l.Index)
	if err != nil {
		return nil, fmt.Errorf("arp probe %s on %s: %w", a, l.Name, err)
	}
	c, err := arp.Dial(ifi)
	if err != nil {
		return nil, fmt.Errorf("arp probe %s on %s: %w", a, ifi.Name, err)
	}
	defer c.Close()
	req, err := arp.NewPacket(arp.OperationRequest, ifi.HardwareAddr, netip.IPv4Unspecified(), zeroMAC, a)
	if err != nil {
		return nil, fmt.Errorf("arp probe %s on %s: %w", a, ifi.Name, err)
	}
	t0 := time.Now()
	stop, err := resend(ctx, c, func() error { return c.WriteTo(req, broadcastMAC) })
	if err != nil {
		return nil, fmt.Errorf("arp probe %s on %s: %w", a, ifi.Name, err)
	}
	defer stop()
	as, err := gather(ctx, t0, func() (arpFrame, bool, error) {
		p, eth, err := c.Read()
		if err != nil {
			return arpFrame{}, !isSocketErr(err), err
		}
		return arpFrame{Reply: p.Operation == arp.OperationReply, EthDst: eth.Destination,
			SenderMAC: p.SenderHardwareAddr, SenderIP: p.SenderIP, TargetMAC: p.TargetHardwareAddr, TargetIP: p.TargetIP}, false, nil
	}, func(f arpFrame) net.HardwareAddr { return claimant(f, a, ifi.HardwareAddr) })
	if err != nil {
		return as, fmt.Errorf("arp probe %s on %s: %w", a, ifi.Name, err)
	}
	return as, nil
}
