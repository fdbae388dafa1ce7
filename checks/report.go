package checks

import (
	"encoding/json"

	"github.com/netguard/netguard/checks/diagnose"
	"github.com/netguard/netguard/checks/netstate"
)

// SchemaVersion is the version of the JSON report. It changes only when a
// field changes meaning or disappears; new fields may be added within it.
const SchemaVersion = 1

// Report is the JSON report of a run: the contract scripts and the
// text formatter read.
type Report struct {
	Schema      int                    `json:"schema"`
	Verdict     diagnose.Verdict       `json:"verdict"`
	OS          string                 `json:"os"`
	DurationMS  float64                `json:"duration_ms"`
	Summary     string                 `json:"summary"`
	Checks      []diagnose.CheckResult `json:"checks"`
	Findings    []diagnose.Finding     `json:"findings"`
	Repairs     []Repair               `json:"repairs"`
	ManualSteps []string               `json:"manual_steps"`
}

// Repair is one rung of the ladder that was climbed.
type Repair struct {
	Action netstate.Rung `json:"action"`
	Target string        `json:"target"`
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
		Action     netstate.Rung `json:"action"`
		Target     string        `json:"target"`
		Result     string        `json:"result"`
		DurationMS float64       `json:"duration_ms"`
		Command    string        `json:"command,omitempty"`
	}{r.Action, r.Target, r.Result(), r.DurationMS, r.Command})
}

// NewReport derives the verdict, summary and manual steps from a diagnosis.
func NewReport(goos string, d diagnose.Diagnosis, repairs []Repair) *Report {
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
	r.Verdict, r.Summary = d.Verdict(), d.Summary()
	r.ManualSteps = append(r.ManualSteps, d.ManualSteps(goos)...)
	return r
}
