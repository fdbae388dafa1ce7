package checks_test

import (
	"context"
	"net/netip"
	"slices"
	"testing"

	"github.com/netguard/netguard/checks"
	"github.com/netguard/netguard/checks/checkstest"
	"github.com/netguard/netguard/checks/diagnose"
	"github.com/netguard/netguard/checks/netstate"
)

// The uplink is up with carrier and an address but lost its default route
// (a DHCP lease or router advertisement expired); another interface is
// down, maybe on purpose. The down one explains nothing: it is not
// blamed, and neither guard fix nor the privileged helper raises it.
func TestNoDefaultRouteOnAWorkingUplinkBlamesNoDownLink(t *testing.T) {
	l := checkstest.NewLab(true)
	l.Sys.LinkTable = append(l.Sys.LinkTable, netstate.Link{Index: 3, Name: "eth1", Kind: netstate.LinkPhysical, MTU: 1500,
		Addrs: []netip.Prefix{netip.MustParsePrefix("10.77.0.2/24")}})
	l.Sys.RouteTable = l.Sys.RouteTable[1:] // the default route is gone
	r := l.Engine.Check(context.Background(), l.Options())
	if slices.Contains(ids(r), diagnose.LinkDown.ID) || !slices.Contains(ids(r), diagnose.NoDefaultRoute.ID) {
		t.Fatalf("findings %v: want no-default-route, not link-down", ids(r))
	}
	l.Sys.Calls = nil
	l.Engine.Fix(context.Background(), l.Options(), checks.FixOptions{})
	if slices.ContainsFunc(l.Sys.Calls, func(c string) bool { return c == "link-up eth1" }) {
		t.Fatalf("fix raised the disabled eth1: %v", l.Sys.Calls)
	}
	l.Sys.Calls = nil
	err := l.Engine.Repair(context.Background(), checks.Action{Rung: netstate.RungLinkUp, IfName: "eth1"})
	if err == nil || len(l.Sys.Calls) != 0 {
		t.Fatalf("helper link-up eth1 = %v, calls %v: want a refusal", err, l.Sys.Calls)
	}
}

// A down uplink with no other working one is still blamed and raised.
func TestNoDefaultRouteWithTheUplinkDownBlamesIt(t *testing.T) {
	l := checkstest.NewLab(true)
	l.Sys.LinkTable[0].AdminUp = false
	l.Sys.RouteTable = nil
	r := l.Engine.Check(context.Background(), l.Options())
	if !slices.Contains(ids(r), diagnose.LinkDown.ID) {
		t.Fatalf("findings %v: want link-down", ids(r))
	}
}
