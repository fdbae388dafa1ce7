package diagnose

import (
	"syscall"

	"github.com/netguard/netguard/checks/netstate"
)

// gatewayCases are the cases of TestDiagnose whose first finding is the gateway check's.
var gatewayCases = []diagCase{
	{name: "macOS Local Network privacy (the seed)", oses: []string{"darwin"}, mutate: func(s *netstate.State) {
		s.HostApp = "Cursor"
		g := s.V4.GatewayProbe
		g.ICMP, g.TCP = failed(netstate.ProbeICMP, gw, syscall.EHOSTUNREACH), failed(netstate.ProbeTCP, gw, syscall.EHOSTUNREACH)
	}, want: []string{"local-network-denied"}, verdict: Degraded, manual: "Privacy & Security › Local Network: turn on Cursor"},
	{name: "Linux refuses sends to the gateway", mutate: func(s *netstate.State) {
		g := s.V4.GatewayProbe
		g.ICMP, g.TCP = failed(netstate.ProbeICMP, gw, syscall.EPERM), failed(netstate.ProbeTCP, gw, syscall.EPERM)
	}, want: []string{"gateway-send-refused"}, verdict: Degraded, manual: "nft list ruleset"},
	{name: "gateway unreachable, no entry", mutate: func(s *netstate.State) {
		allSilent(s)
		s.Neighbors = nil
	}, want: []string{"gateway-unreachable"}, verdict: Unhealthy},
	{name: "router ignores probes but routes", mutate: func(s *netstate.State) {
		g := s.V4.GatewayProbe
		g.ICMP, g.TCP = silent(netstate.ProbeICMP, gw), silent(netstate.ProbeTCP, gw)
	}, want: []string{"gateway-silent"}, verdict: Healthy},
}
