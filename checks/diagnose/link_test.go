package diagnose

import "github.com/netguard/netguard/checks/netstate"

// linkCases are the cases of TestDiagnose whose first finding is the link check's.
var linkCases = []diagCase{
	{name: "link down", mutate: func(s *netstate.State) {
		noDefault(s)
		s.Links[1].AdminUp, s.Links[1].Carrier = false, false
	}, want: []string{"link-down"}, verdict: Unhealthy, manual: "ip link set dev eth0 up"},
	{name: "link down macOS", oses: []string{"darwin"}, mutate: func(s *netstate.State) {
		noDefault(s)
		s.Links[1].AdminUp = false
	}, want: []string{"link-down"}, verdict: Unhealthy, manual: "ifconfig en0 up"},
	{name: "a container's veth uplink that is down is blamed", mutate: func(s *netstate.State) {
		noDefault(s)
		s.Links[1].Kind, s.Links[1].AdminUp = netstate.LinkVeth, false
	}, want: []string{"link-down"}, verdict: Unhealthy, manual: "ip link set dev eth0 up"},
	{name: "the kind decides, not the name: a NIC named like a bridge is blamed", mutate: func(s *netstate.State) {
		noDefault(s)
		s.Links[1].Name, s.Links[1].Kind, s.Links[1].AdminUp = "bridge0", netstate.LinkPhysical, false
	}, want: []string{"link-down"}, verdict: Unhealthy, manual: "ip link set dev bridge0 up"},
	{name: "no carrier", mutate: func(s *netstate.State) {
		s.Links[1].Carrier = false
		allSilent(s)
	}, want: []string{"link-no-carrier"}, verdict: Unhealthy},
	{name: "no address", mutate: func(s *netstate.State) {
		s.Links[1].Addrs = nil
		allSilent(s)
	}, want: []string{"link-no-address"}, verdict: Unhealthy, manual: "reapply"},
	{name: "the OS did not answer in time", mutate: func(s *netstate.State) { *s = netstate.State{OS: "linux", TimedOut: true} }, want: []string{"timed-out"}, verdict: Unhealthy, manual: "--timeout 10s"},
}
