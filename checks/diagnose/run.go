package diagnose

import (
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/netguard/netguard/checks/netstate"
)

// Check statuses. "unknown" means the check could not measure (no
// permission, an unreadable table); it is never shown as a failure.
type Status string

const (
	StatusPass    Status = "pass"
	StatusWarn    Status = "warn"
	StatusFail    Status = "fail"
	StatusSkip    Status = "skip"
	StatusUnknown Status = "unknown"
)

// Check is one line of the report: what it judges, the findings it owns
// in root-cause order, and whether it is chained.
type Check struct {
	ID string
	// Chained: the check depends on the ones before it, so a failure
	// after a chained failure reads "skip", and the report names one root
	// cause.
	Chained bool
	// Findings are the findings this check owns, in root-cause order.
	Findings []*Def
	// judge adds the check's findings and sets its status and detail; it
	// sees the findings of the checks before it, never changes them.
	judge func(*diag)
}

// CheckResult is one line of the report.
type CheckResult struct {
	ID         string  `json:"id"`
	Status     Status  `json:"status"`
	Detail     string  `json:"detail"`
	DurationMS float64 `json:"duration_ms"`
}

// diag is one run of the checks over a State.
type diag struct {
	s         *netstate.State
	checks    map[*Check]*CheckResult
	findings  []Finding
	inetReach bool
	// check is the check judging now, cur its result.
	check *Check
	cur   *CheckResult
	// superseded are findings the judging check has explained by a more
	// specific cause, decided before its generic findings: add drops a
	// finding of def whose args the function accepts.
	superseded map[*Def]func(Args) bool
	// firewallBlocks: the internet check saw a local firewall refuse the
	// probes, even where it then named a working proxy as the way out.
	firewallBlocks bool
}

// add records a finding of def unless the judging check superseded it;
// the pointer lets the judge adjust its severity.
func (d *diag) add(def *Def, a Args, evidence ...string) *Finding {
	if by, ok := d.superseded[def]; ok && by(a) {
		return &Finding{}
	}
	d.findings = append(d.findings, newFinding(def, a, evidence...))
	return &d.findings[len(d.findings)-1]
}

// errorWhenOffline raises fd to an error when no external target
// answered: a fault the start gets around while it gets out stops it when
// nothing does. It returns fd's status.
func (d *diag) errorWhenOffline(fd *Finding) Status {
	if !d.inetReach {
		fd.Severity = SevError
	}
	return statusOf(fd.Severity)
}

// supersede makes the judging check's later adds of def a no-op for args
// that by accepts (nil: all).
func (d *diag) supersede(def *Def, by func(Args) bool) {
	if by == nil {
		by = func(Args) bool { return true }
	}
	if d.superseded == nil {
		d.superseded = map[*Def]func(Args) bool{}
	}
	d.superseded[def] = by
}

// set sets the judging check's status and detail.
func (d *diag) set(st Status, detail string) {
	d.cur.Status, d.cur.Detail = st, detail
}

// usedFamilies are those with a default route.
func (d *diag) usedFamilies() []*netstate.FamilyState {
	var out []*netstate.FamilyState
	for _, f := range d.s.Families() {
		if f.Default != nil {
			out = append(out, f)
		}
	}
	return out
}

// usedTargets are the external targets of the families with a default
// route.
func (d *diag) usedTargets() []*netstate.TargetResult {
	var out []*netstate.TargetResult
	for _, f := range d.usedFamilies() {
		for i := range f.External {
			out = append(out, &f.External[i])
		}
	}
	return out
}

func (d *diag) linkByIndex(idx int) *netstate.Link {
	for i := range d.s.Links {
		if d.s.Links[i].Index == idx {
			return &d.s.Links[i]
		}
	}
	return nil
}

func (d *diag) anyExternalReachable() bool {
	return slices.ContainsFunc(d.s.Families(), famReach)
}

// answeredThrough names what answered through f's gateway besides the
// gateway's own probes: a name server's direct query or a proxy's connect
// (a refusal too), sent to the gateway itself or to an address the kernel
// routes via it. Such an answer is traffic through the gateway, whatever
// its own probes heard. Empty when nothing did.
func (d *diag) answeredThrough(f *netstate.FamilyState) string {
	if !f.Gateway.IsValid() || f.Default == nil {
		return ""
	}
	via := func(a netip.Addr, r netstate.Route, err error) bool {
		return a == f.Gateway || (err == nil && r.Gateway == f.Gateway && r.IfIndex == f.Default.IfIndex)
	}
	for _, sv := range d.s.DNS.Servers {
		if !sv.Answered {
			continue
		}
		a := sv.Server.Addr().Unmap()
		if a == f.Gateway {
			return "a name server answered through it"
		}
		for _, nr := range d.s.NameServerRoutes {
			if nr.Addr == a && via(a, nr.Route, nr.RouteErr) {
				return "a name server answered through it"
			}
		}
	}
	for i := range d.s.Proxy.Settings {
		p := &d.s.Proxy.Settings[i]
		if p.Addr.IsValid() && p.TCP.Answered && !p.Addr.IsLoopback() && via(p.Addr, p.Route, p.RouteErr) {
			return fmt.Sprintf("the proxy %s (%s) answered through it", p.Endpoint(), p.Var)
		}
	}
	return ""
}

func hasFamilyAddr(l *netstate.Link, fam int) bool {
	for _, p := range l.Addrs {
		a := p.Addr()
		if fam == 4 && a.Is4() {
			return true
		}
		if fam == 6 && a.Is6() && !a.IsLinkLocalUnicast() {
			return true
		}
	}
	return false
}

func statusOf(s Severity) Status {
	switch s {
	case SevError:
		return StatusFail
	case SevWarning:
		return StatusWarn
	}
	return StatusPass
}

var statusRank = map[Status]int{StatusPass: 0, StatusSkip: 0, StatusUnknown: 1, StatusWarn: 2, StatusFail: 3}

func worse(a, b Status) Status {
	if statusRank[b] > statusRank[a] {
		return b
	}
	return a
}

func DurMS(d time.Duration) float64 {
	return float64(d.Microseconds()/100) / 10
}

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

// has reports whether a finding with id is present.
func (d *diag) has(id string) bool {
	return slices.ContainsFunc(d.findings, func(f Finding) bool { return f.ID == id })
}

// restatus sets the judging check's status from its findings so far,
// keeping its detail: a specific cause replaced the generic verdict.
func (d *diag) restatus() {
	st := StatusPass
	for _, f := range d.findings {
		if slices.ContainsFunc(d.check.Findings, func(def *Def) bool { return def.ID == f.ID }) {
			st = worse(st, statusOf(f.Severity))
		}
	}
	d.cur.Status = st
}

// retract removes the judging check's own findings of defs added since
// mark: a cause it found after them explains them. A check never
// retracts another check's findings.
func (d *diag) retract(mark int, defs ...*Def) {
	own := d.findings[mark:]
	own = slices.DeleteFunc(own, func(f Finding) bool {
		return slices.ContainsFunc(defs, func(def *Def) bool { return def.ID == f.ID })
	})
	d.findings = d.findings[:mark+len(own)]
}
