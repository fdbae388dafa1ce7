package diagnose

import (
	"fmt"
	"net/netip"
	"syscall"

	"github.com/netguard/netguard/checks/netstate"
)

// hostsLocalCases are the cases of TestDiagnoseLocal whose first finding is the hosts check's.
var hostsLocalCases = []localCase{
	{
		name: "hosts file maps localhost elsewhere",
		mutate: func(s *netstate.State) {
			s.Hosts.Localhost = []netstate.HostsEntry{{Line: 3, Addr: netip.MustParseAddr("192.0.2.10"), Text: "192.0.2.10 localhost"}}
		},
		want: []string{"hosts-localhost-wrong"}, verdict: Unhealthy, culprit: "/etc/hosts line 3", check: "hosts", status: StatusFail,
	},
	{
		name: "hosts file without localhost, resolver fails",
		mutate: func(s *netstate.State) {
			s.Hosts.Localhost, s.Hosts.Looked, s.Hosts.ResolveErr = nil, true, fmt.Errorf("lookup localhost: %w", syscall.ECONNREFUSED)
		},
		want: []string{"hosts-localhost-missing"}, verdict: Unhealthy, culprit: "/etc/hosts", check: "hosts", status: StatusFail,
	},
}
