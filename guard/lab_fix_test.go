//go:build linux

package main

// Lab tests of `guard fix` and `guard run`: each repair as root
// and, refused, as an unprivileged user; the privilege path through a real
// sudo; the network's state afterwards; the child of guard run.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/netguard/netguard/guard/internal/lab"
)

func fixArgs(extra ...string) []string {
	return append([]string{"fix", "--json", "--external", lab.ExternalIP, "--dns", lab.DNSName, "--timeout", "5s"}, extra...)
}

type labRepair struct {
	Action  string `json:"action"`
	Target  string `json:"target"`
	Result  string `json:"result"`
	Command string `json:"command"`
}

func repairsOf(t *testing.T, r *labRun) []labRepair {
	t.Helper()
	var out []labRepair
	for _, raw := range r.rep.Repairs {
		var x labRepair
		if err := json.Unmarshal(raw, &x); err != nil {
			t.Fatalf("repair %s: %v", raw, err)
		}
		out = append(out, x)
	}
	return out
}

func mustRun(t *testing.T, l *lab.Lab, bin, user string, env []string, args ...string) *labRun {
	t.Helper()
	r, err := runLabGuardEnv(l, bin, user, env, args...)
	if err != nil {
		t.Fatal(err)
	}
	if r.parseErr != nil {
		t.Fatalf("%v; %v", r.parseErr, r)
	}
	return r
}

func gatewayNeigh(t *testing.T, l *lab.Lab) string {
	t.Helper()
	out, _, _ := l.Run(t, l.Client, "ip", "-4", "neigh", "show", lab.GatewayIP)
	return strings.TrimSpace(out)
}

func defaultRoute(t *testing.T, l *lab.Lab) string {
	t.Helper()
	out, _, _ := l.Run(t, l.Client, "ip", "-4", "route", "show", "default")
	return strings.TrimSpace(out)
}

func TestLabFixWrongMAC(t *testing.T) {
	lab.RequireRoot(t)
	bin := lab.Build(t)
	for _, fault := range []struct {
		name string
		f    func(*lab.Lab)
	}{{"permanent", (*lab.Lab).WrongGatewayMAC}, {"stale dynamic (router's MAC changed)", (*lab.Lab).StaleGatewayMAC}} {
		t.Run(fault.name, func(t *testing.T) {
			t.Parallel()
			l := lab.New(t)
			route := defaultRoute(t, l)
			fault.f(l)
			r := mustRun(t, l, bin, "", nil, fixArgs()...)
			if r.exit != 0 || r.rep.Verdict != "repaired" {
				t.Fatalf("want exit 0 repaired; %v", r)
			}
			rs := repairsOf(t, r)
			if len(rs) == 0 || rs[0].Action != "delete-neighbor" || rs[0].Result != "ok" {
				t.Fatalf("repairs %+v", rs)
			}
			if r.elapsed > 3*time.Second {
				t.Errorf("repair and verify took %v, want well under 3 s", r.elapsed)
			}
			if n := gatewayNeigh(t, l); strings.Contains(n, "02:00:00:00:00:01") || strings.Contains(n, "PERMANENT") {
				t.Errorf("wrong entry still there: %q", n)
			}
			if got := defaultRoute(t, l); got != route {
				t.Errorf("default route changed: %q -> %q", route, got)
			}
			// And the network works: a check right after is healthy.
			if c := mustRun(t, l, bin, "", nil, labArgs()...); c.exit != 0 || c.rep.Verdict != "healthy" {
				t.Errorf("check after repair; %v", c)
			}
		})
	}
}

// Unprivileged with --sudo never: nothing changes, exit 1, and the manual
// steps hold the exact command.
func TestLabFixRefusedWithoutPrivilege(t *testing.T) {
	lab.RequireRoot(t)
	bin := lab.Build(t)
	l := lab.New(t)
	l.WrongGatewayMAC()
	before := l.Snapshot(t)
	for _, mode := range []string{"never", "auto"} {
		r := mustRun(t, l, bin, "nobody", nil, fixArgs("--sudo", mode)...)
		if r.exit != 1 || r.rep.Verdict != "unhealthy" {
			t.Fatalf("--sudo %s: want exit 1 unhealthy; %v", mode, r)
		}
		want := fmt.Sprintf("sudo %s repair delete-neighbor %s %s", bin, l.ClientIf, lab.GatewayIP)
		if !strings.Contains(r.rep.ManualSteps[0], want) {
			t.Errorf("--sudo %s: first manual step %q, want it to contain %q", mode, r.rep.ManualSteps[0], want)
		}
		rs := repairsOf(t, r)
		if len(rs) == 0 || !strings.HasPrefix(rs[0].Result, "not permitted") {
			t.Errorf("--sudo %s: repairs %+v", mode, rs)
		}
		if after := l.Snapshot(t); after != before {
			t.Fatalf("--sudo %s changed the network:\n%s\n---\n%s", mode, before, after)
		}
	}
}

// The privilege path for real: a sudoers rule lets nobody run exactly
// `guard repair ...` without a password, and guard fix as nobody repairs
// through `sudo -n`.
func TestLabFixThroughSudo(t *testing.T) {
	lab.RequireRoot(t)
	lab.RequireSudo(t)
	bin := lab.Build(t)
	l := lab.New(t)
	rule := filepath.Join("/etc/sudoers.d", "netguard-test-"+filepath.Base(l.Client))
	if err := os.WriteFile(rule, []byte(fmt.Sprintf("nobody ALL=(root) NOPASSWD: %s repair *\n", bin)), 0o440); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(rule) })
	l.WrongGatewayMAC()
	r := mustRun(t, l, bin, "nobody", nil, fixArgs("--sudo", "auto")...)
	if r.exit != 0 || r.rep.Verdict != "repaired" {
		t.Fatalf("want repaired through sudo; %v", r)
	}
	if n := gatewayNeigh(t, l); strings.Contains(n, "PERMANENT") {
		t.Fatalf("entry still permanent: %q", n)
	}
}

// What repair cannot fix is left alone and said precisely.
func TestLabFixLeavesWhatItCannotFix(t *testing.T) {
	lab.RequireRoot(t)
	bin := lab.Build(t)
	tests := []struct {
		name    string
		fault   func(*lab.Lab)
		exit    int
		verdict string
		finding string
	}{
		{"reject route to the gateway stays", (*lab.Lab).UnreachableRouteToGateway, 0, "degraded", "gateway-route-rejected"},
		{"no default route is not invented", (*lab.Lab).RemoveDefaultRoute, 1, "unhealthy", "no-default-route"},
		{"DNS server down", (*lab.Lab).StopDNS, 1, "unhealthy", "dns-failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := lab.New(t)
			tt.fault(l)
			before := l.Snapshot(t)
			r := mustRun(t, l, bin, "", nil, fixArgs()...)
			if r.exit != tt.exit || r.rep.Verdict != tt.verdict {
				t.Fatalf("want exit %d %s; %v", tt.exit, tt.verdict, r)
			}
			found := false
			for _, f := range r.rep.Findings {
				found = found || f.ID == tt.finding
			}
			if !found {
				t.Errorf("finding %s missing; %v", tt.finding, r)
			}
			if after := l.Snapshot(t); after != before {
				t.Errorf("routes or neighbors changed:\n%s\n---\n%s", before, after)
			}
		})
	}
}

// A link that is administratively down is brought up; the routes the
// kernel dropped with it are the network manager's to restore, and the lab
// has none: with no default route through it after the wait, the link is
// taken down again (it may be down on purpose), and the verdict stays
// unhealthy with the steps to bring it up by hand.
func TestLabFixLinkDown(t *testing.T) {
	lab.RequireRoot(t)
	bin := lab.Build(t)
	l := lab.New(t)
	l.LinkDown()
	r := mustRun(t, l, bin, "", nil, fixArgs()...)
	rs := repairsOf(t, r)
	if len(rs) == 0 || rs[0].Action != "link-up" || !strings.Contains(rs[0].Result, "taken down again") {
		t.Fatalf("repairs %+v; %v", rs, r)
	}
	out, _, _ := l.Run(t, l.Client, "ip", "-br", "link", "show", l.ClientIf)
	if strings.Contains(out, "UP") {
		t.Fatalf("link left up although no default route came back: %q", out)
	}
	if r.exit != 1 || !strings.Contains(strings.Join(r.rep.ManualSteps, "\n"), "ip link set") {
		t.Fatalf("want exit 1 with the link's steps; %v", r)
	}
}

func TestLabRun(t *testing.T) {
	lab.RequireRoot(t)
	bin := lab.Build(t)
	l := lab.New(t)
	base := []string{bin, "run", "-q", "--external", lab.ExternalIP, "--dns", lab.DNSName, "--timeout", "2s", "--"}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	// Healthy: the child runs, its exit code is ours, its stdout is clean.
	cmd := l.Cmd(ctx, l.Client, append(base, "sh", "-c", "echo child-ran; exit 7")...)
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 7 || string(out) != "child-ran\n" {
		t.Fatalf("healthy run: err %v, stdout %q", err, out)
	}

	// Signals reach the child: guard execs it in place.
	cmd = l.Cmd(ctx, l.Client, append(base, "sleep", "20")...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", cmd.Process.Pid)); strings.TrimSpace(string(b)) == "sleep" {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	err = cmd.Wait()
	ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
		t.Fatalf("child did not get SIGTERM: %v (%v)", err, ws)
	}

	// NETGUARD_SKIP skips the check, not the start.
	cmd = l.Cmd(ctx, l.Client, append(base, "sh", "-c", "echo skipped-but-ran")...)
	cmd.Env = append(cmd.Env, "NETGUARD_SKIP=1")
	if out, err := cmd.Output(); err != nil || string(out) != "skipped-but-ran\n" {
		t.Fatalf("NETGUARD_SKIP run: %v %q", err, out)
	}

	// Unhealthy and not repairable without privilege: the child never starts.
	l.WrongGatewayMAC()
	marker := filepath.Join(l.Dir, "started")
	cmd = l.CmdAs(ctx, l.Client, "nobody", append(base[:1], append([]string{"run", "--sudo", "never", "--external", lab.ExternalIP, "--dns", lab.DNSName, "--timeout", "2s", "--"}, "touch", marker)...)...)
	b, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("unhealthy run: want exit 1, got %v\n%s", err, b)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("the child started although the network is broken")
	}
	if !strings.Contains(string(b), "\n  → ") {
		t.Fatalf("no manual steps:\n%s", b)
	}
}
