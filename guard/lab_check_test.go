//go:build linux

package main

// Lab tests of the real `guard check` binary: each
// scenario builds its own namespace lab (guard/internal/lab), breaks it with the
// kernel's own mechanisms, runs the binary as root and as an unprivileged
// user inside the client namespace, and asserts the exit code, the JSON
// verdict and findings, and that the client's tables are unchanged. They
// need root and fail (never skip) without it.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netguard/netguard/checks/diagnose"
	"github.com/netguard/netguard/guard/internal/lab"
)

// labTimeout is the --timeout every lab run passes; labSlack is what
// process start-up (ip netns exec, setpriv, the Go runtime) may add.
const (
	labTimeout = 2 * time.Second
	labSlack   = time.Second
)

// labArgs are the lab's own targets: nothing leaves the lab.
func labArgs(extra ...string) []string {
	return append([]string{"check", "--json",
		"--external", lab.ExternalIP, "--dns", lab.DNSName, "--timeout", labTimeout.String()}, extra...)
}

// labReport is the JSON report's contract (the README's schema), decoded
// independently of the checks package's types so a change to those types
// cannot silently change what the tests accept.
type labReport struct {
	Schema     int     `json:"schema"`
	Verdict    string  `json:"verdict"`
	OS         string  `json:"os"`
	DurationMS float64 `json:"duration_ms"`
	Summary    string  `json:"summary"`
	Checks     []struct {
		ID         string  `json:"id"`
		Status     string  `json:"status"`
		Detail     string  `json:"detail"`
		DurationMS float64 `json:"duration_ms"`
	} `json:"checks"`
	Findings []struct {
		ID       string   `json:"id"`
		Severity string   `json:"severity"`
		Summary  string   `json:"summary"`
		Evidence []string `json:"evidence"`
	} `json:"findings"`
	Repairs     []json.RawMessage `json:"repairs"`
	ManualSteps []string          `json:"manual_steps"`
}

type labRun struct {
	user     string // "" is root
	exit     int
	stdout   string
	stderr   string
	elapsed  time.Duration
	rep      *labReport
	parseErr error
}

func (r *labRun) who() string {
	if r.user == "" {
		return "root"
	}
	return r.user
}

// String is what a failure message shows of a run.
func (r *labRun) String() string {
	return fmt.Sprintf("as %s: exit %d after %v\nstdout:\n%s\nstderr:\n%s", r.who(), r.exit, r.elapsed.Round(time.Millisecond), r.stdout, r.stderr)
}

// runUsers runs the check in l as each user (""  is root) with env and
// args, logs each run, hands it to check, and fails the test if any run
// changed the client's tables: every lab scenario's loop.
func runUsers(t *testing.T, l *lab.Lab, bin string, users, env, args []string, check func(*labRun)) {
	t.Helper()
	runUsersWrap(t, l, bin, users, env, nil, args, check)
}

// runUsersWrap is runUsers with each command changed by wrap (when not
// nil) before it runs, as runLabGuardWrap does.
func runUsersWrap(t *testing.T, l *lab.Lab, bin string, users, env []string, wrap func(*exec.Cmd) *exec.Cmd, args []string, check func(*labRun)) {
	t.Helper()
	before := l.Snapshot(t)
	for _, user := range users {
		r, err := runLabGuardWrap(l, bin, user, env, wrap, labArgs(args...)...)
		if err != nil {
			t.Fatalf("%v; %v", err, r)
		}
		if r.rep != nil {
			t.Logf("as %s: exit %d, %s in %v (report %.1f ms): %s", r.who(), r.exit, r.rep.Verdict, r.elapsed.Round(time.Millisecond), r.rep.DurationMS, r.rep.Summary)
		}
		check(r)
		if after := l.Snapshot(t); after != before {
			t.Errorf("guard check as %s changed the client's tables:\n%s", r.who(), lineDiff(before, after))
		}
	}
}

// runLabGuard runs the binary in the client namespace as root (user "") or as
// user, bounded well above --timeout, and decodes stdout when it is JSON.
// Safe to call from any goroutine: it reports instead of failing.
func runLabGuard(l *lab.Lab, bin, user string, args ...string) (*labRun, error) {
	return runLabGuardEnv(l, bin, user, nil, args...)
}

// runLabGuardEnv is runLabGuard with extra environment variables.
func runLabGuardEnv(l *lab.Lab, bin, user string, env []string, args ...string) (*labRun, error) {
	return runLabGuardWrap(l, bin, user, env, nil, args...)
}

// runLabGuardWrap is runLabGuardEnv with the command changed by wrap
// (when not nil) before it runs, such as lab.Lab.PrivateRun.
func runLabGuardWrap(l *lab.Lab, bin, user string, env []string, wrap func(*exec.Cmd) *exec.Cmd, args ...string) (*labRun, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*labTimeout+5*time.Second)
	defer cancel()
	argv := append([]string{bin}, args...)
	cmd := l.Cmd(ctx, l.Client, argv...)
	if user != "" {
		cmd = l.CmdAs(ctx, l.Client, user, argv...)
	}
	if wrap != nil {
		cmd = wrap(cmd)
	}
	cmd.Env = append(cmd.Env, env...)
	start := time.Now()
	stdout, stderr, exit, err := lab.Capture(cmd)
	r := &labRun{user: user, exit: exit, elapsed: time.Since(start), stdout: stdout, stderr: stderr}
	if err != nil {
		return r, fmt.Errorf("%s: %w", strings.Join(cmd.Args, " "), err)
	}
	if ctx.Err() != nil {
		return r, fmt.Errorf("guard %s did not exit within %v", strings.Join(args, " "), 4*labTimeout+5*time.Second)
	}
	if slices.Contains(args, "--json") && r.exit != 2 {
		dec := json.NewDecoder(strings.NewReader(r.stdout))
		rep := &labReport{}
		if err := dec.Decode(rep); err != nil {
			r.parseErr = fmt.Errorf("stdout is not a JSON report: %w", err)
		} else if _, err := dec.Token(); err != io.EOF {
			r.parseErr = errors.New("stdout holds more than one JSON document")
		} else {
			r.rep = rep
		}
	}
	return r, nil
}

// labExpect is what a scenario's every run must show.
type labExpect struct {
	exit     int
	verdicts []string // any of
	// findings needs at least one of these IDs, with a severity that
	// explains the verdict (error for unhealthy, warning for degraded).
	// Empty means no error or warning finding, unless the verdict is
	// degraded.
	findings []string
	// timeout is the --timeout the run was given, if not labTimeout.
	timeout time.Duration
}

func (e labExpect) check(t *testing.T, r *labRun) {
	t.Helper()
	if r.exit != e.exit {
		t.Errorf("exit %d, want %d; %v", r.exit, e.exit, r)
		return
	}
	if strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stderr, "panic:") {
		t.Errorf("crash; %v", r)
	}
	if r.parseErr != nil || r.rep == nil {
		t.Errorf("%v; %v", r.parseErr, r)
		return
	}
	rep := r.rep
	if rep.Schema != 1 || rep.OS != "linux" || len(rep.Checks) == 0 {
		t.Errorf("report header: schema %d os %q, %d checks; %v", rep.Schema, rep.OS, len(rep.Checks), r)
	}
	if !slices.Contains(e.verdicts, rep.Verdict) {
		t.Errorf("verdict %q, want one of %v; %v", rep.Verdict, e.verdicts, r)
	}
	if (r.exit == 1) != (rep.Verdict == string(diagnose.Unhealthy)) {
		t.Errorf("exit %d does not match verdict %q; %v", r.exit, rep.Verdict, r)
	}
	if r.exit == 1 && len(rep.ManualSteps) == 0 {
		t.Errorf("exit 1 with no manual_steps; %v", r)
	}
	var problems []string // error and warning finding IDs
	matched := false
	for _, f := range rep.Findings {
		if f.Severity != string(diagnose.SevError) && f.Severity != string(diagnose.SevWarning) {
			continue
		}
		problems = append(problems, f.ID+"/"+f.Severity)
		if slices.Contains(e.findings, f.ID) &&
			(rep.Verdict != string(diagnose.Unhealthy) || f.Severity == string(diagnose.SevError)) {
			matched = true
		}
	}
	switch {
	case len(e.findings) == 0 && len(problems) > 0 && rep.Verdict != string(diagnose.Degraded):
		// (A degraded verdict, where allowed, brings its warnings.)
		t.Errorf("findings %v, want no error or warning; %v", problems, r)
	case len(e.findings) > 0 && !matched:
		t.Errorf("findings %v, want one of %v (severity matching verdict %s); %v", problems, e.findings, rep.Verdict, r)
	}
	timeout := labTimeout
	if e.timeout != 0 {
		timeout = e.timeout
	}
	if r.elapsed > timeout+labSlack {
		t.Errorf("took %v, more than --timeout %v + %v; %v", r.elapsed, timeout, labSlack, r)
	}
}

var (
	wantHealthy   = []string{string(diagnose.Healthy)}
	wantDegraded  = []string{string(diagnose.Degraded)}
	wantOK        = []string{string(diagnose.Healthy), string(diagnose.Degraded)}
	wantUnhealthy = []string{string(diagnose.Unhealthy)}
)

func TestLabCheckScenarios(t *testing.T) {
	lab.RequireRoot(t)
	bin := lab.Build(t)
	for _, sc := range []struct {
		name  string
		fault func(*lab.Lab)
		args  []string // extra flags
		users []string // "" is root
		want  labExpect
	}{
		{
			name:  "healthy",
			users: []string{"", "nobody"},
			want:  labExpect{exit: 0, verdicts: wantHealthy},
		},
		{
			name:  "healthy-dual-stack",
			args:  []string{"--external", lab.ExternalIP + "," + lab.ExternalIP6},
			users: []string{"", "nobody"},
			want:  labExpect{exit: 0, verdicts: wantHealthy},
		},
		{
			name:  "wrong-permanent-gateway-mac",
			fault: (*lab.Lab).WrongGatewayMAC,
			users: []string{"", "nobody"},
			want: labExpect{exit: 1, verdicts: wantUnhealthy, findings: []string{
				diagnose.GatewayNeighborStatic.ID, diagnose.GatewayNeighborWrong.ID}},
		},
		{
			// A broken check is bounded by --timeout, however short.
			name:  "wrong-permanent-gateway-mac-timeout-300ms",
			fault: (*lab.Lab).WrongGatewayMAC,
			args:  []string{"--timeout", "300ms"},
			users: []string{"", "nobody"},
			want: labExpect{exit: 1, verdicts: wantUnhealthy, timeout: 300 * time.Millisecond, findings: []string{
				diagnose.GatewayNeighborStatic.ID, diagnose.GatewayNeighborWrong.ID, diagnose.GatewayUnreachable.ID}},
		},
		{
			name:  "stale-gateway-mac",
			fault: (*lab.Lab).StaleGatewayMAC,
			users: []string{"", "nobody"},
			want: labExpect{exit: 1, verdicts: wantUnhealthy, findings: []string{
				diagnose.GatewayNeighborWrong.ID, diagnose.GatewayNeighborFailed.ID}},
		},
		{
			// The gateway refuses, the internet and DNS work: degraded.
			name:  "unreachable-route-to-gateway",
			fault: (*lab.Lab).UnreachableRouteToGateway,
			users: []string{"", "nobody"},
			want:  labExpect{exit: 0, verdicts: wantDegraded, findings: []string{diagnose.GatewayRouteRejected.ID}},
		},
		{
			name:  "no-default-route",
			fault: (*lab.Lab).RemoveDefaultRoute,
			users: []string{"", "nobody"},
			want:  labExpect{exit: 1, verdicts: wantUnhealthy, findings: []string{diagnose.NoDefaultRoute.ID}},
		},
		{
			name:  "link-down",
			fault: (*lab.Lab).LinkDown,
			users: []string{"", "nobody"},
			want: labExpect{exit: 1, verdicts: wantUnhealthy, findings: []string{
				diagnose.LinkDown.ID, diagnose.NoDefaultRoute.ID}},
		},
		{
			name:  "dns-stopped",
			fault: (*lab.Lab).StopDNS,
			users: []string{"", "nobody"},
			want:  labExpect{exit: 1, verdicts: wantUnhealthy, findings: []string{diagnose.DNSFailed.ID}},
		},
		{
			// No ICMP socket for nobody: the TCP probe decides. Never
			// unhealthy; "could not measure" is not "unreachable".
			name:  "unprivileged-icmp-disabled",
			fault: (*lab.Lab).DisableUnprivICMP,
			users: []string{"nobody", ""},
			want:  labExpect{exit: 0, verdicts: wantOK, findings: nil},
		},
		{
			name:  "icmp-dropped-at-router",
			fault: (*lab.Lab).DropICMP,
			users: []string{"", "nobody"},
			want:  labExpect{exit: 0, verdicts: wantDegraded, findings: []string{diagnose.ICMPBlocked.ID}},
		},
		{
			name:  "tcp-dropped-at-router",
			fault: (*lab.Lab).DropTCP,
			users: []string{"", "nobody"},
			want:  labExpect{exit: 0, verdicts: wantDegraded, findings: []string{diagnose.TCPBlocked.ID}},
		},
		{
			// The external host is also the name server.
			name:  "external-blackholed",
			fault: (*lab.Lab).BlackholeExternal,
			users: []string{"", "nobody"},
			want: labExpect{exit: 1, verdicts: wantUnhealthy, findings: []string{
				diagnose.TargetRouteRejected.ID, diagnose.InternetUnreachable.ID, diagnose.DNSFailed.ID}},
		},
	} {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			l := lab.New(t)
			if sc.fault != nil {
				sc.fault(l)
			}
			runUsers(t, l, bin, sc.users, nil, sc.args, func(r *labRun) { sc.want.check(t, r) })
		})
	}
}

// TestLabCheckPacketLoss loses 30% of the router's packets towards the
// client; every run must still let the start go on.
func TestLabCheckPacketLoss(t *testing.T) {
	lab.RequireRoot(t)
	bin := lab.Build(t)
	t.Parallel()
	l := lab.New(t)
	l.PacketLoss(30)
	before := l.Snapshot(t)
	const total, batch = 20, 4
	for i := 0; i < total; i += batch {
		runs := make([]*labRun, batch)
		errs := make([]error, batch)
		var wg sync.WaitGroup
		for j := range batch {
			user := ""
			if (i+j)%2 == 1 {
				user = "nobody"
			}
			wg.Go(func() { runs[j], errs[j] = runLabGuard(l, bin, user, labArgs()...) })
		}
		wg.Wait()
		for j, r := range runs {
			if errs[j] != nil {
				t.Fatalf("run %d: %v; %v", i+j, errs[j], r)
			}
			if r.exit != 0 {
				t.Errorf("run %d of %d under 30%% loss: exit %d; %v", i+j+1, total, r.exit, r)
			}
			if r.elapsed > labTimeout+labSlack {
				t.Errorf("run %d took %v; %v", i+j+1, r.elapsed, r)
			}
		}
	}
	if after := l.Snapshot(t); after != before {
		t.Errorf("guard check changed the client's tables:\n--- before\n%s\n--- after\n%s", before, after)
	}
}

// TestLabCheckRepeated checks that a healthy lab never gets a non-zero
// exit, run after run as an unprivileged user, nor with many runs at once.
func TestLabCheckRepeated(t *testing.T) {
	lab.RequireRoot(t)
	bin := lab.Build(t)
	t.Parallel()
	l := lab.New(t)
	before := l.Snapshot(t)
	const sequential, concurrent = 200, 24
	deadline := time.Now().Add(60 * time.Second)
	var slowest time.Duration
	for i := range sequential {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d sequential runs within 60 s", i, sequential)
		}
		r, err := runLabGuard(l, bin, "nobody", labArgs()...)
		if err != nil {
			t.Fatalf("run %d: %v; %v", i+1, err, r)
		}
		if r.exit != 0 || r.rep == nil || r.rep.Verdict != string(diagnose.Healthy) {
			t.Fatalf("sequential run %d of %d: exit %d; %v", i+1, sequential, r.exit, r)
		}
		slowest = max(slowest, r.elapsed)
	}
	t.Logf("%d sequential runs as nobody, slowest %v", sequential, slowest)

	runs := make([]*labRun, concurrent)
	errs := make([]error, concurrent)
	var wg sync.WaitGroup
	for i := range concurrent {
		wg.Go(func() { runs[i], errs[i] = runLabGuard(l, bin, "nobody", labArgs()...) })
	}
	wg.Wait()
	for i, r := range runs {
		if errs[i] != nil {
			t.Fatalf("concurrent run %d: %v; %v", i+1, errs[i], r)
		}
		if r.exit != 0 {
			t.Errorf("concurrent run %d of %d: exit %d; %v", i+1, concurrent, r.exit, r)
		}
	}
	if after := l.Snapshot(t); after != before {
		t.Errorf("guard check changed the client's tables:\n--- before\n%s\n--- after\n%s", before, after)
	}
}

// TestLabCheckBadInput checks that bad input exits 2 with one line on stderr,
// no stack trace, and no network traffic beyond the lab (it runs inside it).
func TestLabCheckBadInput(t *testing.T) {
	lab.RequireRoot(t)
	bin := lab.Build(t)
	t.Parallel()
	l := lab.New(t, lab.WithoutDNS())
	for _, args := range [][]string{
		labArgs("--no-such-flag"),
		labArgs("--timeout", "bogus"),
		labArgs("--timeout", "0s"),
		labArgs("--external", "not-an-ip"),
		labArgs("--config", "/nonexistent/netguard.yaml"),
		labArgs("--sudo", "sometimes"),
		labArgs("--gateway", "not-an-ip"),
		{"no-such-command", "--external", lab.ExternalIP},
	} {
		for _, user := range []string{"", "nobody"} {
			r, err := runLabGuard(l, bin, user, args...)
			if err != nil {
				t.Fatalf("guard %s: %v; %v", strings.Join(args, " "), err, r)
			}
			msg := strings.TrimRight(r.stderr, "\n")
			switch {
			case r.exit != 2:
				t.Errorf("guard %s: exit %d, want 2; %v", strings.Join(args, " "), r.exit, r)
			case msg == "" || strings.Contains(msg, "\n"):
				t.Errorf("guard %s: want one line on stderr; %v", strings.Join(args, " "), r)
			case strings.Contains(r.stderr, "goroutine") || strings.Contains(r.stderr, "panic"):
				t.Errorf("guard %s: crashed; %v", strings.Join(args, " "), r)
			case r.stdout != "":
				t.Errorf("guard %s: wrote to stdout; %v", strings.Join(args, " "), r)
			}
		}
	}
}

// TestLabCheckSkip checks that NETGUARD_SKIP=1 skips the check with one line on
// stderr and exit 0, even on a broken network (here: no DNS server).
func TestLabCheckSkip(t *testing.T) {
	lab.RequireRoot(t)
	bin := lab.Build(t)
	t.Parallel()
	l := lab.New(t, lab.WithoutDNS())
	for _, user := range []string{"", "nobody"} {
		r, err := runLabGuard(l, bin, user, labArgs()...)
		if err != nil {
			t.Fatalf("%v; %v", err, r)
		}
		if r.exit != 1 {
			t.Errorf("without DNS and without NETGUARD_SKIP: exit %d, want 1; %v", r.exit, r)
		}
		r, err = runLabGuardEnv(l, bin, user, []string{"NETGUARD_SKIP=1"}, labArgs()...)
		if err != nil {
			t.Fatalf("%v; %v", err, r)
		}
		if msg := strings.TrimRight(r.stderr, "\n"); r.exit != 0 || msg == "" || strings.Contains(msg, "\n") {
			t.Errorf("NETGUARD_SKIP=1: want exit 0 and one line on stderr; %v", r)
		}
	}
}

// TestLabCheckBurstyLoss makes the uplink drop everything for 300 ms, then
// nothing for 300 ms, over and over (flaky Wi-Fi, an overloaded uplink).
// Runs start at every phase of the bursts; none may block the start. The
// verdicts are logged, since what the probe window makes of bursts is
// worth reading even when every run passes.
func TestLabCheckBurstyLoss(t *testing.T) {
	lab.RequireRoot(t)
	bin := lab.Build(t)
	t.Parallel()
	l := lab.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	l.BurstyLoss(ctx, 300*time.Millisecond, 300*time.Millisecond)
	neverBlocks(t, l, bin, "bursty loss (300 ms on, 300 ms off)", 16, burstPhase)
}

// burstPhase pauses after run i so that the next run starts at another
// phase of 300 ms bursts.
func burstPhase(i int) time.Duration { return time.Duration(i%4) * 70 * time.Millisecond }

// neverBlocks runs guard check runs times in l, alternately as root and as
// nobody, sleeping pause(i) after run i (nil: not at all), and fails t for
// every run that would block a start (a non-zero exit). The verdicts are
// logged: what guard makes of the condition is worth reading even when
// every run passes.
func neverBlocks(t *testing.T, l *lab.Lab, bin, condition string, runs int, pause func(i int) time.Duration) {
	t.Helper()
	verdicts := map[string]int{}
	for i := range runs {
		user := ""
		if i%2 == 1 {
			user = "nobody"
		}
		r := mustRun(t, l, bin, user, nil, labArgs()...)
		verdicts[r.rep.Verdict]++
		if r.exit != 0 {
			t.Errorf("run %d of %d under %s: exit %d; %v", i+1, runs, condition, r.exit, r)
		}
		if pause != nil {
			time.Sleep(pause(i))
		}
	}
	t.Logf("under %s, %d runs: verdicts %v", condition, runs, verdicts)
}
