package checks_test

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/netguard/netguard/checks"
	"github.com/netguard/netguard/checks/checkstest"
	"github.com/netguard/netguard/checks/diagnose"
	"github.com/netguard/netguard/checks/netstate"
)

var (
	gw     = checkstest.Gateway
	badMAC = checkstest.BadMAC
)

func TestCheckHealthy(t *testing.T) {
	l := checkstest.NewLab(false)
	eng, sys := l.Engine, l.Sys
	r := eng.Check(context.Background(), l.Options())
	if r.Verdict != diagnose.Healthy || len(r.Findings) != 0 {
		t.Fatalf("verdict %s, findings %+v", r.Verdict, r.Findings)
	}
	if len(sys.Calls) != 0 {
		t.Fatalf("check changed the system: %v", sys.Calls)
	}
}

func TestCheckNeverMutates(t *testing.T) {
	l := checkstest.NewLab(true)
	eng, sys := l.Engine, l.Sys
	l.BreakGatewayMAC(true)
	r := eng.Check(context.Background(), l.Options())
	if r.Verdict != diagnose.Unhealthy {
		t.Fatalf("verdict %s", r.Verdict)
	}
	if len(sys.Calls) != 0 || len(r.Repairs) != 0 {
		t.Fatalf("check changed the system: %v %v", sys.Calls, r.Repairs)
	}
	if !strings.HasPrefix(r.ManualSteps[0], "guard fix ") {
		t.Fatalf("a repairable finding's steps should start with guard fix: %q", r.ManualSteps)
	}
}

func TestCheckHonoursTimeout(t *testing.T) {
	l := checkstest.NewLab(false)
	eng := l.Engine
	l.BreakGatewayMAC(false)
	o := l.Options()
	o.Timeout = 200 * time.Millisecond
	t0 := time.Now()
	eng.Check(context.Background(), o)
	if d := time.Since(t0); d > o.Timeout+100*time.Millisecond {
		t.Fatalf("check took %s with timeout %s", d, o.Timeout)
	}
}

func TestFixLadder(t *testing.T) {
	tests := []struct {
		name       string
		privileged bool
		elevate    func(context.Context, checks.Action) error
		breakIt    func(*checkstest.Lab)
		wantCalls  []string
		verdict    diagnose.Verdict
		wantResult string
	}{
		{name: "dynamic wrong MAC: one delete, verified", privileged: true,
			breakIt:   func(l *checkstest.Lab) { l.BreakGatewayMAC(false) },
			wantCalls: []string{"delete-neighbor eth0 198.18.3.1"}, verdict: diagnose.Repaired, wantResult: "ok"},
		{name: "static wrong MAC: deleted when proven by verification", privileged: true,
			breakIt:   func(l *checkstest.Lab) { l.BreakGatewayMAC(true) },
			wantCalls: []string{"delete-neighbor eth0 198.18.3.1"}, verdict: diagnose.Repaired, wantResult: "ok"},
		{name: "link down: link up, the routes come back", privileged: true,
			breakIt: func(l *checkstest.Lab) {
				routes := l.Sys.RouteTable
				l.Sys.LinkTable[0].AdminUp = false
				l.Sys.RouteTable = nil
				l.Sys.OnChange(l.Sys)
				lab := l.Sys.OnChange
				l.Sys.OnChange = func(f *checkstest.FakeSystem) {
					if ls, _ := f.Links(context.Background()); ls[0].AdminUp {
						f.SetRoutes(routes) // a network manager adds them back
					}
					lab(f)
				}
			},
			wantCalls: []string{"link-up eth0"}, verdict: diagnose.Repaired, wantResult: "ok"},
		{name: "link down: link up, no route comes back: taken down again", privileged: true,
			breakIt: func(l *checkstest.Lab) {
				l.Sys.LinkTable[0].AdminUp = false
				l.Sys.RouteTable = nil
				l.Sys.OnChange(l.Sys)
			},
			wantCalls: []string{"link-up eth0", "link-down eth0"}, verdict: diagnose.Unhealthy, wantResult: "failed: not confirmed"},
		{name: "not privileged, no sudo: nothing changes", privileged: false,
			breakIt:   func(l *checkstest.Lab) { l.BreakGatewayMAC(false) },
			wantCalls: nil, verdict: diagnose.Unhealthy, wantResult: "not permitted"},
		{name: "not privileged, elevation runs the same action", privileged: false,
			elevate: func(ctx context.Context, a checks.Action) error {
				if a.Rung != netstate.RungDeleteNeighbor || a.IfName != "eth0" || a.IP != gw {
					return errors.New("unexpected action " + a.String())
				}
				return nil
			},
			breakIt:   func(l *checkstest.Lab) { l.BreakGatewayMAC(false) },
			wantCalls: nil, verdict: diagnose.Unhealthy, wantResult: "ok"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := checkstest.NewLab(tt.privileged)
			eng, sys := l.Engine, l.Sys
			tt.breakIt(l)
			sys.Calls = nil
			r := eng.Fix(context.Background(), l.Options(), checks.FixOptions{Elevate: tt.elevate})
			if !slices.Equal(sys.Calls, tt.wantCalls) {
				t.Errorf("calls = %v, want %v", sys.Calls, tt.wantCalls)
			}
			if r.Verdict != tt.verdict {
				t.Errorf("verdict = %s, want %s (%s)", r.Verdict, tt.verdict, r.Summary)
			}
			if len(r.Repairs) == 0 || !strings.HasPrefix(r.Repairs[0].Result(), tt.wantResult) {
				t.Errorf("repairs = %+v, want first result %q", r.Repairs, tt.wantResult)
			}
			if r.Verdict == diagnose.Unhealthy && len(r.ManualSteps) == 0 {
				t.Error("unhealthy without manual steps")
			}
		})
	}
}

// A static entry whose deletion does not make the check pass is put back:
// no half-done change.
func TestFixRestoresStaticEntryWhenNotConfirmed(t *testing.T) {
	l := checkstest.NewLab(true)
	eng, sys, pr := l.Engine, l.Sys, l.Prober
	l.BreakGatewayMAC(true)
	sys.OnChange = func(*checkstest.FakeSystem) {} // the router stays dead
	pr.Down(gw)
	pr.Down(checkstest.Ext)
	r := eng.Fix(context.Background(), l.Options(), checks.FixOptions{})
	want := []string{"delete-neighbor eth0 198.18.3.1", "set-neighbor eth0 198.18.3.1 02:00:00:00:00:01"}
	if len(sys.Calls) < 2 || !slices.Equal(sys.Calls[:2], want) {
		t.Fatalf("calls = %v, want prefix %v", sys.Calls, want)
	}
	ns, _ := sys.Neighbors(context.Background())
	if !slices.ContainsFunc(ns, func(n netstate.Neighbor) bool { return n.Permanent && n.MAC.String() == badMAC.String() }) {
		t.Fatalf("static entry not restored: %+v", ns)
	}
	if r.Verdict != diagnose.Unhealthy {
		t.Fatalf("verdict %s", r.Verdict)
	}
}

func TestFixDryRunChangesNothing(t *testing.T) {
	l := checkstest.NewLab(true)
	eng, sys := l.Engine, l.Sys
	l.BreakGatewayMAC(false)
	sys.Calls = nil
	r := eng.Fix(context.Background(), l.Options(), checks.FixOptions{DryRun: true})
	if len(sys.Calls) != 0 {
		t.Fatalf("dry run changed: %v", sys.Calls)
	}
	if len(r.Repairs) == 0 || !strings.HasPrefix(r.Repairs[0].Result(), "would run") {
		t.Fatalf("repairs %+v", r.Repairs)
	}
}

// BeforeRepair (where guard arms its signal handlers) runs once, before
// the first change, and never when nothing will change: a healthy run,
// a dry run.
func TestFixBeforeRepair(t *testing.T) {
	tests := []struct {
		name      string
		breakIt   bool
		dryRun    bool
		wantCalls int
	}{
		{name: "healthy: nothing to repair", wantCalls: 0},
		{name: "wrong MAC: armed once, before the delete", breakIt: true, wantCalls: 1},
		{name: "dry run: nothing changes", breakIt: true, dryRun: true, wantCalls: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := checkstest.NewLab(true)
			if tt.breakIt {
				l.BreakGatewayMAC(false)
			}
			l.Sys.Calls = nil
			calls, changedBefore := 0, 0
			fo := checks.FixOptions{DryRun: tt.dryRun, BeforeRepair: func() {
				calls++
				changedBefore += len(l.Sys.Calls)
			}}
			l.Engine.Fix(context.Background(), l.Options(), fo)
			if calls != tt.wantCalls {
				t.Errorf("BeforeRepair called %d times, want %d (changes: %v)", calls, tt.wantCalls, l.Sys.Calls)
			}
			if changedBefore != 0 {
				t.Errorf("BeforeRepair ran after a change was made: %v", l.Sys.Calls)
			}
			if tt.wantCalls > 0 && len(l.Sys.Calls) == 0 {
				t.Errorf("nothing was repaired: the case proves nothing")
			}
		})
	}
}

func TestParseActionRejectsInjection(t *testing.T) {
	bad := [][]string{
		{"rm", "-rf", "/"},
		{"delete-neighbor", "eth0;reboot", "198.18.3.1"},
		{"delete-neighbor", "eth0", "198.18.3.1", "extra"},
		{"delete-neighbor", "-o", "198.18.3.1"},
		{"link-up", "$(reboot)"},
		{"restore-neighbor", "eth0", "198.18.3.1", "02:00:00:de:ad:01"}, // not a helper verb
		{"delete-neighbor", "eth0", "255.255.255.255"},
		{"delete-neighbor", "eth0", "0.0.0.0"},
		{"delete-neighbor", "eth0", "fe80::1%eth0"},
		{},
	}
	for _, args := range bad {
		if _, err := checks.ParseAction(args); err == nil {
			t.Errorf("ParseAction(%q) accepted", args)
		}
	}
	a, err := checks.ParseAction([]string{"delete-neighbor", "eth0", "198.18.3.1"})
	if err != nil || a.IfName != "eth0" || a.IP != gw {
		t.Fatalf("ParseAction = %+v, %v", a, err)
	}
	if got := strings.Join(a.Args(), " "); got != "delete-neighbor eth0 198.18.3.1" {
		t.Fatalf("Args round trip = %q", got)
	}
}

// A table read that ignores its context (a blocked sysctl or IP Helper
// call on macOS or Windows; a fake here) must not
// hang the run: it is abandoned at the deadline and reported.
func TestCheckAbandonsAHungOS(t *testing.T) {
	l := checkstest.NewLab(false)
	block := make(chan struct{})
	defer close(block)
	l.Sys.RouteToFunc = func(netip.Addr) (netstate.Route, error) {
		<-block
		return netstate.Route{}, nil
	}
	o := l.Options()
	o.Timeout = 200 * time.Millisecond
	t0 := time.Now()
	r := l.Engine.Check(context.Background(), o)
	if d := time.Since(t0); d > time.Second {
		t.Fatalf("hung for %s", d)
	}
	if r.Verdict != diagnose.Unhealthy || len(r.Findings) != 1 || r.Findings[0].ID != "timed-out" {
		t.Fatalf("verdict %s findings %+v", r.Verdict, r.Findings)
	}
}

// A bridge whose subnet covers the external target and the name server:
// the tables decide, no probe is sent to them, and the verdict does not
// wait for the probe window, however long --timeout is.
func TestCollectDecidesFromTables(t *testing.T) {
	l := checkstest.NewLab(false)
	br := netstate.Link{Index: 5, Name: "br-5f3a", Kind: netstate.LinkBridge, AdminUp: true, Carrier: true, Addrs: []netip.Prefix{netip.MustParsePrefix("203.0.113.1/24")}}
	l.Sys.LinkTable = append(l.Sys.LinkTable, br)
	l.Sys.RouteTable = append(l.Sys.RouteTable, netstate.Route{Dst: netip.MustParsePrefix("203.0.113.0/24"), IfIndex: 5, IfName: br.Name, Table: 254})
	l.Prober.Servers = []netip.AddrPort{netip.MustParseAddrPort("203.0.113.5:53")}
	l.Prober.DNSSilent = true
	o := l.Options()
	o.Timeout, o.ProbeWait = 30*time.Second, 0
	t0 := time.Now()
	r := l.Engine.Check(context.Background(), o)
	took := time.Since(t0)
	if took > checks.DefaultProbeWait/2 {
		t.Errorf("took %v: the tables decided, nothing should wait for the probe window", took)
	}
	if r.Verdict != diagnose.Unhealthy {
		t.Fatalf("verdict %s, findings %+v", r.Verdict, r.Findings)
	}
	var ids []string
	for _, f := range r.Findings {
		ids = append(ids, f.ID)
		if f.ID == diagnose.TargetRouteDiverted.ID && !strings.Contains(f.Summary, "bridge br-5f3a") {
			t.Errorf("summary does not name the bridge: %q", f.Summary)
		}
	}
	if !slices.Contains(ids, diagnose.TargetRouteDiverted.ID) || !slices.Contains(ids, diagnose.NameServerRouteDiverted.ID) {
		t.Errorf("findings %v, want target-route-diverted and nameserver-route-diverted", ids)
	}
	for _, p := range l.Prober.Probed() {
		if strings.HasSuffix(p, " 203.0.113.5") {
			t.Errorf("probed %s although the route proves it cannot answer", p)
		}
	}
}

// The probe window has its own bound: a broken network whose only
// evidence is silence is decided in about DefaultProbeWait, with a 30 s
// --timeout as with the default one.
func TestProbeWaitIndependentOfTimeout(t *testing.T) {
	for _, timeout := range []time.Duration{2 * time.Second, 30 * time.Second} {
		l := checkstest.NewLab(false)
		l.BreakGatewayMAC(true)
		o := l.Options()
		o.Timeout, o.ProbeWait = timeout, 0
		t0 := time.Now()
		r := l.Engine.Check(context.Background(), o)
		took := time.Since(t0)
		if r.Verdict != diagnose.Unhealthy {
			t.Errorf("timeout %v: verdict %s", timeout, r.Verdict)
		}
		if took < checks.DefaultProbeWait-50*time.Millisecond || took > 3*checks.DefaultProbeWait {
			t.Errorf("timeout %v: decided in %v, want about %v", timeout, took, checks.DefaultProbeWait)
		}
	}
}

// twoUplinks adds wlan0 with a second default route (metric 600) to the
// fake lab, whose eth0 route then has metric 100.
func twoUplinks(l *checkstest.Lab) {
	l.Sys.RouteTable[0].Metric = 100
	l.Sys.LinkTable = append(l.Sys.LinkTable, netstate.Link{Index: 3, Name: "wlan0", Kind: netstate.LinkPhysical, AdminUp: true, Carrier: true, Addrs: []netip.Prefix{netip.MustParsePrefix("198.18.4.2/24")}})
	l.Sys.RouteTable = append(l.Sys.RouteTable, netstate.Route{Dst: netip.MustParsePrefix("0.0.0.0/0"), Gateway: netip.MustParseAddr("198.18.4.1"), IfIndex: 3, IfName: "wlan0", Metric: 600, Table: 254})
	l.Prober.UplinkUp = map[int]bool{3: true}
}

// A healthy machine with two uplinks never probes the second one.
func TestUplinksNotProbedWhenHealthy(t *testing.T) {
	l := checkstest.NewLab(false)
	twoUplinks(l)
	r := l.Engine.Check(context.Background(), l.Options())
	if r.Verdict != diagnose.Healthy {
		t.Fatalf("verdict %s, findings %+v", r.Verdict, r.Findings)
	}
	for _, p := range l.Prober.Probed() {
		if strings.HasPrefix(p, "via ") {
			t.Errorf("probed %q on a healthy machine", p)
		}
	}
}

// The preferred uplink leads nowhere (its gateway and the internet are
// silent through it); the second one answers when bound to its interface.
func TestUplinksNameTheOneThatWorks(t *testing.T) {
	l := checkstest.NewLab(false)
	twoUplinks(l)
	l.Prober.Down(gw)
	l.Prober.Down(checkstest.Ext)
	r := l.Engine.Check(context.Background(), l.Options())
	if r.Verdict != diagnose.Unhealthy {
		t.Fatalf("verdict %s, findings %+v", r.Verdict, r.Findings)
	}
	var f *diagnose.Finding
	for i := range r.Findings {
		if r.Findings[i].ID == diagnose.DefaultRouteDead.ID {
			f = &r.Findings[i]
		}
	}
	if f == nil {
		t.Fatalf("no default-route-dead in %+v", r.Findings)
	}
	for _, want := range []string{"eth0 (gateway 198.18.3.1, metric 100)", "wlan0 (gateway 198.18.4.1, metric 600)"} {
		if !strings.Contains(f.Summary, want) {
			t.Errorf("summary %q lacks %q", f.Summary, want)
		}
	}
	if !slices.Contains(l.Prober.Probed(), "via wlan0 203.0.113.5") {
		t.Errorf("no probe bound to wlan0: %v", l.Prober.Probed())
	}
}

// The gateway answering with the entry's own MAC clears the entry: the
// silence is the gateway's, not a wrong MAC.
func TestSolicitConfirmingTheEntry(t *testing.T) {
	l := checkstest.NewLab(true)
	l.BreakGatewayMAC(true)
	l.Sys.SolicitFunc = func(netstate.Link, netip.Addr) (net.HardwareAddr, error) { return badMAC, nil }
	r := l.Engine.Check(context.Background(), l.Options())
	var ids []string
	for _, f := range r.Findings {
		ids = append(ids, f.ID)
	}
	if slices.Contains(ids, diagnose.GatewayNeighborStatic.ID) || !slices.Contains(ids, diagnose.GatewayUnreachable.ID) {
		t.Errorf("findings %v: want gateway-unreachable, not a wrong entry", ids)
	}
}

// A gateway that answers ARP from another MAC than the pinned one while
// traffic through the pinned one works (proxy ARP, a second NIC): no
// alarm, and the probes are not cut.
func TestSolicitContradictionWhileTrafficWorks(t *testing.T) {
	l := checkstest.NewLab(true)
	l.BreakGatewayMAC(true)
	l.Prober.Up(gw)
	l.Prober.Up(checkstest.Ext)
	l.Prober.DNSRes = checkstest.GoodDNS()
	l.Prober.AnswerDelay = 5 * time.Millisecond // the ARP answer comes first
	l.Sys.SolicitFunc = func(netstate.Link, netip.Addr) (net.HardwareAddr, error) { return checkstest.GoodMAC, nil }
	r := l.Engine.Check(context.Background(), l.Options())
	if r.Verdict == diagnose.Unhealthy {
		t.Fatalf("verdict %s, findings %+v", r.Verdict, r.Findings)
	}
}

// A short --timeout still leaves time to verify a repair: the first check
// takes at most half the run (a silent gateway would otherwise hold the
// probe window for all of it, and the repair would go unverified).
func TestFixVerifiesWithinAShortTimeout(t *testing.T) {
	for range 5 {
		l := checkstest.NewLab(true)
		l.BreakGatewayMAC(false)
		l.Prober.AnswerDelay = 80 * time.Millisecond // a round trip the verification must wait for
		o := l.Options()
		o.Timeout, o.ProbeWait = 300*time.Millisecond, 0 // the default window, longer than half the run
		r := l.Engine.Fix(context.Background(), o, checks.FixOptions{})
		if r.Verdict != diagnose.Repaired {
			t.Fatalf("verdict %s (%s), want repaired and verified within 300 ms", r.Verdict, r.Summary)
		}
	}
}

// A name an untrusted project file chose may fail the dns check, but it
// never chooses a privileged repair: no flush-dns is run, planned or
// offered. The same failure of the user's own name does.
func TestProjectDNSNameChoosesNoRepair(t *testing.T) {
	for _, fromProject := range []bool{true, false} {
		l := checkstest.NewLab(false)
		// A server that refuses connections: a REFUSED answer would be
		// dns-server-refused, which offers no flush at all.
		l.Prober.DNSRes = netstate.DNSResult{Ran: true, Name: "unknown.example.org", Err: errors.New("server misbehaving"),
			Servers: []netstate.DNSServerResult{{Server: netip.MustParseAddrPort("203.0.113.5:53"), Err: syscall.ECONNREFUSED}}}
		o := l.Options()
		o.DNSName, o.DNSNameFromProject = "unknown.example.org", fromProject
		var ran []checks.Action
		fo := checks.FixOptions{
			Elevate:  func(_ context.Context, a checks.Action) error { ran = append(ran, a); return checks.ErrNotPermitted },
			Describe: func(a checks.Action) string { return "sudo guard repair " + strings.Join(a.Args(), " ") },
		}
		r := l.Engine.Fix(context.Background(), o, fo)
		if r.Verdict != diagnose.Unhealthy || !slices.ContainsFunc(r.Findings, func(f diagnose.Finding) bool { return f.ID == diagnose.DNSFailed.ID }) {
			t.Fatalf("project %v: verdict %s, findings %+v", fromProject, r.Verdict, r.Findings)
		}
		offered := slices.ContainsFunc(r.ManualSteps, func(s string) bool { return strings.Contains(s, "flush-dns") })
		if fromProject && (len(ran) != 0 || len(r.Repairs) != 0 || offered) {
			t.Errorf("project name: ran %v, repairs %+v, steps %q", ran, r.Repairs, r.ManualSteps)
		}
		if !fromProject && (len(ran) != 1 || ran[0].Rung != netstate.RungFlushDNS || !offered) {
			t.Errorf("the user's own name: ran %v, steps %q; want flush-dns tried and offered", ran, r.ManualSteps)
		}
		c := l.Engine.Check(context.Background(), o)
		if hint := slices.ContainsFunc(c.ManualSteps, func(s string) bool { return strings.HasPrefix(s, "guard fix ") }); hint == fromProject {
			t.Errorf("project %v: check's steps %q", fromProject, c.ManualSteps)
		}
	}
}
