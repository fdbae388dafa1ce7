package diagnose

import (
	"fmt"
	"slices"
	"sync"

	"github.com/netguard/netguard/checks/netstate"
)

// Checks is the order of the report's checks, of chaining and of the
// catalog's root-cause order: a check judges after the ones it depends on.
var Checks = []*Check{Link, Route, Neighbor, Gateway, Firewall, Internet, DNS, Resources, Proxy, Ports, Hosts, Clock}

// Diagnosis is the pure outcome of Diagnose.
type Diagnosis struct {
	Checks   []CheckResult
	Findings []Finding
	// Managers are the network managers in charge, which decide the manual
	// steps shown; not part of the diagnosis itself (the engine asks the
	// OS layer only when there are steps to show).
	Managers netstate.Managers
}

// Diagnose turns observed state into checks and findings. It does no I/O,
// so it is table-tested with State literals for every OS.
func Diagnose(s *netstate.State) Diagnosis {
	d := &diag{s: s, checks: map[*Check]*CheckResult{}}
	for _, c := range Checks {
		d.checks[c] = &CheckResult{ID: c.ID, Status: StatusPass}
	}
	if s.TimedOut {
		d.add(TimedOut, Args{}, "no table read or probe finished before the deadline")
		for _, c := range Checks {
			d.checks[c].Status, d.checks[c].Detail = StatusUnknown, "timed out"
		}
		return d.finish()
	}
	d.inetReach = d.anyExternalReachable()
	for _, c := range Checks {
		d.check, d.cur = c, d.checks[c]
		c.judge(d)
	}
	return d.finish()
}

// finish hides findings explained by a root cause, orders them by the
// catalog, and turns failed checks that follow a failed one into "skip".
func (d *diag) finish() Diagnosis {
	present := map[string]bool{}
	for _, f := range d.findings {
		if f.Severity != SevInfo {
			present[f.ID] = true
		}
	}
	var kept []Finding
	for _, f := range d.findings {
		def, _ := Lookup(f.ID)
		hidden := false
		for _, dep := range def.DependsOn {
			if present[dep.ID] {
				hidden = true
				break
			}
		}
		if !hidden {
			kept = append(kept, f)
		}
	}
	order := catalogRank()
	slices.SortStableFunc(kept, func(a, b Finding) int { return order[a.ID] - order[b.ID] })

	var out []CheckResult
	failedBefore := ""
	for _, chk := range Checks {
		c := *d.checks[chk]
		c.DurationMS = DurMS(d.s.Took[chk.ID])
		if chk.Chained && c.Status == StatusFail {
			if failedBefore != "" {
				c.Status = StatusSkip
				c.Detail = fmt.Sprintf("because %s failed (%s)", failedBefore, c.Detail)
			} else {
				failedBefore = chk.ID
			}
		}
		out = append(out, c)
	}
	if kept == nil {
		kept = []Finding{}
	}
	return Diagnosis{Checks: out, Findings: kept}
}

// Verdict is the run's outcome before any repair: Unhealthy with an error
// finding, Degraded with a warning, else Healthy.
func (d Diagnosis) Verdict() Verdict {
	v := Healthy
	for _, f := range d.Findings {
		switch f.Severity {
		case SevError:
			return Unhealthy
		case SevWarning:
			v = Degraded
		}
	}
	return v
}

// Summary is the root cause in one line: the first error finding, else
// the first warning, since findings come in root-cause order.
func (d Diagnosis) Summary() string {
	var root *Finding
	for i := range d.Findings {
		f := &d.Findings[i]
		switch f.Severity {
		case SevError:
			if root == nil || root.Severity != SevError {
				root = f
			}
		case SevWarning:
			if root == nil {
				root = f
			}
		}
	}
	if root == nil {
		return "network stack healthy"
	}
	return root.Summary
}

// ManualSteps are the steps of the error findings, then of the warnings,
// each step once, for goos with the managers in charge. An unhealthy
// diagnosis always gets a step, so a failed start never leaves the user
// with nothing to do.
func (d Diagnosis) ManualSteps(goos string) []string {
	steps := []string{}
	for _, sev := range []Severity{SevError, SevWarning} {
		for _, f := range d.Findings {
			if f.Severity != sev {
				continue
			}
			for _, step := range f.ManualStepsFor(goos, d.Managers) {
				if !slices.Contains(steps, step) {
					steps = append(steps, step)
				}
			}
		}
	}
	if len(steps) == 0 && d.Verdict() == Unhealthy {
		steps = append(steps, "run 'guard check -v' and read the failing checks above")
	}
	return steps
}

// catalogDefs is the catalog in root-cause order: the findings of each
// check in the order of Checks, each check's in its own order. Earlier
// findings explain later ones.
var catalogDefs = sync.OnceValue(func() []*Def {
	var out []*Def
	for _, c := range Checks {
		out = append(out, c.Findings...)
	}
	return out
})

// catalogRank is each finding's position in the catalog (root-cause
// order), built on first use.
var catalogRank = sync.OnceValue(func() map[string]int {
	m := make(map[string]int, len(catalogDefs()))
	for i, d := range catalogDefs() {
		m[d.ID] = i
	}
	return m
})

// catalogByID indexes the catalog on first use: a check that finds
// nothing never builds it.
var catalogByID = sync.OnceValue(func() map[string]*Def {
	m := make(map[string]*Def, len(catalogDefs()))
	for _, d := range catalogDefs() {
		if _, dup := m[d.ID]; dup {
			panic("checks: duplicate finding " + d.ID)
		}
		m[d.ID] = d
	}
	return m
})

// Catalog returns every finding definition in root-cause order: earlier
// findings explain later ones.
func Catalog() []*Def { return slices.Clone(catalogDefs()) }

// Explanation is the longer text `guard explain ID` prints for a finding.
type Explanation struct {
	Why string
	How string
}

// Explain returns the explanation of a catalog finding.
func Explain(id string) (Explanation, bool) {
	d, ok := Lookup(id)
	if !ok {
		return Explanation{}, false
	}
	return Explanation{Why: d.Why, How: d.How}, true
}

// Lookup returns the definition of id.
func Lookup(id string) (*Def, bool) {
	d, ok := catalogByID()[id]
	return d, ok
}

// owners maps each finding to the check that lists it.
var owners = sync.OnceValue(func() map[*Def]*Check {
	m := map[*Def]*Check{}
	for _, c := range Checks {
		for _, d := range c.Findings {
			m[d] = c
		}
	}
	return m
})

// CheckOf returns the check that owns d: the one whose Findings list it.
func CheckOf(d *Def) *Check { return owners()[d] }

// ManualSteps renders the finding's manual steps for goos with every
// manager's steps, as when the managers in charge are not known.
func (f Finding) ManualSteps(goos string) []string {
	return f.ManualStepsFor(goos, netstate.Managers{})
}

// ManualStepsFor renders the finding's manual steps for goos, keeping only
// the steps of the network managers in charge (m), with every value quoted
// for goos's shell (QuoteFor). There is no fallback to another OS's steps:
// a Linux command is wrong on a Mac.
func (f Finding) ManualStepsFor(goos string, m netstate.Managers) []string {
	d, ok := Lookup(f.ID)
	if !ok {
		return nil
	}
	var out []string
	for _, s := range d.Manual.For(goos) {
		out = append(out, renderStep(goos, s, f.Args, d.Optional, m)...)
	}
	return out
}
