package diagnose

import (
	"net"
	"syscall"
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
