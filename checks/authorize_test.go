package checks_test

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"testing"

	"github.com/netguard/netguard/checks"
	"github.com/netguard/netguard/checks/checkstest"
	"github.com/netguard/netguard/checks/netstate"
)

// The privileged helper acts only on what the tables show is a current
// finding: a `guard repair *` sudoers rule must not let its user
// rewrite another host's entry or wake a link an administrator left down.
func TestAuthorize(t *testing.T) {
	other := netip.MustParseAddr("198.18.3.9")
	withQuarantine := func(l *checkstest.Lab) {
		l.Sys.LinkTable = append(l.Sys.LinkTable, netstate.Link{Index: 3, Name: "quar0", AdminUp: false, Addrs: []netip.Prefix{netip.MustParsePrefix("192.0.2.2/24")}})
		l.Sys.NeighTable = append(l.Sys.NeighTable, netstate.Neighbor{IfIndex: 2, IfName: "eth0", IP: other, MAC: checkstest.GoodMAC, State: netstate.NeighPermanent, Permanent: true})
	}
	linkDown := func(l *checkstest.Lab) {
		l.Sys.LinkTable[0].AdminUp = false
		l.Sys.RouteTable = nil
	}
	tests := []struct {
		name  string
		setup func(*checkstest.Lab)
		act   checks.Action
		ok    bool
	}{
		{"gateway entry on the default route's interface", nil,
			checks.Action{Rung: netstate.RungDeleteNeighbor, IfName: "eth0", IP: checkstest.Gateway}, true},
		{"another host's permanent entry", withQuarantine,
			checks.Action{Rung: netstate.RungDeleteNeighbor, IfName: "eth0", IP: other}, false},
		{"gateway address on another interface", withQuarantine,
			checks.Action{Rung: netstate.RungDeleteNeighbor, IfName: "quar0", IP: checkstest.Gateway}, false},
		{"gateway without an entry", func(l *checkstest.Lab) { l.Sys.NeighTable = nil },
			checks.Action{Rung: netstate.RungDeleteNeighbor, IfName: "eth0", IP: checkstest.Gateway}, false},
		{"flush on the default route's interface", nil,
			checks.Action{Rung: netstate.RungFlushNeighbors, IfName: "eth0"}, true},
		{"flush elsewhere", withQuarantine,
			checks.Action{Rung: netstate.RungFlushNeighbors, IfName: "quar0"}, false},
		{"link up a link the admin left down while the default route works", withQuarantine,
			checks.Action{Rung: netstate.RungLinkUp, IfName: "quar0"}, false},
		{"link up the only link, down, no default route", linkDown,
			checks.Action{Rung: netstate.RungLinkUp, IfName: "eth0"}, true},
		{"link up a link that is up", nil,
			checks.Action{Rung: netstate.RungLinkUp, IfName: "eth0"}, false},
		{"reapply a missing interface", nil,
			checks.Action{Rung: netstate.RungReapplyInterface, IfName: "nosuch0"}, false},
		{"reapply the default route's interface", nil,
			checks.Action{Rung: netstate.RungReapplyInterface, IfName: "eth0"}, true},
		{"flush dns", nil, checks.Action{Rung: netstate.RungFlushDNS}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := checkstest.NewLab(true)
			if tt.setup != nil {
				tt.setup(l)
			}
			err := checks.Authorize(l.Engine.Tables(context.Background()), tt.act)
			if (err == nil) != tt.ok {
				t.Fatalf("Authorize(%s) = %v, want ok=%v", tt.act, err, tt.ok)
			}
			if err != nil && !errors.Is(err, checks.ErrNotAuthorized) {
				t.Fatalf("Authorize(%s) = %v, want ErrNotAuthorized", tt.act, err)
			}
		})
	}
}

// The helper's own call deletes a permanent entry, verifies, and puts the
// same entry back when the gateway stays silent; a confirmed deletion
// stays. A refused target changes nothing.
func TestRepairVerifiesAndRestoresInOneCall(t *testing.T) {
	t.Run("confirmed", func(t *testing.T) {
		l := checkstest.NewLab(true)
		l.BreakGatewayMAC(true)
		if err := l.Engine.Repair(context.Background(), checks.Action{Rung: netstate.RungDeleteNeighbor, IfName: "eth0", IP: checkstest.Gateway}); err != nil {
			t.Fatalf("Repair = %v", err)
		}
		if want := []string{"delete-neighbor eth0 198.18.3.1"}; !slices.Equal(l.Sys.Calls, want) {
			t.Fatalf("calls = %v, want %v", l.Sys.Calls, want)
		}
	})
	t.Run("not confirmed: restored", func(t *testing.T) {
		l := checkstest.NewLab(true)
		l.BreakGatewayMAC(true)
		l.Sys.OnChange = func(*checkstest.FakeSystem) {} // the router stays dead
		err := l.Engine.Repair(context.Background(), checks.Action{Rung: netstate.RungDeleteNeighbor, IfName: "eth0", IP: checkstest.Gateway})
		if !errors.Is(err, checks.ErrNotConfirmed) {
			t.Fatalf("Repair = %v, want ErrNotConfirmed", err)
		}
		want := []string{"delete-neighbor eth0 198.18.3.1", "set-neighbor eth0 198.18.3.1 " + checkstest.BadMAC.String()}
		if !slices.Equal(l.Sys.Calls, want) {
			t.Fatalf("calls = %v, want %v", l.Sys.Calls, want)
		}
	})
	t.Run("refused", func(t *testing.T) {
		l := checkstest.NewLab(true)
		err := l.Engine.Repair(context.Background(), checks.Action{Rung: netstate.RungDeleteNeighbor, IfName: "eth0", IP: netip.MustParseAddr("198.18.3.9")})
		if !errors.Is(err, checks.ErrNotAuthorized) || len(l.Sys.Calls) != 0 {
			t.Fatalf("Repair = %v, calls %v", err, l.Sys.Calls)
		}
	})
}
