package neighprobe

import (
	"context"
	"net"
	"net/netip"
	"time"

	"github.com/netguard/netguard/checks/netstate"
)

// arpFrame is what Solicit judges of one ARP packet and its Ethernet
// frame.
type arpFrame struct {
	Reply     bool // the operation is a reply
	EthDst    net.HardwareAddr
	SenderMAC net.HardwareAddr
	SenderIP  netip.Addr
	TargetMAC net.HardwareAddr
	TargetIP  netip.Addr
}

// arpAsk is one ARP solicitation: this host (its MAC and the address it
// asks from) asking for Gateway.
type arpAsk struct {
	OurMAC  net.HardwareAddr
	OurIP   netip.Addr
	Gateway netip.Addr
}

// answer returns the MAC f gives for the gateway if f answers this
// solicitation, nil otherwise. Only a reply sent to this host (Ethernet
// destination and target MAC ours, target IP the address we asked from)
// by the gateway's address with a unicast MAC counts: gratuitous ARP,
// requests, broadcasts and replies to anyone else are not answers to us,
// and believing them would let any host on the LAN choose what the check
// concludes.
func (q arpAsk) answer(f arpFrame) net.HardwareAddr {
	if !f.Reply || f.SenderIP != q.Gateway || f.TargetIP != q.OurIP || !q.OurIP.IsValid() {
		return nil
	}
	if !sameMAC(f.TargetMAC, q.OurMAC) || !sameMAC(f.EthDst, q.OurMAC) || !unicastMAC(f.SenderMAC) {
		return nil
	}
	return f.SenderMAC
}

// ndpFrame is what Solicit judges of one neighbor advertisement.
type ndpFrame struct {
	Solicited bool
	Target    netip.Addr
	TargetMAC net.HardwareAddr // the target link-layer address option; nil if absent
}

// ndpAnswer returns the MAC an advertisement gives for gw if it is a
// solicited one (an answer to a solicitation, not an announcement) for gw
// with a unicast link-layer address, nil otherwise.
func ndpAnswer(gw netip.Addr, f ndpFrame) net.HardwareAddr {
	if !f.Solicited || f.Target != gw || !unicastMAC(f.TargetMAC) {
		return nil
	}
	return f.TargetMAC
}

func sameMAC(a, b net.HardwareAddr) bool {
	return len(a) > 0 && string(a) == string(b)
}

// unicastMAC reports whether m is an Ethernet address a host can have (not
// zero, not group).
func unicastMAC(m net.HardwareAddr) bool {
	if len(m) != 6 || m[0]&1 != 0 {
		return false
	}
	for _, b := range m {
		if b != 0 {
			return true
		}
	}
	return false
}

// gather reads frames until ctx ends and keeps, one per MAC, every one
// answer accepts, timed from t0. It never stops at an answer: a second MAC
// may still come, and only the whole set tells a spoofed answer from the
// gateway's. read reports skip for a frame that could not be parsed (the
// LAN chose its bytes: it ends nothing); any other error ends the read, and
// is returned unless ctx ended (the expected way out).
func gather[F any](ctx context.Context, t0 time.Time, read func() (f F, skip bool, err error), answer func(F) net.HardwareAddr) ([]netstate.NeighborAnswer, error) {
	var as []netstate.NeighborAnswer
	for {
		f, skip, err := read()
		if skip {
			continue
		}
		if err != nil {
			if ctx.Err() != nil {
				return as, nil
			}
			return as, err
		}
		if mac := answer(f); mac != nil {
			as = netstate.AddAnswer(as, mac, time.Since(t0))
		}
	}
}

// claimant returns the MAC f shows holding addr, nil if it shows none: any
// ARP packet, reply or request, whose sender is addr with a unicast MAC
// other than ours. The reply to an RFC 5227 probe is one (sent to us); a
// request or gratuitous announcement from addr by another MAC is the
// other host using the address, which is as much a conflict. A probe by
// someone else (sender 0.0.0.0) claims nothing.
func claimant(f arpFrame, addr netip.Addr, ourMAC net.HardwareAddr) net.HardwareAddr {
	if !addr.IsValid() || f.SenderIP != addr || !unicastMAC(f.SenderMAC) || sameMAC(f.SenderMAC, ourMAC) {
		return nil
	}
	return f.SenderMAC
}
