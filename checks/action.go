package checks

import (
	"errors"
	"fmt"
	"net"
	"net/netip"

	"github.com/netguard/netguard/checks/netstate"
)

// Action is one concrete, validated change: a fixed verb and its target.
// It is all a privileged helper (guard repair, run through sudo) accepts.
type Action struct {
	Rung   netstate.Rung
	IfName string
	IP     netip.Addr       // delete-neighbor, restore-neighbor
	MAC    net.HardwareAddr // restore-neighbor; the entry's MAC for delete-neighbor
	// Static: the entry to delete is permanent, so its deletion is undone
	// unless verification confirms it was wrong.
	Static bool
}

// RestoreNeighbor puts back a permanent entry that an in-process repair
// removed and that verification did not confirm as wrong. It is never a
// rung of its own, only the rollback of one, and the privileged helper does
// not accept it: there the deleting call verifies and restores by itself
// (Engine.Repair), so no caller can make an entry permanent at a MAC of
// its choosing.
const RestoreNeighbor netstate.Rung = "restore-neighbor"

// Args renders the action as the helper's argument list.
func (a Action) Args() []string {
	switch a.Rung {
	case netstate.RungDeleteNeighbor:
		return []string{string(a.Rung), a.IfName, a.IP.String()}
	case RestoreNeighbor:
		return []string{string(a.Rung), a.IfName, a.IP.String(), a.MAC.String()}
	case netstate.RungFlushDNS:
		return []string{string(a.Rung)}
	}
	return []string{string(a.Rung), a.IfName}
}

func (a Action) String() string {
	s := string(a.Rung)
	if a.IfName != "" {
		s += " " + a.IfName
	}
	if a.IP.IsValid() {
		s += " " + a.IP.String()
	}
	return s
}

// ParseAction validates a helper's argument list: a fixed verb and strictly
// parsed targets, nothing else.
func ParseAction(args []string) (Action, error) {
	if len(args) == 0 {
		return Action{}, errors.New("missing action")
	}
	a := Action{Rung: netstate.Rung(args[0])}
	want := map[netstate.Rung]int{netstate.RungDeleteNeighbor: 3, netstate.RungFlushNeighbors: 2, netstate.RungLinkUp: 2, netstate.RungFlushDNS: 1, netstate.RungReapplyInterface: 2}
	n, ok := want[a.Rung]
	if !ok {
		return Action{}, fmt.Errorf("unknown action %q", args[0])
	}
	if len(args) != n {
		return Action{}, fmt.Errorf("%s: want %d arguments, got %d", a.Rung, n-1, len(args)-1)
	}
	if n >= 2 {
		if !netstate.ValidIfName(args[1]) {
			return Action{}, fmt.Errorf("%s: invalid interface name %q", a.Rung, args[1])
		}
		a.IfName = args[1]
	}
	if n >= 3 {
		ip, err := netip.ParseAddr(args[2])
		if err != nil || ip.Zone() != "" {
			return Action{}, fmt.Errorf("%s: invalid IP address %q", a.Rung, args[2])
		}
		if !ip.IsGlobalUnicast() && !ip.IsLinkLocalUnicast() {
			return Action{}, fmt.Errorf("%s: %s is not a unicast host address", a.Rung, ip)
		}
		if ip.String() != args[2] {
			// One spelling per address: the argv a sudoers rule or a log
			// shows is exactly what was acted on.
			return Action{}, fmt.Errorf("%s: %q is not in canonical form (%s)", a.Rung, args[2], ip)
		}
		a.IP = ip
	}
	return a, nil
}
