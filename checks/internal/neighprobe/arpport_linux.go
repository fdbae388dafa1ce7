//go:build linux

package neighprobe

import (
	"net"
	"time"

	"github.com/mdlayher/arp"
)

// packetARP is the Linux ARP port: an AF_PACKET socket bound to ARP
// (mdlayher/arp), which needs root (CAP_NET_RAW).
type packetARP struct{ c *arp.Client }

func dialPacketARP(ifi *net.Interface) (arpPort, error) {
	c, err := arp.Dial(ifi)
	if err != nil {
		return nil, err
	}
	return packetARP{c}, nil
}

func (p packetARP) send(f arpFrame) error {
	op := arp.OperationRequest
	if f.Reply {
		op = arp.OperationReply
	}
	pkt, err := arp.NewPacket(op, f.SenderMAC, f.SenderIP, f.TargetMAC, f.TargetIP)
	if err != nil {
		return err
	}
	return p.c.WriteTo(pkt, f.EthDst)
}

func (p packetARP) next() (arpFrame, bool, error) {
	pkt, eth, err := p.c.Read()
	if err != nil {
		return arpFrame{}, !isSocketErr(err), err
	}
	return arpFrame{Reply: pkt.Operation == arp.OperationReply, EthDst: eth.Destination,
		SenderMAC: pkt.SenderHardwareAddr, SenderIP: pkt.SenderIP, TargetMAC: pkt.TargetHardwareAddr, TargetIP: pkt.TargetIP}, false, nil
}

func (p packetARP) SetReadDeadline(t time.Time) error { return p.c.SetReadDeadline(t) }

func (p packetARP) Close() error { return p.c.Close() }
