package watch

import (
	"context"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/netguard/netguard/checks/checkstest"
	"github.com/netguard/netguard/checks/diagnose"
	"github.com/netguard/netguard/checks/netstate"
)

// lookerSys is the fake lab's OS layer as macOS and Windows have it: no
// notification for the neighbor cache, one entry readable on its own.
type lookerSys struct {
	*checkstest.FakeSystem
	lookups atomic.Int32
}

func (s *lookerSys) LookupNeighbor(ctx context.Context, ifIndex int, ip netip.Addr) (netstate.Neighbor, bool, error) {
	s.lookups.Add(1)
	ns, err := s.Neighbors(ctx)
	if err != nil {
		return netstate.Neighbor{}, false, err
	}
	for _, n := range ns {
		if n.IfIndex == ifIndex && n.IP == ip {
			return n, true, nil
		}
	}
	return netstate.Neighbor{}, false, nil
}

// A gateway MAC that changes with no notification at all (XNU resolves and
// refreshes entries silently; Windows has no callback) is noticed by the
// poll within a few polls, long before the interval.
func TestWatcherPollsGatewayEntry(t *testing.T) {
	lab := checkstest.NewLab(false)
	sys := &lookerSys{FakeSystem: lab.Sys}
	lab.Engine.Sys = sys
	const poll = 30 * time.Millisecond
	h := startWatcher(t, lab, func(c *Config) { c.Poll = poll })
	h.source()
	if r := h.next(2 * time.Second); r.Trigger != TriggerStart || r.Report.Verdict != diagnose.Healthy {
		t.Fatalf("first run: %s %s", r.Trigger, r.Report.Verdict)
	}

	// Healthy and unchanged: polls, but no run; one lookup per poll (the
	// gateway's entry only, never a dump or a check).
	h.none(10 * poll)
	n := sys.lookups.Load()
	if n < 3 || n > 12 {
		t.Errorf("%d lookups in %v of polling every %v, want about 10", n, 10*poll, poll)
	}

	t0 := time.Now()
	lab.BreakGatewayMAC(false) // the MAC changes; no Change is sent
	r := h.next(2 * time.Second)
	if took := time.Since(t0); took > time.Second {
		t.Errorf("noticed after %v, want within a few polls", took)
	}
	if r.Trigger != TriggerEvent || !strings.Contains(r.Reason, "(polled)") || !strings.Contains(r.Reason, checkstest.BadMAC.String()) {
		t.Errorf("run: trigger %s reason %q", r.Trigger, r.Reason)
	}
	if r.Report.Verdict != diagnose.Unhealthy {
		t.Errorf("verdict %s, want unhealthy", r.Report.Verdict)
	}
}

// An entry that goes failed is a change; one that is only refreshed
// (reachable, stale, same MAC) is not.
func TestGatewayPollRound(t *testing.T) {
	gw := netip.MustParseAddr("192.168.1.1")
	entry := netstate.Neighbor{IfIndex: 4, IP: gw, MAC: checkstest.GoodMAC, State: netstate.NeighReachable}
	found := true
	l := &fakeLooker{f: func() (netstate.Neighbor, bool, error) { return entry, found, nil }}
	p := &gatewayPoll{looker: l}
	p.setTargets([]pollTarget{{4, gw}})
	ctx := context.Background()
	step := func(name string, want string) {
		t.Helper()
		cs := p.round(ctx)
		var got string
		if len(cs) > 0 {
			got = cs[0].Detail
		}
		if got != want || len(cs) > 1 {
			t.Errorf("%s: changes %v, want %q", name, cs, want)
		}
	}
	step("first read", "neighbor 192.168.1.1 reachable "+checkstest.GoodMAC.String()+" (polled)")
	entry.State = netstate.NeighStale
	step("refreshed", "")
	entry.State, entry.MAC = netstate.NeighFailed, nil
	step("failed", "neighbor 192.168.1.1 failed (polled)")
	found = false
	step("gone", "neighbor del 192.168.1.1 (polled)")
	step("still gone", "")
	l.err = context.DeadlineExceeded
	step("lookup error says nothing", "")
}

type fakeLooker struct {
	f   func() (netstate.Neighbor, bool, error)
	err error
}

func (l *fakeLooker) LookupNeighbor(context.Context, int, netip.Addr) (netstate.Neighbor, bool, error) {
	if l.err != nil {
		return netstate.Neighbor{}, false, l.err
	}
	return l.f()
}

// BenchmarkGatewayPollRound measures the watcher's own cost of one poll (the
// lookup itself is the OS's: one RTM_GET or GetIpNetEntry2).
func BenchmarkGatewayPollRound(b *testing.B) {
	gw := netip.MustParseAddr("192.168.1.1")
	entry := netstate.Neighbor{IfIndex: 4, IP: gw, MAC: checkstest.GoodMAC, State: netstate.NeighReachable}
	p := &gatewayPoll{looker: &fakeLooker{f: func() (netstate.Neighbor, bool, error) { return entry, true, nil }}}
	p.setTargets([]pollTarget{{4, gw}})
	ctx := context.Background()
	for b.Loop() {
		p.round(ctx)
	}
}
