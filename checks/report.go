package checks

import (
	"context"
	"encoding/json"
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
	Action Fix    `json:"action"`
	Target string `json:"target"`
	// Outcome and Detail are one JSON field, "result" (Result): "ok",
	// "failed: …", "not permitted …", "unsupported on this system", "would
	// run" or "would run in-process" (dry runs).
	Outcome    Outcome `json:"-"`
	Detail     string  `json:"-"`
	DurationMS float64 `json:"duration_ms"`
	// Command is how the action runs with privilege when we lack it.
	Command string `json:"command,omitempty"`
}

// Outcome is what became of one repair action.
type Outcome int

const (
	OutcomeOK           Outcome = iota + 1
	OutcomeFailed               // Detail: the error
	OutcomeNotPermitted         // Detail: why ("not permitted (--sudo never)")
	OutcomeUnsupported          // the OS cannot do it
	OutcomeWouldRun             // dry run
)

// Attempted reports whether the action was tried (not a dry run).
func (o Outcome) Attempted() bool { return o != OutcomeWouldRun }

// Result is the report's text for the outcome, as the JSON carries it.
func (r Repair) Result() string {
	switch r.Outcome {
	case OutcomeOK:
		return "ok"
	case OutcomeFailed:
		return "failed: " + r.Detail
	case OutcomeNotPermitted:
		return r.Detail
	case OutcomeUnsupported:
		return "unsupported on this system"
	case OutcomeWouldRun:
		if r.Command == "" {
			return "would run in-process"
		}
		return "would run"
	}
	return ""
}

// MarshalJSON keeps the report's "result" string while the outcome stays
// typed in Go.
func (r Repair) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Action     Fix     `json:"action"`
		Target     string  `json:"target"`
		Result     string  `json:"result"`
		DurationMS float64 `json:"duration_ms"`
		Command    string  `json:"command,omitempty"`
	}{r.Action, r.Target, r.Result(), r.DurationMS, r.Command})
}

// Check runs a read-only diagnosis bounded by o.Timeout.
func (e *Engine) Check(ctx context.Context, o Options) *Report {
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	s := e.Collect(ctx, o)
	d := e.withManagers(Diagnose(s))
	r := NewReport(e.OS, d, nil)
	if e.rungs(d, o) != nil {
		// check never repairs; say that fix would try, before the steps
		// that do it by hand.
		step := "guard fix  # tries the safe repairs for this (guard run -- CMD: then starts CMD)"
		if o.FixCommand != "" {
			step = o.FixCommand + "  # tries the safe repairs for this"
		}
		r.ManualSteps = append([]string{step}, r.ManualSteps...)
	}
	r.DurationMS = durMS(time.Since(start))
	return r
}

// withManagers fills d.Managers when a finding will show steps: a
// healthy run does not pay for the lookup.
func (e *Engine) withManagers(d Diagnosis) Diagnosis {
	if slices.ContainsFunc(d.Findings, func(f Finding) bool { return f.Severity != SevInfo }) {
		d.Managers = e.managers()
	}
	return d
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
			for _, step := range f.ManualStepsFor(goos, d.Managers) {
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
