package netstate

import (
	"errors"
	"net/netip"
	"testing"
)

func TestPortalSuspect(t *testing.T) {
	gw := netip.MustParseAddr("198.18.3.1")
	ext := netip.MustParseAddr("203.0.113.5")
	base := func() *State {
		s := &State{Links: []Link{{Index: 2, Name: "eth0", Addrs: []netip.Prefix{netip.MustParsePrefix("198.18.3.2/24")}}}}
		s.V4 = FamilyState{Family: 4, Gateway: gw, External: []TargetResult{{Addr: ext, TCP: ProbeResult{Ran: true, Target: netip.AddrPortFrom(ext, 443), Err: ErrNoReply}}}}
		s.DNS = DNSResult{Ran: true, Name: "www.lab.test", Addrs: []netip.Addr{gw}}
		return s
	}
	for _, tc := range []struct {
		name   string
		mutate func(*State)
		want   netip.Addr
	}{
		{"gateway's own address, HTTPS silent", func(*State) {}, gw},
		{"private address", func(s *State) { s.DNS.Addrs = []netip.Addr{netip.MustParseAddr("10.0.0.1")} }, netip.MustParseAddr("10.0.0.1")},
		{"on the local network", func(s *State) { s.DNS.Addrs = []netip.Addr{netip.MustParseAddr("198.18.3.77")} }, netip.MustParseAddr("198.18.3.77")},
		{"port 80 intercepted, HTTPS silent", func(s *State) {
			s.V4.External[0].TCP = ProbeResult{Ran: true, Answered: true, Target: netip.AddrPortFrom(ext, 80)}
		}, gw},
		{"HTTPS answers: never", func(s *State) {
			s.V4.External[0].TCP = ProbeResult{Ran: true, Answered: true, Target: netip.AddrPortFrom(ext, 443)}
		}, netip.Addr{}},
		{"a target's own port answers: never", func(s *State) {
			s.V4.External[0].TCP = ProbeResult{Ran: true, Answered: true, Target: netip.AddrPortFrom(ext, 8443)}
		}, netip.Addr{}},
		{"public address", func(s *State) { s.DNS.Addrs = []netip.Addr{netip.MustParseAddr("203.0.113.80")} }, netip.Addr{}},
		{"loopback address", func(s *State) { s.DNS.Addrs = []netip.Addr{netip.MustParseAddr("127.0.0.1")} }, netip.Addr{}},
		{"resolution failed", func(s *State) { s.DNS.Err = errors.New("x") }, netip.Addr{}},
		{"no external target", func(s *State) { s.V4.External = nil }, netip.Addr{}},
	} {
		s := base()
		tc.mutate(s)
		got, ok := PortalSuspect(s)
		if got != tc.want || ok != tc.want.IsValid() {
			t.Errorf("%s: got %v %v, want %v", tc.name, got, ok, tc.want)
		}
	}
}
