//go:build linux

package main

// Lab tests of `guard watch`: the real binary runs in the client
// namespace with a one-hour interval, so every run after the first is
// caused by a kernel notification; the test breaks the lab and expects the
// report within seconds, repairs with --fix, scrapes the metrics endpoint
// on the namespace's loopback, and stops the watcher with SIGTERM. They
// need root and fail (never skip) without it.

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/netguard/netguard/checks/watch"
	"github.com/netguard/netguard/guard/internal/lab"
)

// watchMetricsAddr is on the client namespace's own loopback: every lab
// has its own, so parallel tests do not collide.
const watchMetricsAddr = "127.0.0.1:9977"

// watchArgs returns watch's arguments: lab targets only, and an interval
// long enough that only events cause runs within a test.
func watchArgs(extra ...string) []string {
	return append([]string{"watch", "--json", "--interval", "1h",
		"--external", lab.ExternalIP, "--dns", lab.DNSName, "--timeout", "2s"}, extra...)
}

// labWatchLine is one JSON line of guard watch, decoded independently of
// the watch package's types.
type labWatchLine struct {
	Time            time.Time `json:"time"`
	Trigger         string    `json:"trigger"`
	Reason          string    `json:"reason"`
	Changed         bool      `json:"changed"`
	Verdict         string    `json:"verdict"`
	Schema          int       `json:"schema"`
	FindingsAdded   []string  `json:"findings_added"`
	FindingsCleared []string  `json:"findings_cleared"`
	Findings        []struct {
		ID string `json:"id"`
	} `json:"findings"`
	Repairs []struct {
		Action string `json:"action"`
		Result string `json:"result"`
	} `json:"repairs"`
	raw string
}

// labWatch is a running guard watch.
type labWatch struct {
	t        *testing.T
	cmd      *exec.Cmd
	cancel   context.CancelFunc
	lines    chan labWatchLine
	done     chan struct{} // closed when the process has exited
	stderr   *lockedBuffer
	stateDir string
	mu       sync.Mutex
	all      []labWatchLine
}

// watchStateDir makes a state directory the user can write, inside the
// lab's directory (removed with it).
func watchStateDir(t *testing.T, l *lab.Lab, name, username string) string {
	t.Helper()
	dir := filepath.Join(l.Dir, "state-"+name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if username != "" {
		u, err := user.Lookup(username)
		if err != nil {
			t.Fatal(err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// startLabWatch starts guard watch in the client namespace as username
// ("" is root) with XDG_STATE_HOME=stateDir. The process is bounded by a
// minute and killed at the end of the test if still running.
func startLabWatch(t *testing.T, l *lab.Lab, bin, username, stateDir string, args ...string) *labWatch {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	argv := append([]string{bin}, args...)
	cmd := l.Cmd(ctx, l.Client, argv...)
	if username != "" {
		cmd = l.CmdAs(ctx, l.Client, username, argv...)
	}
	cmd.Env = append(cmd.Env, "XDG_STATE_HOME="+stateDir)
	w := &labWatch{t: t, cmd: cmd, cancel: cancel, lines: make(chan labWatchLine, 256), done: make(chan struct{}), stderr: &lockedBuffer{}, stateDir: stateDir}
	cmd.Stderr = w.stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", strings.Join(cmd.Args, " "), err)
	}
	go w.read(out)
	t.Cleanup(func() {
		cancel()
		<-w.done
	})
	return w
}

func (w *labWatch) read(r io.Reader) {
	defer close(w.lines)
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		l := labWatchLine{raw: sc.Text()}
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			l.Trigger = "INVALID: " + err.Error()
		}
		w.mu.Lock()
		w.all = append(w.all, l)
		w.mu.Unlock()
		select {
		case w.lines <- l:
		default: // nobody reads any more; the line stays in all
		}
	}
	_ = w.cmd.Wait()
	close(w.done)
}

// String is what a failure message shows.
func (w *labWatch) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var b strings.Builder
	b.WriteString("stdout:\n")
	for _, l := range w.all {
		b.WriteString(l.raw + "\n")
	}
	b.WriteString("stderr:\n" + w.stderr.String())
	return b.String()
}

// next returns the next line, failing the test after within.
func (w *labWatch) next(within time.Duration) labWatchLine {
	w.t.Helper()
	select {
	case l, ok := <-w.lines:
		if !ok {
			w.t.Fatalf("guard watch exited; %v", w)
		}
		if strings.HasPrefix(l.Trigger, "INVALID") {
			w.t.Fatalf("stdout line is not JSON (%s); %v", l.Trigger, w)
		}
		return l
	case <-time.After(within):
		w.t.Fatalf("no report within %v; %v", within, w)
	}
	return labWatchLine{}
}

// until reads lines until one has the verdict, at most within.
func (w *labWatch) until(verdict string, within time.Duration) labWatchLine {
	w.t.Helper()
	deadline := time.Now().Add(within)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			w.t.Fatalf("no %s report within %v; %v", verdict, within, w)
		}
		if l := w.next(left); l.Verdict == verdict {
			return l
		}
	}
}

// stop sends SIGTERM and returns the exit code.
func (w *labWatch) stop() int {
	w.t.Helper()
	if err := w.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		w.t.Fatalf("SIGTERM: %v", err)
	}
	select {
	case <-w.done:
	case <-time.After(10 * time.Second):
		w.t.Fatalf("guard watch did not exit within 10s of SIGTERM; %v", w)
	}
	return w.cmd.ProcessState.ExitCode()
}

// scrape fetches the metrics from inside the client namespace.
func scrapeLab(t *testing.T, l *lab.Lab) string {
	t.Helper()
	if _, err := exec.LookPath("curl"); err != nil {
		t.Fatalf("curl not found (install curl): %v", err)
	}
	for range 50 { // the listener may not be up yet: bounded retries
		out, _, code := l.Run(t, l.Client, "curl", "-sS", "--max-time", "5", "http://"+watchMetricsAddr+"/metrics")
		if code == 0 {
			return out
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("metrics at %s not served in the client namespace", watchMetricsAddr)
	return ""
}

// eventLatency bounds the time from a change to the start of the
// re-check: the watcher promises 1 s (debounce 300 ms quiet, 1 s at
// most), and the slack covers a loaded 2-core runner.
const eventLatency = time.Second + 500*time.Millisecond

// The event path as an unprivileged user: a broken gateway MAC is
// reported within a second of the change, the finding clears as soon as
// the entry is fixed, the log holds each state change once, a second
// watcher is refused, the metrics follow, and SIGTERM exits 0.
func TestLabWatchEvents(t *testing.T) {
	lab.RequireRoot(t)
	bin := lab.Build(t)
	t.Parallel()
	l := lab.New(t)
	state := watchStateDir(t, l, "events", "nobody")
	w := startLabWatch(t, l, bin, "nobody", state, watchArgs("--metrics", watchMetricsAddr)...)

	first := w.next(10 * time.Second)
	if first.Trigger != "start" || first.Verdict != "healthy" || !first.Changed || first.Schema != 1 {
		t.Fatalf("first report %+v; %v", first, w)
	}

	// One instance per user: a second exits 2 with one line.
	second, errb, code := l.RunAs(t, l.Client, "nobody", append([]string{"env", "XDG_STATE_HOME=" + state, bin}, watchArgs()...)...)
	if code != 2 || second != "" || strings.Count(errb, "\n") != 1 || !strings.Contains(errb, "another guard watch is running") {
		t.Errorf("second watcher: exit %d stdout %q stderr %q", code, second, errb)
	}

	t0 := time.Now()
	l.WrongGatewayMAC()
	broken := w.until("unhealthy", 10*time.Second)
	t.Logf("wrong gateway MAC: re-check started %v after the change, reported %v after it",
		broken.Time.Sub(t0).Round(time.Millisecond), time.Since(t0).Round(time.Millisecond))
	if broken.Trigger != "event" || !broken.Changed || len(broken.FindingsAdded) == 0 {
		t.Errorf("broken report %+v; %v", broken, w)
	}
	if d := broken.Time.Sub(t0); d > eventLatency {
		t.Errorf("re-check started %v after the change, want within %v; %v", d, eventLatency, w)
	}
	if m := scrapeLab(t, l); !strings.Contains(m, `netguard_verdict{verdict="unhealthy"} 1`) ||
		!strings.Contains(m, `netguard_findings{id="gateway-neighbor-`) ||
		!strings.Contains(m, `netguard_runs_total{trigger="event"} `) {
		t.Errorf("metrics while broken:\n%s", m)
	}

	// Fixed by hand: the finding clears at the next event.
	t1 := time.Now()
	l.Run(t, l.Client, "ip", "neigh", "del", lab.GatewayIP, "dev", l.ClientIf)
	l.Run(t, l.Client, "ip", "neigh", "del", lab.GatewayIP6, "dev", l.ClientIf)
	fixed := w.until("healthy", 10*time.Second)
	if fixed.Trigger != "event" || !fixed.Changed || len(fixed.FindingsCleared) == 0 {
		t.Errorf("cleared report %+v; %v", fixed, w)
	}
	if d := fixed.Time.Sub(t1); d > eventLatency {
		t.Errorf("re-check after the fix started %v after it, want within %v", d, eventLatency)
	}
	// Info findings may stay (clock-unsynchronized on a machine without a
	// time daemon); no problem may.
	if m := scrapeLab(t, l); !strings.Contains(m, `netguard_verdict{verdict="healthy"} 1`) ||
		strings.Contains(m, `severity="error"`) || strings.Contains(m, `severity="warning"`) {
		t.Errorf("metrics after the fix:\n%s", m)
	}

	if code := w.stop(); code != 0 {
		t.Errorf("exit %d after SIGTERM, want 0; %v", code, w)
	}
	if !strings.Contains(w.stderr.String(), "guard watch: stopped") {
		t.Errorf("no clean shutdown; %v", w)
	}
	// The log: the state changes, each once, whatever else ran.
	b, err := os.ReadFile(filepath.Join(state, "netguard", watch.LogName))
	if err != nil {
		t.Fatal(err)
	}
	var verdicts []string
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var x labWatchLine
		if err := json.Unmarshal([]byte(line), &x); err != nil {
			t.Fatalf("log line is not JSON: %v\n%s", err, line)
		}
		if !x.Changed {
			t.Errorf("log holds an unchanged state: %s", line)
		}
		verdicts = append(verdicts, x.Verdict)
	}
	if got := strings.Join(verdicts, ","); !strings.HasPrefix(got, "healthy,unhealthy") || !strings.HasSuffix(got, "healthy") {
		t.Errorf("log verdicts %s, want healthy, unhealthy, …, healthy", got)
	}
}

// --fix as root: the wrong entry is repaired at the event, verified, and
// logged; the network works afterwards.
func TestLabWatchFix(t *testing.T) {
	lab.RequireRoot(t)
	bin := lab.Build(t)
	t.Parallel()
	l := lab.New(t)
	state := watchStateDir(t, l, "fix", "")
	w := startLabWatch(t, l, bin, "", state, watchArgs("--fix", "--metrics", watchMetricsAddr)...)
	if first := w.next(10 * time.Second); first.Verdict != "healthy" {
		t.Fatalf("first report %+v; %v", first, w)
	}
	t0 := time.Now()
	l.WrongGatewayMAC()
	rep := w.until("repaired", 10*time.Second)
	t.Logf("wrong gateway MAC: repaired and verified %v after the change", time.Since(t0).Round(time.Millisecond))
	if rep.Trigger != "event" || len(rep.Repairs) == 0 || rep.Repairs[0].Action != "delete-neighbor" || rep.Repairs[0].Result != "ok" {
		t.Errorf("repair report %+v; %v", rep, w)
	}
	if n, _, _ := l.Run(t, l.Client, "ip", "-4", "neigh", "show", lab.GatewayIP); strings.Contains(n, lab.WrongMAC) || strings.Contains(n, "PERMANENT") {
		t.Errorf("wrong entry still there: %q", n)
	}
	if m := scrapeLab(t, l); !strings.Contains(m, `netguard_repairs_total{action="delete-neighbor",result="ok"} `) {
		t.Errorf("metrics after the repair:\n%s", m)
	}
	if code := w.stop(); code != 0 {
		t.Errorf("exit %d after SIGTERM; %v", code, w)
	}
	b, err := os.ReadFile(filepath.Join(state, "netguard", watch.LogName))
	if err != nil || !strings.Contains(string(b), `"verdict":"repaired"`) || !strings.Contains(string(b), `"action":"delete-neighbor"`) {
		t.Errorf("repair not logged (%v):\n%s", err, b)
	}
}

// Link and route changes trigger too: the link going down removes the
// default route, and the watcher says so within a second.
func TestLabWatchLinkDown(t *testing.T) {
	lab.RequireRoot(t)
	bin := lab.Build(t)
	t.Parallel()
	l := lab.New(t)
	w := startLabWatch(t, l, bin, "", watchStateDir(t, l, "link", ""), watchArgs()...)
	if first := w.next(10 * time.Second); first.Verdict != "healthy" {
		t.Fatalf("first report %+v; %v", first, w)
	}
	t0 := time.Now()
	l.LinkDown()
	down := w.until("unhealthy", 10*time.Second)
	if down.Trigger != "event" || !strings.Contains(down.Reason, "link") {
		t.Errorf("link-down report: trigger %s reason %q", down.Trigger, down.Reason)
	}
	if d := down.Time.Sub(t0); d > eventLatency {
		t.Errorf("re-check started %v after the change, want within %v", d, eventLatency)
	}
	ids := fmt.Sprint(down.Findings)
	if !strings.Contains(ids, "link-down") && !strings.Contains(ids, "no-default-route") {
		t.Errorf("findings %s", ids)
	}
	if code := w.stop(); code != 0 {
		t.Errorf("exit %d after SIGTERM; %v", code, w)
	}
}
