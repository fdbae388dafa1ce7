package diagnose

import (
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/netguard/netguard/checks/netstate"
)

// neighborCases are the cases of TestDiagnose whose first finding is the neighbor check's.
var neighborCases = []diagCase{
	{name: "gateway ARP failed", mutate: func(s *netstate.State) {
		allSilent(s)
		s.Neighbors[0].State, s.Neighbors[0].MAC = netstate.NeighFailed, nil
	}, want: []string{"gateway-neighbor-failed"}, verdict: Unhealthy, manual: "ip neigh del 198.18.3.1 dev eth0"},
	{name: "static wrong gateway MAC", oses: []string{"linux", "darwin", "windows"}, mutate: func(s *netstate.State) {
		allSilent(s)
		s.Neighbors[0].State, s.Neighbors[0].Permanent = netstate.NeighPermanent, true
	}, want: []string{"gateway-neighbor-static"}, verdict: Unhealthy, manual: "ip neigh del 198.18.3.1 dev eth0"},
	{name: "static gateway MAC with several MACs answering ARP", mutate: func(s *netstate.State) {
		allSilent(s)
		s.Neighbors[0].State, s.Neighbors[0].Permanent = netstate.NeighPermanent, true
		s.V4.Solicit = &netstate.SolicitResult{Entry: s.Neighbors[0], Answers: []netstate.NeighborAnswer{
			{MAC: net.HardwareAddr{2, 0, 0, 0, 3, 1}, RTT: time.Millisecond}, {MAC: net.HardwareAddr{2, 0, 0, 0, 3, 0x99}, RTT: 2 * time.Millisecond}}}
	}, want: []string{"gateway-neighbor-ambiguous"}, verdict: Unhealthy, manual: "arping -I eth0 -c 3 198.18.3.1"},
	{name: "static gateway MAC, one other MAC answering ARP (macOS, root: BPF)", oses: []string{"darwin"}, mutate: func(s *netstate.State) {
		allSilent(s)
		s.Neighbors[0].State, s.Neighbors[0].Permanent = netstate.NeighPermanent, true
		s.V4.Solicit = &netstate.SolicitResult{Entry: s.Neighbors[0], Answers: []netstate.NeighborAnswer{{MAC: net.HardwareAddr{2, 0, 0, 0, 3, 0x42}, RTT: time.Millisecond}}}
	}, want: []string{"gateway-neighbor-static"}, verdict: Unhealthy, manual: "sudo arp -d 198.18.3.1 ifscope en0"},
	{name: "static gateway MAC with several MACs answering ARP (macOS, root: BPF)", oses: []string{"darwin"}, mutate: func(s *netstate.State) {
		allSilent(s)
		s.Neighbors[0].State, s.Neighbors[0].Permanent = netstate.NeighPermanent, true
		s.V4.Solicit = &netstate.SolicitResult{Entry: s.Neighbors[0], Answers: []netstate.NeighborAnswer{
			{MAC: net.HardwareAddr{2, 0, 0, 0, 3, 1}, RTT: time.Millisecond}, {MAC: net.HardwareAddr{2, 0, 0, 0, 3, 0x99}, RTT: 2 * time.Millisecond}}}
	}, want: []string{"gateway-neighbor-ambiguous"}, verdict: Unhealthy, manual: "sudo tcpdump -n -e -c 20 -i en0 arp and host 198.18.3.1"},
	{name: "static gateway MAC, the solicitation unsupported (macOS IPv6)", oses: []string{"darwin"}, mutate: func(s *netstate.State) {
		allSilent(s)
		s.Neighbors[0].State, s.Neighbors[0].Permanent = netstate.NeighPermanent, true
		s.V4.Solicit = &netstate.SolicitResult{Entry: s.Neighbors[0], Err: netstate.ErrUnsupported}
	}, want: []string{"gateway-neighbor-static"}, verdict: Unhealthy, manual: "sudo arp -d 198.18.3.1 ifscope en0"},
	{name: "stale wrong gateway MAC macOS", oses: []string{"darwin"}, mutate: func(s *netstate.State) {
		allSilent(s)
		s.Neighbors[0].State = netstate.NeighReachable
	}, want: []string{"gateway-neighbor-wrong"}, verdict: Unhealthy, manual: "sudo arp -d 198.18.3.1 ifscope en0"},
	{name: "stale wrong gateway MAC windows", oses: []string{"windows"}, mutate: func(s *netstate.State) {
		allSilent(s)
	}, want: []string{"gateway-neighbor-wrong"}, verdict: Unhealthy, manual: `Remove-NetNeighbor -IPAddress 198.18.3.1 -InterfaceAlias Wi-Fi`},
	{name: "duplicate scoped entries with different MACs (macOS)", oses: []string{"darwin"}, mutate: func(s *netstate.State) {
		s.Links = append(s.Links, netstate.Link{Index: 3, Name: "en1", AdminUp: true, Carrier: true})
		s.Neighbors = append(s.Neighbors, netstate.Neighbor{IfIndex: 3, IfName: "en1", IP: gw, MAC: net.HardwareAddr{2, 0, 0, 0, 0, 9}, State: netstate.NeighReachable})
	}, want: []string{"gateway-neighbor-duplicate"}, verdict: Degraded, manual: "sudo arp -d 198.18.3.1 ifscope en1"},
	{name: "no ICMP permission and TCP silent: not a false alarm about ICMP", mutate: func(s *netstate.State) {
		for _, t := range []*netstate.TargetResult{s.V4.GatewayProbe, &s.V4.External[0]} {
			t.ICMP = netstate.ProbeResult{Kind: netstate.ProbeICMP, Ran: true, NoPermission: true, Err: syscall.EPERM}
			t.TCP = silent(netstate.ProbeTCP, t.Addr)
		}
	}, want: []string{"gateway-neighbor-wrong"}, verdict: Unhealthy},
}

// On macOS as root the solicitation's answers are evidence of the pinned
// gateway finding exactly as on Linux: one other MAC is named with its
// round trip, and a solicitation that could not be sent (IPv6 there) adds
// nothing.
func TestSolicitEvidenceDarwin(t *testing.T) {
	other := net.HardwareAddr{2, 0, 0, 0, 3, 0x42}
	for _, tc := range []struct {
		name string
		r    func(n netstate.Neighbor) *netstate.SolicitResult
		want string // an evidence line containing it; "" for none about address resolution
	}{
		{"one other MAC", func(n netstate.Neighbor) *netstate.SolicitResult {
			return &netstate.SolicitResult{Entry: n, Answers: []netstate.NeighborAnswer{{MAC: other, RTT: 3 * time.Millisecond}}}
		}, "answered address resolution from 02:00:00:00:03:42 in 3.0 ms"},
		{"not sent", func(n netstate.Neighbor) *netstate.SolicitResult {
			return &netstate.SolicitResult{Entry: n, Err: netstate.ErrUnsupported}
		}, ""},
	} {
		s := healthyState("darwin")
		allSilent(s)
		s.Neighbors[0].State, s.Neighbors[0].Permanent = netstate.NeighPermanent, true
		s.V4.Solicit = tc.r(s.Neighbors[0])
		d, _ := diagnoseWant(t, s, "darwin", []string{"gateway-neighbor-static"}, Unhealthy)
		ev := strings.Join(d.Findings[0].Evidence, "\n")
		if got := strings.Contains(ev, "address resolution"); got != (tc.want != "") || !strings.Contains(ev, tc.want) {
			t.Errorf("%s: evidence %q, want %q", tc.name, ev, tc.want)
		}
	}
}
