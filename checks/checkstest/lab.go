package checkstest

import (
	"context"
	"net"
	"net/netip"
	"slices"
	"time"

	"github.com/netguard/netguard/checks"
	"github.com/netguard/netguard/checks/netstate"
)

// The addresses of the fake lab, the same as the namespace lab's.
var (
	Gateway = netip.MustParseAddr("198.18.3.1")
	Ext     = netip.MustParseAddr("203.0.113.5")
	GoodMAC = net.HardwareAddr{2, 0xaa, 0, 0, 0, 1}
	BadMAC  = net.HardwareAddr{2, 0, 0, 0, 0, 1}
)

// Lab is a fake machine wired like the namespace lab's client: eth0,
// a default route via Gateway, Gateway and Ext answering, DNS resolving.
// The prober follows the tables: a gateway entry with BadMAC, or eth0
// down, makes everything silent, and a repair makes it answer again.
type Lab struct {
	Engine *checks.Engine
	Sys    *FakeSystem
	Prober *FakeProber
}

// NewLab returns a healthy fake lab.
func NewLab(privileged bool) *Lab {
	def := netstate.Route{Dst: netip.MustParsePrefix("0.0.0.0/0"), Gateway: Gateway, IfIndex: 2, IfName: "eth0", Table: 254}
	sys := &FakeSystem{
		LinkTable: []netstate.Link{{Index: 2, Name: "eth0", Kind: netstate.LinkPhysical, MTU: 1500, AdminUp: true, Carrier: true, Addrs: []netip.Prefix{netip.MustParsePrefix("198.18.3.2/24")}}},
		RouteTable: []netstate.Route{def,
			{Dst: netip.MustParsePrefix("198.18.3.0/24"), IfIndex: 2, IfName: "eth0", Table: 254}},
		NeighTable:  []netstate.Neighbor{{IfIndex: 2, IfName: "eth0", IP: Gateway, MAC: GoodMAC, State: netstate.NeighReachable}},
		SocketStats: netstate.SocketStats{EphemeralLow: 32768, EphemeralHigh: 60999, OpenFilesLimit: 65536},
	}
	pr := NewFakeProber(Gateway, Ext)
	sys.OnChange = func(f *FakeSystem) {
		ns, _ := f.Neighbors(context.Background())
		links, _ := f.Links(context.Background())
		broken := !links[0].AdminUp || slices.ContainsFunc(ns, func(n netstate.Neighbor) bool {
			return n.IP == Gateway && n.MAC.String() == BadMAC.String()
		})
		for _, a := range []netip.Addr{Gateway, Ext} {
			if broken {
				pr.Down(a)
			} else {
				pr.Up(a)
			}
		}
		pr.mu.Lock()
		if broken {
			pr.DNSRes = netstate.DNSResult{Ran: true, Name: "www.lab.test", Err: context.DeadlineExceeded}
		} else {
			pr.DNSRes = GoodDNS()
		}
		pr.mu.Unlock()
	}
	return &Lab{Engine: &checks.Engine{Sys: sys, Prober: pr, Privileged: privileged, OS: "linux"}, Sys: sys, Prober: pr}
}

// Options are lab targets with a short timeout: never the built-in
// public defaults.
func (l *Lab) Options() checks.Options {
	o := checks.DefaultOptions()
	o.External = []netip.AddrPort{netip.AddrPortFrom(Ext, 0)}
	o.DNSName = "www.lab.test"
	// A short probe wait keeps tests of silent hosts quick; the timeout
	// leaves a loaded machine room for the rest of the run.
	o.Timeout = time.Second
	o.ProbeWait = 150 * time.Millisecond
	return o
}

// PinGateway makes the gateway's entry a permanent one with its right MAC
// (GoodMAC), as an administrator pins it against spoofing.
func (l *Lab) PinGateway() {
	l.Sys.mu.Lock()
	l.Sys.NeighTable = []netstate.Neighbor{{IfIndex: 2, IfName: "eth0", IP: Gateway, MAC: GoodMAC, State: netstate.NeighPermanent, Permanent: true}}
	l.Sys.mu.Unlock()
	l.Sys.Calls = nil
}

// BreakGatewayMAC replaces the gateway's entry by one with BadMAC. The
// gateway itself still answers address resolution, from GoodMAC.
func (l *Lab) BreakGatewayMAC(permanent bool) {
	st := netstate.NeighReachable
	if permanent {
		st = netstate.NeighPermanent
	}
	l.Sys.mu.Lock()
	l.Sys.NeighTable = []netstate.Neighbor{{IfIndex: 2, IfName: "eth0", IP: Gateway, MAC: BadMAC, State: st, Permanent: permanent}}
	if l.Sys.SolicitFunc == nil && l.Sys.SolicitAnswers == nil {
		l.Sys.SolicitFunc = func(_ netstate.Link, ip netip.Addr) (net.HardwareAddr, error) {
			if ip != Gateway {
				return nil, nil
			}
			return GoodMAC, nil
		}
	}
	l.Sys.mu.Unlock()
	l.Sys.OnChange(l.Sys)
	l.Sys.Calls = nil
}
