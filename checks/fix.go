package checks

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/netguard/netguard/checks/diagnose"
	"github.com/netguard/netguard/checks/netstate"
)

// Ladder is the order repairs are tried in, narrowest first. Each rung is
// verified by a fresh check before the next is considered.
var Ladder = []netstate.Rung{netstate.RungDeleteNeighbor, netstate.RungFlushNeighbors, netstate.RungLinkUp, netstate.RungFlushDNS, netstate.RungReapplyInterface}

// ErrNotPermitted is returned by an Elevate that may not run a privileged
// action (--sudo never, sudo wants a password without a terminal).
var ErrNotPermitted = errors.New("not permitted")

// FixOptions control how repairs run.
type FixOptions struct {
	DryRun bool
	// Elevate runs one action with privilege when the engine is not
	// privileged itself (sudo re-executing this binary). Nil means
	// privileged actions are not permitted.
	Elevate func(ctx context.Context, a Action) error
	// Describe says how an action would run, for dry runs and manual steps
	// (e.g. "sudo /usr/local/bin/guard repair delete-neighbor eth0 192.0.2.1");
	// "" when there is no privileged helper that would run it.
	Describe func(a Action) string
	// DescribedHow is true when Describe's command already says how it
	// must be run (Windows: "in an elevated PowerShell"), so a refused
	// repair's step gets no second note.
	DescribedHow bool
	// HelperHint is the one manual step shown, last, when a repair needed
	// root and no helper command can run it: how to get one.
	HelperHint string
	// Interactive: Elevate may wait for a person (a password prompt), so
	// its time does not count against the run's deadline; verification
	// after it gets a fresh one.
	Interactive bool
	// BeforeRepair, when set, is called once before the first action that
	// may change the machine (never in a dry run). guard arms its signal
	// handlers there: they cost a run two threads, and before a repair a
	// signal has nothing to leave half done.
	BeforeRepair func()
}

// Fix checks, climbs the repair ladder for the error findings, verifies
// after each rung, and stops at the first rung after which the check
// passes. Everything it did is in Report.Repairs.
func (e *Engine) Fix(ctx context.Context, o Options, fo FixOptions) *Report {
	start := time.Now()
	parent := ctx
	ctx, cancel := context.WithTimeout(parent, o.Timeout)
	defer cancel()
	// The first check may use at most half the run: the other half is for
	// the repairs and the check that verifies them. With a short
	// --timeout, a probe window taking it all left a repair unverified.
	co := o
	co.Timeout = min(o.Timeout/2, 2*time.Second)
	s := e.Collect(ctx, co)
	d := e.withManagers(diagnose.Diagnose(s))
	managers := d.Managers
	var repairs []Repair
	initialErrors := hasErrors(d.Findings)
	rootID := ""
	if i := slices.IndexFunc(d.Findings, func(f diagnose.Finding) bool { return f.Severity == diagnose.SevError }); i >= 0 {
		rootID = d.Findings[i].ID
	}
	if initialErrors {
		for _, rung := range e.rungs(d, o) {
			if ctx.Err() != nil {
				break
			}
			acts := e.actions(rung, s, d)
			if len(acts) == 0 {
				continue
			}
			if !fo.DryRun && fo.BeforeRepair != nil {
				fo.BeforeRepair()
				fo.BeforeRepair = nil // once
			}
			rs, rollback := e.apply(ctx, acts, fo)
			repairs = append(repairs, rs...)
			if fo.Interactive && !fo.DryRun {
				var fresh context.CancelFunc
				ctx, fresh = context.WithTimeout(parent, o.Timeout)
				defer fresh() // at most one per rung
			}
			if fo.DryRun || !anyOK(rs) {
				continue
			}
			vo := o
			vo.Timeout = min(time.Until(deadline(ctx)), time.Second)
			if vo.Timeout <= 0 {
				break
			}
			s = e.Collect(ctx, vo)
			d = diagnose.Diagnose(s)
			d.Managers = managers
			if !hasErrors(d.Findings) {
				break
			}
			// Not confirmed: undo what cannot come back by itself.
			repairs = append(repairs, e.undo(rollback, fo)...)
		}
	}
	d.Managers = managers
	r := NewReport(e.OS, d, repairs)
	if initialErrors && !hasErrors(d.Findings) && anyOK(repairs) {
		r.Verdict = diagnose.Repaired
		// The verdict already says "repaired": the summary says what fixed what.
		last := repairs[len(repairs)-1]
		r.Summary = last.Action.String() + " " + last.Target + " fixed " + rootID
	}
	if r.Verdict == diagnose.Unhealthy {
		cmds, hint := privilegeSteps(repairs, fo)
		r.ManualSteps = append(cmds, r.ManualSteps...)
		if hint {
			r.ManualSteps = append(r.ManualSteps, fo.HelperHint)
		}
	}
	r.DurationMS = diagnose.DurMS(time.Since(start))
	return r
}

func deadline(ctx context.Context) time.Time {
	if dl, ok := ctx.Deadline(); ok {
		return dl
	}
	return time.Now().Add(time.Minute)
}

func hasErrors(fs []diagnose.Finding) bool {
	return slices.ContainsFunc(fs, func(f diagnose.Finding) bool { return f.Severity == diagnose.SevError })
}

func anyOK(rs []Repair) bool {
	return slices.ContainsFunc(rs, func(r Repair) bool { return r.Outcome == OutcomeOK })
}

// privilegeSteps turns refused repairs into the commands that would run
// them, first among the manual steps. hint reports a refused repair with
// no such command (no root-owned helper): the finding's own steps are then
// the plain OS commands, and the hint, last, says how to get a helper.
func privilegeSteps(rs []Repair, fo FixOptions) (cmds []string, hint bool) {
	for _, r := range rs {
		switch {
		case r.Outcome == OutcomeOK:
		case r.Command != "" && fo.DescribedHow:
			cmds = append(cmds, r.Command)
		case r.Command != "":
			cmds = append(cmds, r.Command+"  # the repair guard could not run without root")
		case r.Outcome == OutcomeNotPermitted && fo.HelperHint != "":
			hint = true
		}
	}
	return cmds, hint
}

// rungs are the ladder's rungs that some error finding names and this
// machine supports with the managers in charge (d.Managers), in ladder
// order. A name an untrusted project file chose may fail the dns check,
// but it names no rung: what a repository asks for never decides what
// runs with privilege.
func (e *Engine) rungs(d diagnose.Diagnosis, o Options) []netstate.Rung {
	want := map[netstate.Rung]bool{}
	for _, f := range d.Findings {
		if f.Severity != diagnose.SevError || (f.ID == diagnose.DNSFailed.ID && o.DNSNameFromProject) {
			continue
		}
		def, _ := diagnose.Lookup(f.ID)
		for _, fx := range def.Fixes {
			want[fx] = true
		}
	}
	var out []netstate.Rung
	for _, r := range Ladder {
		if want[r] && e.supports(r, d.Managers) {
			out = append(out, r)
		}
	}
	return out
}

// actions expands a rung into concrete actions from the observed state.
func (e *Engine) actions(rung netstate.Rung, s *netstate.State, d diagnose.Diagnosis) []Action {
	var out []Action
	has := func(ids ...string) bool {
		return slices.ContainsFunc(d.Findings, func(f diagnose.Finding) bool { return f.Severity == diagnose.SevError && slices.Contains(ids, f.ID) })
	}
	static := has(diagnose.GatewayNeighborStatic.ID)
	_, canRestore := e.Sys.(netstate.NeighborSetter)
	switch rung {
	case netstate.RungDeleteNeighbor:
		for _, f := range s.Families() {
			if !f.Gateway.IsValid() {
				continue
			}
			for _, n := range s.Neighbors {
				if n.IP != f.Gateway {
					continue
				}
				if n.Permanent && !(static && canRestore && e.pinDisproved(f, n)) {
					continue
				}
				out = append(out, Action{Rung: netstate.RungDeleteNeighbor, IfName: n.IfName, IP: n.IP, MAC: n.MAC, Static: n.Permanent})
			}
		}
	case netstate.RungFlushNeighbors:
		for _, f := range s.Families() {
			if f.Default != nil && f.Default.IfName != "" && !slices.ContainsFunc(out, func(a Action) bool { return a.IfName == f.Default.IfName }) {
				out = append(out, Action{Rung: netstate.RungFlushNeighbors, IfName: f.Default.IfName})
			}
		}
	case netstate.RungLinkUp:
		for _, f := range d.Findings {
			if f.ID == diagnose.LinkDown.ID {
				out = append(out, Action{Rung: netstate.RungLinkUp, IfName: f.Args[diagnose.ArgIface]})
			}
		}
	case netstate.RungFlushDNS:
		if has(diagnose.DNSFailed.ID) {
			out = append(out, Action{Rung: netstate.RungFlushDNS})
		}
	case netstate.RungReapplyInterface:
		name := ""
		for _, f := range d.Findings {
			if n := f.Args[diagnose.ArgIface]; n != "" && name == "" {
				name = n
			}
		}
		if name == "" {
			for _, f := range s.Families() {
				if f.Default != nil && name == "" {
					name = f.Default.IfName
				}
			}
		}
		if name != "" {
			out = append(out, Action{Rung: netstate.RungReapplyInterface, IfName: name})
		}
	}
	return out
}

// pinDisproved reports whether this process may delete the permanent
// entry n for f's gateway: traffic through it failed (the finding) and, as
// root where the OS can ask, exactly one MAC other than n's answered for
// the gateway's address. An answer alone proves nothing (anyone on the LAN
// can send one), and several MACs may be a spoofer. Unprivileged, the
// privileged helper decides the same for itself (Engine.Repair).
func (e *Engine) pinDisproved(f *netstate.FamilyState, n netstate.Neighbor) bool {
	if !e.Privileged {
		return true
	}
	if _, ok := e.Sys.(netstate.NeighborSoliciter); !ok {
		return true
	}
	r := f.Solicit
	return r.Contradicts() && r.Entry.IfIndex == n.IfIndex && r.Entry.IP == n.IP
}

// apply runs actions in-process when privileged, else through Elevate.
// It returns the repairs and the actions that undo what was done, for
// changes verification must confirm (deleted permanent entries).
func (e *Engine) apply(ctx context.Context, acts []Action, fo FixOptions) ([]Repair, []Action) {
	var rs []Repair
	var undo []Action
	for _, a := range acts {
		r := Repair{Action: a.Rung, Target: targetText(a)}
		if fo.Describe != nil && !e.Privileged {
			r.Command = fo.Describe(a)
		}
		t0 := time.Now()
		var err error
		switch {
		case fo.DryRun:
			r.Outcome = OutcomeWouldRun
			rs = append(rs, r)
			continue
		case e.Privileged:
			err = e.Do(ctx, a)
		case fo.Elevate != nil:
			err = fo.Elevate(ctx, a)
		default:
			err = fmt.Errorf("%w (needs root)", ErrNotPermitted)
		}
		r.DurationMS = diagnose.DurMS(time.Since(t0))
		switch {
		case err == nil:
			r.Outcome = OutcomeOK
			// In-process only: the privileged helper verifies and puts
			// back a permanent entry within its own call.
			if a.Rung == netstate.RungDeleteNeighbor && a.Static && e.Privileged {
				undo = append(undo, Action{Rung: RestoreNeighbor, IfName: a.IfName, IP: a.IP, MAC: a.MAC})
			}
		case errors.Is(err, ErrNotPermitted):
			r.Outcome, r.Detail = OutcomeNotPermitted, err.Error() // "not permitted (…)": says why
		case errors.Is(err, netstate.ErrUnsupported):
			r.Outcome = OutcomeUnsupported
		default:
			r.Outcome, r.Detail = OutcomeFailed, err.Error()
		}
		rs = append(rs, r)
	}
	return rs, undo
}

func targetText(a Action) string {
	switch {
	case a.IP.IsValid():
		return a.IP.String() + " dev " + a.IfName
	case a.IfName != "":
		return a.IfName
	}
	return "system resolver"
}

// undo runs rollback actions with their own short deadline: a restore must
// happen even when the run's deadline has passed.
func (e *Engine) undo(acts []Action, fo FixOptions) []Repair {
	if len(acts) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	rs, _ := e.apply(ctx, acts, fo)
	return rs
}

// managers asks the OS layer, when it can tell.
func (e *Engine) managers() netstate.Managers {
	if mr, ok := e.Sys.(netstate.ManagerReader); ok {
		return mr.NetworkManagers()
	}
	return netstate.Managers{}
}

func (e *Engine) supports(f netstate.Rung, m netstate.Managers) bool {
	if rs, ok := e.Sys.(netstate.RepairSupporter); ok {
		return rs.Supports(f, m)
	}
	return true
}

// withManagers fills d.Managers when a finding will show steps: a
// healthy run does not pay for the lookup.
func (e *Engine) withManagers(d diagnose.Diagnosis) diagnose.Diagnosis {
	if slices.ContainsFunc(d.Findings, func(f diagnose.Finding) bool { return f.Severity != diagnose.SevInfo }) {
		d.Managers = e.managers()
	}
	return d
}
