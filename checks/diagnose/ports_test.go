package diagnose

import (
	"fmt"
	"net/netip"
	"syscall"

	"github.com/netguard/netguard/checks/netstate"
)

// portsLocalCases are the cases of TestDiagnoseLocal whose first finding is the ports check's.
var portsLocalCases = []localCase{
	{
		name: "port taken, owner named",
		mutate: func(s *netstate.State) {
			s.Ports = []netstate.PortResult{{Spec: netstate.PortSpec{Port: 5432}, Addr: netip.IPv4Unspecified(), Err: fmt.Errorf("bind 0.0.0.0:5432: %w", syscall.EADDRINUSE), InUse: true, Owner: netstate.PortOwner{PID: 4242, Name: "postgres"}}}
		},
		want: []string{"port-in-use"}, verdict: Unhealthy, culprit: "postgres (pid 4242)", check: "ports", status: StatusFail,
	},
	{
		name: "port taken, owner unreadable",
		mutate: func(s *netstate.State) {
			s.Ports = []netstate.PortResult{{Spec: netstate.PortSpec{Addr: netip.MustParseAddr("127.0.0.1"), Port: 8080}, Err: syscall.EADDRINUSE, InUse: true, OwnerErr: fmt.Errorf("not readable by this user")}}
		},
		want: []string{"port-in-use"}, verdict: Unhealthy, culprit: "port 8080", check: "ports", status: StatusFail,
	},
	{
		name: "excluded port range (Windows)", oses: []string{"windows"},
		mutate: func(s *netstate.State) {
			s.Ports = []netstate.PortResult{{Spec: netstate.PortSpec{Port: 50051}, Err: syscall.EACCES, Excluded: true}}
		},
		want: []string{"port-excluded"}, verdict: Unhealthy, culprit: "50051", check: "ports", status: StatusFail,
	},
}
