package watch

import (
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/netguard/netguard/checks"
	"github.com/netguard/netguard/checks/diagnose"
)

// Metrics exposes the watcher's state in the Prometheus text format.
// Gauges with a label per possible value (verdict, check status) are 1 for
// the current value and 0 for the others, so an alert can match
// `netguard_verdict{verdict="unhealthy"} == 1` without knowing an
// encoding. Findings that are gone are removed, not left at 0: the series
// set is what is wrong now.
//
// Written by hand rather than with a metrics library: this package is
// linked into every `guard check`, and the libraries' package init would
// cost start-up on each run (the README's speed section has the figures)
// for eight families that only `guard watch --metrics` serves.
type Metrics struct {
	mu       sync.Mutex
	samples  map[string]*sample // by series: name{label="value",...}
	findings map[string]bool    // series names of the findings present now
}

type sample struct {
	v       float64
	counter bool
}

var (
	verdicts = []diagnose.Verdict{diagnose.Healthy, diagnose.Degraded, diagnose.Repaired, diagnose.Unhealthy}
	statuses = []diagnose.Status{diagnose.StatusPass, diagnose.StatusWarn, diagnose.StatusFail, diagnose.StatusSkip, diagnose.StatusUnknown}
	triggers = []Trigger{TriggerStart, TriggerEvent, TriggerInterval}
)

// NewMetrics makes netguard's metrics in a set of their own (not the
// global one: a library must not add to a program's /metrics by being
// imported).
func NewMetrics() *Metrics {
	m := &Metrics{samples: map[string]*sample{}, findings: map[string]bool{}}
	// Series exist from the start, so rate() and absent() behave before
	// the first event.
	for _, t := range triggers {
		m.count(0, series("netguard_runs_total", "trigger", string(t)))
	}
	return m
}

// series renders a metric name with label pairs, values quoted.
func series(name string, kv ...string) string {
	if len(kv) == 0 {
		return name
	}
	var b strings.Builder
	b.WriteString(name)
	b.WriteByte('{')
	for i := 0; i+1 < len(kv); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%s=%q", kv[i], kv[i+1])
	}
	b.WriteByte('}')
	return b.String()
}

func (m *Metrics) gauge(v float64, name string, kv ...string) {
	m.samples[series(name, kv...)] = &sample{v: v}
}

// count adds d to a counter series.
func (m *Metrics) count(d float64, name string) {
	s, ok := m.samples[name]
	if !ok {
		s = &sample{counter: true}
		m.samples[name] = s
	}
	s.v += d
}

// Handler serves the metrics.
func (m *Metrics) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		m.mu.Lock()
		defer m.mu.Unlock()
		_, _ = io.WriteString(w, m.text())
	})
}

// text renders every series sorted, each family under its # TYPE line.
func (m *Metrics) text() string {
	names := make([]string, 0, len(m.samples))
	for n := range m.samples {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	family := ""
	for _, n := range names {
		s := m.samples[n]
		if f, _, _ := strings.Cut(n, "{"); f != family {
			family = f
			kind := "gauge"
			if s.counter {
				kind = "counter"
			}
			fmt.Fprintf(&b, "# TYPE %s %s\n", f, kind)
		}
		fmt.Fprintf(&b, "%s %s\n", n, strconv.FormatFloat(s.v, 'f', -1, 64))
	}
	return b.String()
}

// Observe records a completed run. It is safe for concurrent use with
// scrapes.
func (m *Metrics) Observe(r Result) {
	m.mu.Lock()
	defer m.mu.Unlock()
	rep := r.Report
	m.count(1, series("netguard_runs_total", "trigger", string(r.Trigger)))
	m.gauge(float64(r.Time.UnixNano())/1e9, "netguard_last_run_timestamp_seconds")
	for _, v := range verdicts {
		m.gauge(b2f(rep.Verdict == v), "netguard_verdict", "verdict", string(v))
	}
	for _, c := range rep.Checks {
		for _, s := range statuses {
			m.gauge(b2f(c.Status == s), "netguard_check_status", "check", c.ID, "status", string(s))
		}
		m.gauge(c.DurationMS/1000, "netguard_check_duration_seconds", "check", c.ID)
	}
	now := map[string]bool{}
	for _, f := range rep.Findings {
		name := series("netguard_findings", "id", f.ID, "severity", string(f.Severity))
		now[name] = true
		m.gauge(1, name)
	}
	for name := range m.findings {
		if !now[name] {
			delete(m.samples, name)
		}
	}
	m.findings = now
	for _, rp := range rep.Repairs {
		if !rp.Outcome.Attempted() {
			continue
		}
		m.count(1, series("netguard_repairs_total", "action", string(rp.Action), "result", resultLabel(rp.Outcome)))
	}
	if r.Changed {
		m.gauge(float64(r.Time.UnixNano())/1e9, "netguard_last_change_timestamp_seconds")
	}
}

// resultLabel keeps the label's values a small fixed set.
func resultLabel(o checks.Outcome) string {
	switch o {
	case checks.OutcomeOK:
		return "ok"
	case checks.OutcomeFailed:
		return "failed"
	case checks.OutcomeNotPermitted:
		return "not permitted"
	}
	return "other"
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
