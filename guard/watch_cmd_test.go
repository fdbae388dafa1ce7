package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netguard/netguard/checks/checkstest"
	"github.com/netguard/netguard/checks/checkstest/wine"
	"github.com/netguard/netguard/checks/diagnose"
	"github.com/netguard/netguard/checks/netstate"
	"github.com/netguard/netguard/checks/watch"
)

// lockedBuffer is written by the watcher's goroutine and read by the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// chanSource is a watch.Source the test feeds.
type chanSource struct {
	ch     chan watch.Change
	closed chan struct{}
	once   sync.Once
}

func (s *chanSource) Receive() (watch.Change, error) {
	select {
	case c := <-s.ch:
		return c, nil
	case <-s.closed:
		return watch.Change{}, watch.ErrClosed
	}
}

func (s *chanSource) Close() error { s.once.Do(func() { close(s.closed) }); return nil }

// useChanSource makes guard watch listen to a channel instead of the OS.
func useChanSource(t *testing.T) chan watch.Change {
	t.Helper()
	ch := make(chan watch.Change, 16)
	old := newWatchSource
	newWatchSource = func() (watch.Source, error) {
		return &chanSource{ch: ch, closed: make(chan struct{})}, nil
	}
	t.Cleanup(func() { newWatchSource = old })
	return ch
}

// watchEnv is a private state directory for every OS's variable.
func watchEnv(t *testing.T) map[string]string {
	d := wine.TempDir(t)
	return map[string]string{"XDG_STATE_HOME": d, "HOME": d, "LOCALAPPDATA": d}
}

// startWatch runs guard watch in the background until the returned stop
// is called; stop returns its exit code.
func startWatch(t *testing.T, lab *checkstest.Lab, env map[string]string, args ...string) (out, errOut *lockedBuffer, stop func() exitCode) {
	t.Helper()
	sys, _, _ := testIO(t, lab, env)
	out, errOut = &lockedBuffer{}, &lockedBuffer{}
	sys.Out, sys.ErrOut = out, errOut
	c, err := parse(append([]string{"watch"}, args...), sys.Getenv, sys.Cwd, false)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan exitCode, 1)
	go func() { done <- runWatch(ctx, sys, c) }()
	var once sync.Once
	var code exitCode
	stop = func() exitCode {
		once.Do(func() {
			cancel()
			select {
			case code = <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("guard watch did not stop within 5s")
			}
		})
		return code
	}
	t.Cleanup(func() { stop() })
	return out, errOut, stop
}

// waitFor polls until cond holds, at most 5 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

type watchLine struct {
	Trigger         string           `json:"trigger"`
	Changed         bool             `json:"changed"`
	Verdict         diagnose.Verdict `json:"verdict"`
	Schema          int              `json:"schema"`
	FindingsAdded   []string         `json:"findings_added"`
	FindingsCleared []string         `json:"findings_cleared"`
}

func jsonLines(t *testing.T, s string) []watchLine {
	t.Helper()
	var out []watchLine
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l watchLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("not a JSON line: %v\n%s", err, sc.Text())
		}
		out = append(out, l)
	}
	return out
}

func TestWatchCommand(t *testing.T) {
	ch := useChanSource(t)
	lab := checkstest.NewLab(false)
	env := watchEnv(t)
	out, errOut, stop := startWatch(t, lab, env, "--json", "--interval", "1h")
	waitFor(t, "the first report", func() bool { return len(jsonLines(t, out.String())) == 1 })
	first := jsonLines(t, out.String())[0]
	if first.Trigger != "start" || first.Verdict != diagnose.Healthy || !first.Changed || first.Schema != 1 {
		t.Fatalf("first line %+v", first)
	}

	// A second watcher of the same user is refused: exit 2, one line.
	io2, out2, err2 := testIO(t, lab, env)
	c2, err := parse([]string{"watch"}, io2.Getenv, io2.Cwd, false)
	if err != nil {
		t.Fatal(err)
	}
	if code := runWatch(context.Background(), io2, c2); code != exitUsage {
		t.Fatalf("second watcher: exit %d, want 2", code)
	}
	if msg := err2.String(); strings.Count(msg, "\n") != 1 || !strings.Contains(msg, "another guard watch is running") || out2.Len() != 0 {
		t.Fatalf("second watcher: stderr %q stdout %q", msg, out2)
	}

	// An event: one more line per run on stdout, the change in the log.
	lab.BreakGatewayMAC(true)
	ch <- watch.Change{Kind: watch.KindNeigh, IfIndex: 2, Neigh: netstate.Neighbor{IfIndex: 2, IP: checkstest.Gateway, MAC: checkstest.BadMAC, State: netstate.NeighPermanent, Permanent: true}}
	waitFor(t, "the unhealthy report", func() bool { return len(jsonLines(t, out.String())) == 2 })
	second := jsonLines(t, out.String())[1]
	if second.Trigger != "event" || second.Verdict != diagnose.Unhealthy || !second.Changed || len(second.FindingsAdded) == 0 {
		t.Fatalf("second line %+v", second)
	}
	// A route change that changes nothing: a line on stdout, none in the
	// log, nothing on stderr.
	before := errOut.String()
	ch <- watch.Change{Kind: watch.KindRoute, Detail: "route new 10.0.0.0/8"}
	waitFor(t, "the third report", func() bool { return len(jsonLines(t, out.String())) == 3 })
	if third := jsonLines(t, out.String())[2]; third.Changed {
		t.Errorf("unchanged state reported as a change: %+v", third)
	}

	if code := stop(); code != exitOK {
		t.Fatalf("exit %d after the context ended, want 0", code)
	}
	if after := errOut.String(); !strings.HasPrefix(after, before) || strings.Contains(after[len(before):], "unhealthy") {
		t.Errorf("human output for a run that changed nothing:\n%s", after[len(before):])
	}
	stderr := errOut.String()
	for _, want := range []string{"guard watch: check on network changes and every 1h0m0s", "netguard: healthy (", "netguard: unhealthy — ", "\nFAIL gateway-neighbor-", "guard watch: stopped"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	dir, err := watch.StateDir(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(dir, watch.LogName)
	b, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	logged := jsonLines(t, string(b))
	if len(logged) != 2 || logged[0].Verdict != diagnose.Healthy || logged[1].Verdict != diagnose.Unhealthy {
		t.Errorf("log holds %+v, want the two state changes", logged)
	}
	// The lock is free again.
	lock, err := watch.AcquireLock(filepath.Join(filepath.Dir(logPath), watch.LockName))
	if err != nil {
		t.Fatalf("lock after stop: %v", err)
	}
	lock.Release()
}

func TestWatchMetricsAndLogFlag(t *testing.T) {
	useChanSource(t)
	lab := checkstest.NewLab(false)
	logPath := filepath.Join(wine.TempDir(t), "custom.jsonl")
	_, errOut, stop := startWatch(t, lab, watchEnv(t), "--metrics", "127.0.0.1:0", "--log", logPath)
	re := regexp.MustCompile(`metrics on (http://127\.0\.0\.1:\d+/metrics)`)
	waitFor(t, "the metrics address", func() bool { return re.MatchString(errOut.String()) })
	url := re.FindStringSubmatch(errOut.String())[1]
	var body string
	waitFor(t, "the first run in the metrics", func() bool {
		resp, err := http.Get(url)
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		body = string(b)
		return strings.Contains(body, `netguard_runs_total{trigger="start"} 1`)
	})
	for _, want := range []string{`netguard_verdict{verdict="healthy"} 1`, `netguard_check_status{check="link",status="pass"} 1`, "netguard_last_change_timestamp_seconds "} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if code := stop(); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	if _, err := http.Get(url); err == nil {
		t.Error("metrics still served after stop")
	}
	if b, err := os.ReadFile(logPath); err != nil || len(jsonLines(t, string(b))) != 1 {
		t.Errorf("--log file: %v\n%s", err, b)
	}
}

func TestWatchBadInput(t *testing.T) {
	tests := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"check", "--fix"}, nil, `flag "--fix" is not for guard check (it is for guard watch)`},
		{[]string{"fix", "--metrics", "127.0.0.1:9977"}, nil, `flag "--metrics" is not for guard fix (it is for guard watch)`},
		{[]string{"watch", "--interval", "soon"}, nil, `flag "--interval": invalid duration "soon"`},
		{[]string{"watch", "--interval", "10ms"}, nil, "out of range"},
		{[]string{"watch", "--metrics", "9977"}, nil, `flag "--metrics": want HOST:PORT`},
		{[]string{"watch", "--metrics", "localhost:http"}, nil, "invalid port"},
		{[]string{"watch", "--log", ""}, nil, `flag "--log": empty file name`},
		{[]string{"watch"}, map[string]string{"NETGUARD_INTERVAL": "bogus"}, "NETGUARD_INTERVAL: invalid duration"},
		{[]string{"watch"}, map[string]string{"NETGUARD_FIX": "maybe"}, `NETGUARD_FIX: want 1, true, yes, on or 0, false, no, off; got "maybe"`},
		{[]string{"watch", "--fix", "--sudo", "prompt"}, nil, "--sudo prompt cannot be used with --fix"},
		{[]string{"watch", "extra"}, nil, "unexpected argument"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			env := watchEnv(t)
			for k, v := range tt.env {
				env[k] = v
			}
			sys, out, errOut := testIO(t, checkstest.NewLab(true), env)
			if code := run(tt.args, sys); code != exitUsage {
				t.Fatalf("exit %d, want 2; stderr %q", code, errOut)
			}
			if msg := errOut.String(); strings.Count(msg, "\n") != 1 || !strings.Contains(msg, tt.want) {
				t.Fatalf("stderr = %q, want one line containing %q", msg, tt.want)
			}
			if out.Len() != 0 {
				t.Fatalf("stdout not empty: %q", out)
			}
		})
	}
}

// NETGUARD_FIX and friends in a shell profile do not disturb other
// commands; on guard watch they apply unless a flag says otherwise.
func TestWatchEnv(t *testing.T) {
	env := map[string]string{"NETGUARD_FIX": "1", "NETGUARD_INTERVAL": "90s", "NETGUARD_METRICS": "127.0.0.1:9977", "NETGUARD_LOG": "/tmp/x.jsonl"}
	sys, _, _ := testIO(t, checkstest.NewLab(false), env)
	c, err := parse([]string{"check"}, sys.Getenv, sys.Cwd, false)
	if err != nil {
		t.Fatalf("check with watch variables set: %v", err)
	}
	if c.watch.fix || c.watch.metrics != "" {
		t.Errorf("watch variables applied to check: %+v", c.watch)
	}
	c, err = parse([]string{"watch", "--interval", "2m"}, sys.Getenv, sys.Cwd, false)
	if err != nil {
		t.Fatal(err)
	}
	if !c.watch.fix || c.watch.interval != 2*time.Minute || c.watch.metrics != "127.0.0.1:9977" || c.watch.log != "/tmp/x.jsonl" {
		t.Errorf("watch flags %+v", c.watch)
	}
	c, err = parse([]string{"watch"}, func(string) string { return "" }, sys.Cwd, false)
	if err != nil || c.watch.interval != watch.DefaultInterval || c.watch.fix {
		t.Errorf("defaults %+v, %v", c.watch, err)
	}
}
