package watch

import (
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/VictoriaMetrics/metrics"
	"github.com/netguard/netguard/checks"
)

// Metrics exposes the watcher's state in the Prometheus text format.
// Gauges with a label per possible value (verdict, check status) are 1 for
// the current value and 0 for the others, so an alert can match
// `netguard_verdict{verdict="unhealthy"} == 1` without knowing an
// encoding. Findings that are gone are removed, not left at 0: the series
// set is what is wrong now.
//
// VictoriaMetrics/metrics rather than client_golang: this package is linked
// into every `guard check`, and client_golang's package init (protobuf
// descriptors, process collectors) cost ~1 ms of start-up on each run,
// measured with GODEBUG=inittrace=1, for a feature only `guard watch
// --metrics` uses.
type Metrics struct {
	set      *metrics.Set
	mu       sync.Mutex
	findings map[string]bool // series names of the findings present now
}

var (
	verdicts = []checks.Verdict{checks.Healthy, checks.Degraded, checks.Repaired, checks.Unhealthy}
	statuses = []checks.Status{checks.StatusPass, checks.StatusWarn, checks.StatusFail, checks.StatusSkip, checks.StatusUnknown}
	triggers = []Trigger{TriggerStart, TriggerEvent, TriggerInterval}
)

// NewMetrics makes netguard's metrics in a set of their own (not the
// global one: a library must not add to a program's /metrics by being
// imported).
func NewMetrics() *Metrics {
	m := &Metrics{set: metrics.NewSet(), findings: map[string]bool{}}
	// Series exist from the start, so rate() and absent() behave before
	// the first event.
	for _, t := range triggers {
		m.set.GetOrCreateCounter(series("netguard_runs_total", "trigger", string(t)))
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
	m.set.GetOrCreateGauge(series(name, kv...), nil).Set(v)
}

// Handler serves the metrics.
func (m *Metrics) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		m.mu.Lock()
		defer m.mu.Unlock()
		m.set.WritePrometheus(w)
	})
}

// Observe records a completed run. It is safe for concurrent use with
// scrapes.
func (m *Metrics) Observe(r Result) {
	m.mu.Lock()
	defer m.mu.Unlock()
	rep := r.Report
	m.set.GetOrCreateCounter(series("netguard_runs_total", "trigger", string(r.Trigger))).Inc()
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
			m.set.UnregisterMetric(name)
		}
	}
	m.findings = now
	for _, rp := range rep.Repairs {
		if !rp.Outcome.Attempted() {
			continue
		}
		m.set.GetOrCreateCounter(series("netguard_repairs_total", "action", string(rp.Action), "result", resultLabel(rp.Outcome))).Inc()
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
