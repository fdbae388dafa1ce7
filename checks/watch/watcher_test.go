package watch

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netguard/netguard/checks"
	"github.com/netguard/netguard/checks/checkstest"
	"github.com/netguard/netguard/checks/diagnose"
	"github.com/netguard/netguard/checks/netstate"
)

// fakeSource is a Source fed by the test.
type fakeSource struct {
	ch     chan Change
	errc   chan error
	closed chan struct{}
	once   sync.Once
}

func newFakeSource() *fakeSource {
	return &fakeSource{ch: make(chan Change, 16), errc: make(chan error, 1), closed: make(chan struct{})}
}

func (s *fakeSource) Receive() (Change, error) {
	select {
	case c := <-s.ch:
		return c, nil
	case err := <-s.errc:
		return Change{}, err
	case <-s.closed:
		return Change{}, ErrClosed
	}
}

func (s *fakeSource) Close() error {
	s.once.Do(func() { close(s.closed) })
	return nil
}

// harness runs a watcher over the fake lab (no network) with short
// durations and collects its results.
type harness struct {
	t       *testing.T
	lab     *checkstest.Lab
	results chan Result
	errs    chan error
	opens   chan *fakeSource
	cancel  context.CancelFunc
	done    chan error
}

func startWatcher(t *testing.T, lab *checkstest.Lab, mod func(*Config)) *harness {
	t.Helper()
	h := &harness{t: t, lab: lab, results: make(chan Result, 64), errs: make(chan error, 16), opens: make(chan *fakeSource, 4), done: make(chan error, 1)}
	cfg := Config{
		Engine:   lab.Engine,
		Options:  lab.Options(),
		Interval: time.Hour,
		Recheck:  time.Hour,
		Quiet:    20 * time.Millisecond,
		MaxDelay: 100 * time.Millisecond,
		OpenSource: func() (Source, error) {
			s := newFakeSource()
			h.opens <- s
			return s, nil
		},
		OnRun:   func(r Result) { h.results <- r },
		OnError: func(err error) { h.errs <- err },
	}
	if mod != nil {
		mod(&cfg)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() { h.done <- Run(ctx, cfg) }()
	t.Cleanup(h.stop)
	return h
}

func (h *harness) stop() {
	h.cancel()
	select {
	case err := <-h.done:
		if err != nil {
			h.t.Errorf("Run: %v", err)
		}
		h.done <- nil // later stops return at once
	case <-time.After(5 * time.Second):
		h.t.Fatal("Run did not return within 5s of its context ending")
	}
}

func (h *harness) source() *fakeSource {
	h.t.Helper()
	select {
	case s := <-h.opens:
		return s
	case <-time.After(2 * time.Second):
		h.t.Fatal("the change source was not opened")
		return nil
	}
}

func (h *harness) next(within time.Duration) Result {
	h.t.Helper()
	select {
	case r := <-h.results:
		return r
	case <-time.After(within):
		h.t.Fatalf("no run within %v", within)
		return Result{}
	}
}

func (h *harness) none(during time.Duration) {
	h.t.Helper()
	select {
	case r := <-h.results:
		h.t.Fatalf("unexpected run: %s %s (%s)", r.Trigger, r.Report.Verdict, r.Reason)
	case <-time.After(during):
	}
}

func gwNeigh(l *checkstest.Lab, st netstate.NeighState, mac []byte) Change {
	return Change{Kind: KindNeigh, IfIndex: 2, Neigh: netstate.Neighbor{IfIndex: 2, IfName: "eth0", IP: checkstest.Gateway, MAC: mac, State: st, Permanent: st == netstate.NeighPermanent}, Detail: "neighbor " + st.String()}
}

func TestWatcherStartAndEvents(t *testing.T) {
	lab := checkstest.NewLab(false)
	h := startWatcher(t, lab, nil)
	src := h.source()
	r := h.next(2 * time.Second)
	if r.Trigger != TriggerStart || !r.Changed || r.Report.Verdict != diagnose.Healthy || !r.Loggable() {
		t.Fatalf("first run: %+v", r)
	}

	// Neighbor churn of the gateway (same MAC) and of others: no run.
	src.ch <- gwNeigh(lab, netstate.NeighReachable, checkstest.GoodMAC)
	src.ch <- gwNeigh(lab, netstate.NeighStale, checkstest.GoodMAC)
	h.none(300 * time.Millisecond)

	// A burst of route changes: one run, within the max delay.
	t0 := time.Now()
	for i := range 5 {
		src.ch <- Change{Kind: KindRoute, Detail: "route new 10.0." + string(rune('0'+i)) + ".0/24"}
	}
	r = h.next(2 * time.Second)
	if took := time.Since(t0); took > time.Second {
		t.Errorf("event run started %v after the changes, want within 1s", took)
	}
	if r.Trigger != TriggerEvent || !strings.Contains(r.Reason, "route new 10.0.0.0/24") || !strings.HasSuffix(r.Reason, "…") {
		t.Errorf("event run: trigger %s reason %q", r.Trigger, r.Reason)
	}
	if r.Changed || r.Loggable() {
		t.Errorf("steady healthy state reported as a change: %+v", r.Fingerprint)
	}
	h.none(200 * time.Millisecond)
}

func TestWatcherInterval(t *testing.T) {
	lab := checkstest.NewLab(false)
	h := startWatcher(t, lab, func(c *Config) { c.Interval = 100 * time.Millisecond })
	h.source()
	if r := h.next(2 * time.Second); r.Trigger != TriggerStart {
		t.Fatalf("first run %s", r.Trigger)
	}
	for range 3 {
		r := h.next(2 * time.Second)
		if r.Trigger != TriggerInterval || r.Changed {
			t.Errorf("run: trigger %s changed %v", r.Trigger, r.Changed)
		}
	}
}

// A problem is logged once when it appears, not on every run, and clears
// on the first run that no longer sees it.
func TestWatcherChangeAndClear(t *testing.T) {
	lab := checkstest.NewLab(false)
	h := startWatcher(t, lab, func(c *Config) { c.Recheck = 150 * time.Millisecond })
	src := h.source()
	h.next(2 * time.Second)

	lab.BreakGatewayMAC(true)
	src.ch <- gwNeigh(lab, netstate.NeighPermanent, checkstest.BadMAC)
	r := h.next(2 * time.Second)
	if r.Trigger != TriggerEvent || r.Report.Verdict != diagnose.Unhealthy || !r.Changed {
		t.Fatalf("after the break: trigger %s verdict %s changed %v", r.Trigger, r.Report.Verdict, r.Changed)
	}
	l := r.Line()
	if l.PreviousVerdict != diagnose.Healthy || len(l.FindingsAdded) == 0 || len(l.FindingsCleared) != 0 {
		t.Errorf("line: previous %q added %v cleared %v", l.PreviousVerdict, l.FindingsAdded, l.FindingsCleared)
	}
	// While unhealthy, the re-check interval applies; the state is the
	// same, so nothing is logged.
	r = h.next(2 * time.Second)
	if r.Trigger != TriggerInterval || r.Changed || r.Loggable() {
		t.Errorf("re-check: trigger %s changed %v", r.Trigger, r.Changed)
	}

	// Repaired from outside (an administrator deletes the entry).
	if err := lab.Sys.DeleteNeighbor(context.Background(), netstate.Neighbor{IfIndex: 2, IfName: "eth0", IP: checkstest.Gateway}); err != nil {
		t.Fatal(err)
	}
	src.ch <- Change{Kind: KindNeigh, Deleted: true, IfIndex: 2, Neigh: netstate.Neighbor{IfIndex: 2, IP: checkstest.Gateway, MAC: checkstest.BadMAC, State: netstate.NeighPermanent, Permanent: true}}
	var cleared Result
	for range 3 { // a re-check may come first
		if cleared = h.next(2 * time.Second); cleared.Report.Verdict.OK() {
			break
		}
	}
	if !cleared.Report.Verdict.OK() || !cleared.Changed {
		t.Fatalf("after the repair: verdict %s changed %v", cleared.Report.Verdict, cleared.Changed)
	}
	if l := cleared.Line(); len(l.FindingsCleared) == 0 {
		t.Errorf("no finding cleared: %+v", l)
	}
}

// A repair that keeps failing is attempted at most Limit times, however
// many changes come; the runs in between say until when it is held.
func TestWatcherFixBackoffCap(t *testing.T) {
	lab := checkstest.NewLab(true)
	lab.Sys.DeleteNeighborFunc = func(netstate.Neighbor) error { return errors.New("device busy") }
	lab.BreakGatewayMAC(false)
	h := startWatcher(t, lab, func(c *Config) {
		c.Fix = true
		c.Backoff = &Backoff{Limit: 2, Window: time.Hour}
	})
	src := h.source()
	attempts, held := 0, 0
	for i := range 6 {
		if i > 0 {
			src.ch <- Change{Kind: KindRoute, Detail: "route change"}
		}
		r := h.next(3 * time.Second)
		if r.Attempted() {
			attempts++
			if !r.Loggable() {
				t.Errorf("run %d: a repair not logged", i)
			}
			for _, rp := range r.Report.Repairs {
				if rp.Action == netstate.RungDeleteNeighbor && !strings.HasPrefix(rp.Result(), "failed") {
					t.Errorf("run %d: repair %s result %q", i, rp.Action, rp.Result())
				}
			}
		}
		if !r.RepairHeldUntil.IsZero() {
			held++
			if r.Attempted() {
				t.Errorf("run %d: held and attempted", i)
			}
		}
		if r.Report.Verdict != diagnose.Unhealthy {
			t.Errorf("run %d: verdict %s", i, r.Report.Verdict)
		}
	}
	if attempts != 2 || held != 4 {
		t.Errorf("%d repairs and %d held runs, want 2 and 4", attempts, held)
	}
}

func TestWatcherFixRepairs(t *testing.T) {
	lab := checkstest.NewLab(true)
	lab.BreakGatewayMAC(false)
	h := startWatcher(t, lab, func(c *Config) { c.Fix = true })
	h.source()
	r := h.next(3 * time.Second)
	if r.Report.Verdict != diagnose.Repaired || !r.Attempted() {
		t.Fatalf("verdict %s, repairs %+v", r.Report.Verdict, r.Report.Repairs)
	}
}

// A source that breaks is reopened, and a run follows: changes may have
// been missed while it was down.
func TestWatcherSourceReopened(t *testing.T) {
	old := reopenMin
	reopenMin = 10 * time.Millisecond
	t.Cleanup(func() { reopenMin = old })
	lab := checkstest.NewLab(false)
	h := startWatcher(t, lab, nil)
	src := h.source()
	h.next(2 * time.Second)
	src.errc <- errors.New("read rtnetlink: boom")
	select {
	case err := <-h.errs:
		if !strings.Contains(err.Error(), "boom") {
			t.Errorf("error %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("source error not reported")
	}
	h.source()
	if r := h.next(2 * time.Second); r.Trigger != TriggerEvent || !strings.Contains(r.Reason, "resumed") {
		t.Errorf("after reopen: trigger %s reason %q", r.Trigger, r.Reason)
	}
}

func TestWatcherNoSource(t *testing.T) {
	lab := checkstest.NewLab(false)
	h := startWatcher(t, lab, func(c *Config) {
		c.OpenSource = func() (Source, error) { return nil, ErrNoSource }
		c.Interval = 50 * time.Millisecond
	})
	select {
	case err := <-h.errs:
		if !errors.Is(err, ErrNoSource) {
			t.Errorf("error %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("no ErrNoSource reported")
	}
	h.next(2 * time.Second)
	if r := h.next(2 * time.Second); r.Trigger != TriggerInterval {
		t.Errorf("trigger %s, want interval", r.Trigger)
	}
}

// Ending the context stops the watcher promptly, and the run it cut short
// is not reported.
func TestWatcherStops(t *testing.T) {
	lab := checkstest.NewLab(false)
	lab.Prober.Down(checkstest.Ext) // probes wait for their deadline: the run is in flight when we stop
	h := startWatcher(t, lab, func(c *Config) { c.Options.Timeout = 2 * time.Second })
	h.source()
	time.Sleep(50 * time.Millisecond)
	t0 := time.Now()
	h.stop()
	if took := time.Since(t0); took > time.Second {
		t.Errorf("stop took %v", took)
	}
	select {
	case r := <-h.results:
		t.Errorf("a run cut short was reported: %s", r.Report.Verdict)
	default:
	}
}

func TestLineJSON(t *testing.T) {
	prev := FingerprintOf(report(diagnose.Healthy))
	rep := report(diagnose.Unhealthy, "gateway-neighbor-wrong")
	rep.Schema = checks.SchemaVersion
	held := time.Date(2025, 1, 1, 12, 0, 30, 0, time.UTC)
	r := Result{Time: time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC), Trigger: TriggerEvent, Reason: "link eth0 down",
		Report: rep, Fingerprint: FingerprintOf(rep), Previous: prev, Changed: true, RepairHeldUntil: held}
	b, err := json.Marshal(r.Line())
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{
		"time": "2025-01-01T12:00:00Z", "trigger": "event", "reason": "link eth0 down", "changed": true,
		"previous_verdict": "healthy", "schema": float64(1), "verdict": "unhealthy", "repair_held_until": "2025-01-01T12:00:30Z",
	} {
		if m[k] != want {
			t.Errorf("%s = %v, want %v\n%s", k, m[k], want, b)
		}
	}
	if a, _ := m["findings_added"].([]any); len(a) != 1 || a[0] != "gateway-neighbor-wrong" {
		t.Errorf("findings_added = %v", m["findings_added"])
	}
	// A consumer of the plain report decodes the line as a report.
	var back checks.Report
	if err := json.Unmarshal(b, &back); err != nil || back.Verdict != diagnose.Unhealthy || len(back.Findings) != 1 {
		t.Errorf("line as a report: %+v, %v", back, err)
	}
}

func TestMetrics(t *testing.T) {
	m := NewMetrics()
	t0 := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	bad := report(diagnose.Unhealthy, "gateway-neighbor-wrong", "dns-failed")
	bad.Checks = []diagnose.CheckResult{{ID: "neighbor", Status: diagnose.StatusFail, DurationMS: 1.5}, {ID: "dns", Status: diagnose.StatusSkip}}
	bad.Repairs = []checks.Repair{{Action: netstate.RungDeleteNeighbor, Outcome: checks.OutcomeFailed, Detail: "device busy"}, {Action: netstate.RungFlushDNS, Outcome: checks.OutcomeWouldRun}}
	m.Observe(Result{Time: t0, Trigger: TriggerStart, Report: bad, Changed: true})
	good := report(diagnose.Healthy)
	good.Checks = []diagnose.CheckResult{{ID: "neighbor", Status: diagnose.StatusPass, DurationMS: 0.5}}
	m.Observe(Result{Time: t0.Add(time.Minute), Trigger: TriggerEvent, Report: good, Changed: true})
	m.Observe(Result{Time: t0.Add(2 * time.Minute), Trigger: TriggerInterval, Report: good})

	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	text := string(body)
	for _, want := range []string{
		`netguard_verdict{verdict="healthy"} 1`,
		`netguard_verdict{verdict="unhealthy"} 0`,
		`netguard_check_status{check="neighbor",status="pass"} 1`,
		`netguard_check_status{check="neighbor",status="fail"} 0`,
		`netguard_check_duration_seconds{check="neighbor"} 0.0005`,
		`netguard_repairs_total{action="delete-neighbor",result="failed"} 1`,
		`netguard_runs_total{trigger="start"} 1`,
		`netguard_runs_total{trigger="event"} 1`,
		`netguard_runs_total{trigger="interval"} 1`,
		`netguard_last_change_timestamp_seconds 1735732860`,
		`netguard_last_run_timestamp_seconds 1735732920`,
		`# TYPE netguard_runs_total counter`,
		`# TYPE netguard_verdict gauge`,
	} {
		if !strings.Contains(text, want+"\n") {
			t.Errorf("missing %q in:\n%s", want, text)
		}
	}
	for _, gone := range []string{`netguard_findings{`, `action="flush-dns"`} {
		if strings.Contains(text, gone) {
			t.Errorf("%q present after it cleared:\n%s", gone, text)
		}
	}
}
