package checks

import (
	"context"
	"slices"
	"time"
)

// SchemaVersion is the version of the JSON report. It changes only when a
// field changes meaning or disappears; new fields may be added within it.
const SchemaVersion = 1

// Verdict is the outcome of a run.
type Verdict string

const (
	Healthy   Verdict = "healthy"   // every check passed
	Degraded  Verdict = "degraded"  // something is off; the start may go on
	Repaired  Verdict = "repaired"  // broken, repaired, and verified
	Unhealthy Verdict = "unhealthy" // broken and not repaired: do not start
)

// OK reports whether a start may go on.
func (v Verdict) OK() bool { return v != Unhealthy }

// Report is the JSON contract of design.md.
type Report struct {
	Schema      int           `json:"schema"`
	Verdict     Verdict       `json:"verdict"`
	OS          string        `json:"os"`
	DurationMS  float64       `json:"duration_ms"`
	Summary     string        `json:"summary"`
	Checks      []CheckResult `json:"checks"`
	Findings    []Finding     `json:"findings"`
	Repairs     []Repair      `json:"repairs"`
	ManualSteps []string      `json:"manual_steps"`
}

// Repair is one rung of the ladder that was climbed.
type Repair struct {
	Action     Fix     `json:"action"`
	Target     string  `json:"target"`
	Result     string  `json:"result"` // "ok", "failed: …", "not permitted: …", "would run" (dry run)
	DurationMS float64 `json:"duration_ms"`
	// Command is how the action runs with privilege when we lack it.
	Command string `json:"command,omitempty"`
}

// Check runs a read-only diagnosis bounded by o.Timeout.
func (e *Engine) Check(ctx context.Context, o Options) *Report {
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	s := e.Collect(ctx, o)
	d := Diagnose(s)
	r := NewReport(e.OS, d, nil)
	if e.rungs(d) != nil {
		// check never repairs; say that fix would try, before the steps
		// that do it by hand.
		r.ManualSteps = append([]string{"guard fix tries the safe repairs for this (and guard run -- CMD before a start)"}, r.ManualSteps...)
	}
	r.DurationMS = durMS(time.Since(start))
	return r
}

// NewReport derives the verdict, summary and manual steps from a diagnosis.
func NewReport(goos string, d Diagnosis, repairs []Repair) *Report {
	r := &Report{
		Schema:      SchemaVersion,
		OS:          goos,
		Checks:      d.Checks,
		Findings:    d.Findings,
		Repairs:     repairs,
		ManualSteps: []string{},
	}
	if r.Repairs == nil {
		r.Repairs = []Repair{}
	}
	r.Verdict = Healthy
	var root *Finding
	for i := range d.Findings {
		f := &d.Findings[i]
		switch f.Severity {
		case SevError:
			r.Verdict = Unhealthy
			if root == nil || root.Severity != SevError {
				root = f
			}
		case SevWarning:
			if r.Verdict == Healthy {
				r.Verdict = Degraded
			}
			if root == nil {
				root = f
			}
		}
	}
	for _, sev := range []Severity{SevError, SevWarning} {
		for _, f := range d.Findings {
			if f.Severity != sev {
				continue
			}
			for _, step := range f.ManualSteps(goos) {
				if !slices.Contains(r.ManualSteps, step) {
					r.ManualSteps = append(r.ManualSteps, step)
				}
			}
		}
	}
	switch {
	case root != nil:
		r.Summary = root.Summary
	default:
		r.Summary = "network stack healthy"
	}
	if r.Verdict == Unhealthy && len(r.ManualSteps) == 0 {
		r.ManualSteps = append(r.ManualSteps, "run 'guard check -v' and read the failing checks above")
	}
	return r
}
