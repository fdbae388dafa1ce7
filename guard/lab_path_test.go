//go:build linux

package main

// Lab tests of path-aware diagnosis (routes, uplinks, families, path MTU)
// and of the probe window: each fault is made with the kernel's own tables or
// nftables inside the lab, and each run asserts the exit code, the verdict,
// the finding and that its summary names the culprit.

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/netguard/netguard/checks"
	"github.com/netguard/netguard/checks/diagnose"
	"github.com/netguard/netguard/guard/internal/lab"
)

// pathScenario is one fault with what every run must show.
type pathScenario struct {
	name  string
	fault func(*lab.Lab)
	args  []string
	users []string
	want  labExpect
	// finding whose summary must hold every one of names.
	finding string
	names   func(*lab.Lab) []string
	// within is how fast the run must be decided (0: no bound beyond
	// --timeout).
	within time.Duration
	// checks maps check ID to the status every run must report.
	checks map[string]string
	// absent lists findings no run may report (any severity).
	absent []string
}

func runPathScenarios(t *testing.T, scs []pathScenario) {
	lab.RequireRoot(t)
	bin := lab.Build(t)
	for _, sc := range scs {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			l := lab.New(t)
			if sc.fault != nil {
				sc.fault(l)
			}
			runUsers(t, l, bin, sc.users, nil, sc.args, func(r *labRun) {
				sc.want.check(t, r)
				if r.rep == nil {
					return
				}
				if sc.finding != "" && !namesCulprit(r.rep, sc.finding, sc.names(l)) {
					t.Errorf("as %s: no %s finding whose summary names all of %q; %v", r.who(), sc.finding, sc.names(l), r)
				}
				if sc.within > 0 && r.rep.DurationMS > float64(sc.within.Milliseconds()) {
					t.Errorf("as %s: decided in %.1f ms, want within %v", r.who(), r.rep.DurationMS, sc.within)
				}
				for _, f := range r.rep.Findings {
					if slices.Contains(sc.absent, f.ID) {
						t.Errorf("as %s: finding %s (%s) must not appear here", r.who(), f.ID, f.Summary)
					}
				}
				for id, st := range sc.checks {
					for _, c := range r.rep.Checks {
						if c.ID == id && c.Status != st {
							t.Errorf("as %s: check %s = %s (%s), want %s", r.who(), id, c.Status, c.Detail, st)
						}
					}
				}
			})
		})
	}
}

// lineDiff lists the lines only in a (-) and only in b (+).
func lineDiff(a, b string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, ln := range strings.Split(s, "\n") {
			m[ln] = true
		}
		return m
	}
	ma, mb := in(a), in(b)
	var out []string
	for _, ln := range strings.Split(a, "\n") {
		if !mb[ln] {
			out = append(out, "- "+ln)
		}
	}
	for _, ln := range strings.Split(b, "\n") {
		if !ma[ln] {
			out = append(out, "+ "+ln)
		}
	}
	return strings.Join(out, "\n")
}

// namesCulprit reports whether some finding id has a summary holding
// every one of names.
func namesCulprit(rep *labReport, id string, names []string) bool {
	for _, f := range rep.Findings {
		if f.ID != id {
			continue
		}
		all := true
		for _, n := range names {
			all = all && strings.Contains(f.Summary, n)
		}
		if all {
			return true
		}
	}
	return false
}

func TestLabPathTracing(t *testing.T) {
	both := []string{"", "nobody"}
	runPathScenarios(t, []pathScenario{
		{
			// The internet works: degraded, and the gateway is never
			// "a router that ignores probes".
			name:    "bridge-covers-gateway",
			fault:   (*lab.Lab).BridgeCoversGateway,
			users:   both,
			want:    labExpect{exit: 0, verdicts: wantDegraded, findings: []string{diagnose.GatewayRouteDiverted.ID}},
			finding: diagnose.GatewayRouteDiverted.ID,
			names: func(l *lab.Lab) []string {
				return []string{lab.GatewayIP, "bridge " + l.BridgeIf(), "198.18.3.0/28", l.ClientIf}
			},
			checks: map[string]string{"internet": "pass", "dns": "pass"},
			absent: []string{diagnose.GatewaySilent.ID, diagnose.GatewayUnreachable.ID},
		},
		{
			// Decided from the tables: no probe waits for silence.
			name:    "bridge-covers-external-and-nameserver",
			fault:   (*lab.Lab).BridgeCoversExternal,
			users:   both,
			want:    labExpect{exit: 1, verdicts: wantUnhealthy, findings: []string{diagnose.TargetRouteDiverted.ID, diagnose.NameServerRouteDiverted.ID}},
			finding: diagnose.TargetRouteDiverted.ID,
			names: func(l *lab.Lab) []string {
				return []string{lab.ExternalIP, "bridge " + l.BridgeIf(), "203.0.113.0/24", l.ClientIf}
			},
			within: 300 * time.Millisecond,
		},
		{
			name:    "bridge-covers-nameserver-with-timeout-30s",
			fault:   (*lab.Lab).BridgeCoversExternal,
			args:    []string{"--timeout", "30s"},
			users:   both,
			want:    labExpect{exit: 1, verdicts: wantUnhealthy, timeout: 30 * time.Second, findings: []string{diagnose.NameServerRouteDiverted.ID, diagnose.TargetRouteDiverted.ID}},
			finding: diagnose.NameServerRouteDiverted.ID,
			names:   func(l *lab.Lab) []string { return []string{lab.ExternalIP, "bridge " + l.BridgeIf()} },
			within:  300 * time.Millisecond,
		},
	})
}

// TestLabSkipIsSkip checks that, with no default route, the checks whose
// precondition failed report skip with the reason, in JSON and in the text
// of -v.
func TestLabSkipIsSkip(t *testing.T) {
	runPathScenarios(t, []pathScenario{{
		name:    "no-default-route",
		fault:   (*lab.Lab).RemoveDefaultRoute,
		users:   []string{"", "nobody"},
		want:    labExpect{exit: 1, verdicts: wantUnhealthy, findings: []string{diagnose.NoDefaultRoute.ID}},
		finding: diagnose.NoDefaultRoute.ID,
		names:   func(*lab.Lab) []string { return []string{"no default route"} },
		checks:  map[string]string{"neighbor": "skip", "gateway": "skip", "internet": "skip"},
	}})
	bin := lab.Build(t)
	l := lab.New(t)
	l.RemoveDefaultRoute()
	r, err := runLabGuard(l, bin, "nobody", "check", "-v", "--external", lab.ExternalIP, "--dns", lab.DNSName)
	if err != nil {
		t.Fatalf("%v; %v", err, r)
	}
	for _, id := range []string{"neighbor", "gateway"} {
		if !regexp.MustCompile(id + `\s+skip\s+no default route`).MatchString(r.stderr) {
			t.Errorf("text output lacks %q skip with its reason; %v", id, r)
		}
	}
}

// TestLabRouteViaOtherHop breaks the path with a more specific route that
// sends the internet's prefix to another next hop on the LAN that does not
// answer. The report names that route and its next hop, not "the upstream
// network".
func TestLabRouteViaOtherHop(t *testing.T) {
	runPathScenarios(t, []pathScenario{{
		name:    "route-via-stale-hop",
		fault:   (*lab.Lab).RouteViaOtherHop,
		args:    []string{"--external", lab.ExternalIP, "--dns", lab.DNSName},
		users:   []string{"", "nobody"},
		want:    labExpect{exit: 1, verdicts: wantUnhealthy, findings: []string{diagnose.TargetRouteDiverted.ID}},
		finding: diagnose.TargetRouteDiverted.ID,
		names: func(l *lab.Lab) []string {
			return []string{lab.ExternalIP, "route 203.0.113.0/24", l.ClientIf + " via " + lab.StaleHopIP}
		},
	}})
}

// TestLabUplinks runs with two default routes. Healthy, the second is never
// probed and the verdict is healthy; with the preferred one dead, the
// report names it and the one that works.
func TestLabUplinks(t *testing.T) {
	both := []string{"", "nobody"}
	runPathScenarios(t, []pathScenario{
		{
			name:  "two-uplinks-healthy",
			fault: (*lab.Lab).SecondUplink,
			args:  []string{"--external", lab.ExternalIP + "," + lab.ExternalIP6},
			users: both,
			want:  labExpect{exit: 0, verdicts: wantHealthy},
		},
		{
			name:    "preferred-uplink-dead",
			fault:   (*lab.Lab).PreferredUplinkDead,
			args:    []string{"--external", lab.ExternalIP + "," + lab.ExternalIP6},
			users:   both,
			want:    labExpect{exit: 1, verdicts: wantUnhealthy, findings: []string{diagnose.DefaultRouteDead.ID}},
			finding: diagnose.DefaultRouteDead.ID,
			names: func(l *lab.Lab) []string {
				return []string{l.ClientIf + " (gateway " + lab.GatewayIP + ", metric 100)", l.SecondUplinkIf() + " (gateway " + lab.Gateway2IP + ", metric 600)"}
			},
			within: checks.DefaultProbeWait + 400*time.Millisecond,
		},
	})
}

// TestLabFamilies checks that IPv6 black-holed upstream while IPv4 works
// is a warning of its own, and that a healthy dual-stack lab stays healthy.
func TestLabFamilies(t *testing.T) {
	both := []string{"", "nobody"}
	dual := []string{"--external", lab.ExternalIP + "," + lab.ExternalIP6}
	runPathScenarios(t, []pathScenario{
		{
			name:  "healthy-dual-stack",
			args:  dual,
			users: both,
			want:  labExpect{exit: 0, verdicts: wantHealthy},
		},
		{
			name:    "ipv6-black-holed",
			fault:   (*lab.Lab).BlackholeIPv6Upstream,
			args:    dual,
			users:   both,
			want:    labExpect{exit: 0, verdicts: wantDegraded, findings: []string{diagnose.FamilyUnreachable.ID}},
			finding: diagnose.FamilyUnreachable.ID,
			names:   func(l *lab.Lab) []string { return []string{"IPv6", lab.ExternalIP6, l.ClientIf, "IPv4 works"} },
			checks:  map[string]string{"dns": "pass", "gateway": "pass"},
			absent:  []string{diagnose.InternetPartial.ID, diagnose.GatewaySilent.ID},
			within:  checks.DefaultProbeWait + 400*time.Millisecond,
		},
	})
}

// TestLabPathMTU checks that a hop upstream with a smaller MTU whose
// "fragmentation needed" messages are dropped is a path-MTU black hole,
// and that the same hop with discovery working is healthy.
func TestLabPathMTU(t *testing.T) {
	both := []string{"", "nobody"}
	runPathScenarios(t, []pathScenario{
		{
			name:    "path-mtu-blackhole",
			fault:   (*lab.Lab).PathMTUBlackhole,
			users:   both,
			want:    labExpect{exit: 0, verdicts: wantDegraded, findings: []string{diagnose.PathMTUBlackhole.ID}},
			finding: diagnose.PathMTUBlackhole.ID,
			names: func(l *lab.Lab) []string {
				return []string{"1500-byte", lab.ExternalIP, "MTU of " + l.ClientIf + " (now 1500)"}
			},
			checks: map[string]string{"internet": "warn", "dns": "pass"},
		},
		{
			name:  "low-path-mtu-discovery-works",
			fault: (*lab.Lab).LowPathMTU,
			users: both,
			want:  labExpect{exit: 0, verdicts: wantHealthy},
		},
	})
}

// TestLabProbeWait checks that a broken network whose only evidence is
// silence (a wrong permanent gateway MAC) is decided in about the probe
// window, the same with --timeout 30s as with the default.
func TestLabProbeWait(t *testing.T) {
	both := []string{"", "nobody"}
	names := func(*lab.Lab) []string { return []string{lab.GatewayIP, lab.WrongMAC} }
	runPathScenarios(t, []pathScenario{
		{
			name:    "wrong-mac-timeout-30s",
			fault:   (*lab.Lab).WrongGatewayMAC,
			args:    []string{"--timeout", "30s"},
			users:   both,
			want:    labExpect{exit: 1, verdicts: wantUnhealthy, timeout: 30 * time.Second, findings: []string{diagnose.GatewayNeighborStatic.ID}},
			finding: diagnose.GatewayNeighborStatic.ID, names: names,
			within: checks.DefaultProbeWait + 400*time.Millisecond,
		},
		{
			name:    "wrong-mac-default-timeout",
			fault:   (*lab.Lab).WrongGatewayMAC,
			args:    []string{"--timeout", "2s"},
			users:   both,
			want:    labExpect{exit: 1, verdicts: wantUnhealthy, findings: []string{diagnose.GatewayNeighborStatic.ID}},
			finding: diagnose.GatewayNeighborStatic.ID, names: names,
			within: checks.DefaultProbeWait + 400*time.Millisecond,
		},
	})
}

// TestLabSolicit checks that, as root, a wrong permanent gateway MAC is
// proven by the gateway's own ARP/NDP answer together with the silence
// through the entry, for the check and for guard fix; unprivileged, the probe
// window decides as before. The proof waits for the window: an ARP answer
// alone proves nothing (anyone on the LAN can send one).
func TestLabSolicit(t *testing.T) {
	names := func(*lab.Lab) []string { return []string{lab.GatewayIP, lab.WrongMAC} }
	runPathScenarios(t, []pathScenario{
		{
			name:    "wrong-permanent-mac-root",
			fault:   (*lab.Lab).WrongGatewayMAC,
			users:   []string{""},
			want:    labExpect{exit: 1, verdicts: wantUnhealthy, findings: []string{diagnose.GatewayNeighborStatic.ID}},
			finding: diagnose.GatewayNeighborStatic.ID, names: names,
			within: checks.DefaultProbeWait + 400*time.Millisecond,
		},
		{
			name:    "wrong-permanent-mac-nobody",
			fault:   (*lab.Lab).WrongGatewayMAC,
			users:   []string{"nobody"},
			want:    labExpect{exit: 1, verdicts: wantUnhealthy, findings: []string{diagnose.GatewayNeighborStatic.ID}},
			finding: diagnose.GatewayNeighborStatic.ID, names: names,
		},
	})
	bin := lab.Build(t)
	l := lab.New(t)
	l.WrongGatewayMAC()
	r, err := runLabGuard(l, bin, "", fixArgs()...)
	if err != nil {
		t.Fatalf("%v; %v", err, r)
	}
	if r.exit != 0 || r.rep == nil || r.rep.Verdict != "repaired" {
		t.Fatalf("guard fix: want exit 0 and verdict repaired; %v", r)
	}
	t.Logf("guard fix as root: repaired in %.1f ms (wall %v)", r.rep.DurationMS, r.elapsed.Round(time.Millisecond))
	if r.rep.DurationMS > float64((checks.DefaultProbeWait + 600*time.Millisecond).Milliseconds()) {
		t.Errorf("guard fix took %.1f ms, want about the probe window and a verification; %v", r.rep.DurationMS, r)
	}
}
