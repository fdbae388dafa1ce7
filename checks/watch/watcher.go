package watch

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"time"

	"github.com/netguard/netguard/checks"
	"github.com/netguard/netguard/checks/diagnose"
	"github.com/netguard/netguard/checks/netstate"
)

// Trigger says why a run happened; it is a label of the runs metric.
type Trigger string

const (
	TriggerStart    Trigger = "start"    // the first run
	TriggerEvent    Trigger = "event"    // the OS reported a relevant change
	TriggerInterval Trigger = "interval" // the interval (or the re-check while not healthy) passed
)

// Defaults of Config.
const (
	DefaultInterval = 5 * time.Minute
	// DefaultRecheck is the interval while the verdict is not healthy: a
	// problem outside this machine (a DNS server, the upstream link) ends
	// without any local change to notify us, and its finding must clear
	// soon after, not at the next 5-minute tick.
	DefaultRecheck  = 30 * time.Second
	DefaultQuiet    = 300 * time.Millisecond
	DefaultMaxDelay = time.Second
)

// Config is what a Watcher needs. Engine and OnRun are required.
type Config struct {
	Engine  *checks.Engine
	Options checks.Options
	// Fix repairs as `guard fix` does, held back by Backoff.
	Fix        bool
	FixOptions checks.FixOptions
	Backoff    *Backoff // nil: DefaultBackoff()

	Interval time.Duration // <= 0: DefaultInterval
	Recheck  time.Duration // <= 0: DefaultRecheck; never more than Interval
	Quiet    time.Duration // <= 0: DefaultQuiet
	MaxDelay time.Duration // <= 0: DefaultMaxDelay
	// Poll is how often the gateways' neighbor entries are read where the
	// OS does not announce their changes (Engine.Sys is a
	// NeighborLooker: macOS, Windows). <= 0: DefaultPoll.
	Poll time.Duration

	// OpenSource opens the OS's change notifications (NewSource). Nil, or
	// one returning ErrNoSource, means interval only. A source that breaks
	// is reopened with a backoff, and a run follows, since changes may
	// have been missed meanwhile.
	OpenSource func() (Source, error)

	// OnRun receives every completed run, in order, from the goroutine
	// that called Run. Runs cut short by the end of Run's context are not
	// reported: their report would describe our own shutdown.
	OnRun func(Result)
	// OnError receives problems that do not stop watching (the change
	// source failed and is being reopened); nil drops them.
	OnError func(error)
}

// Result is one completed run.
type Result struct {
	Time    time.Time // when the run started
	Trigger Trigger
	// Reason names the changes behind an event run ("link ng0 down").
	Reason      string
	Report      *checks.Report
	Fingerprint Fingerprint
	Previous    Fingerprint // zero before the first run
	// Changed reports that Fingerprint differs from the previous run's;
	// the first run is a change.
	Changed bool
	// RepairHeldUntil is set when the report names a repairable problem
	// but Backoff held the repair back until then; zero otherwise.
	RepairHeldUntil time.Time
}

// Attempted reports whether the run tried any repair.
func (r Result) Attempted() bool { return attempted(r.Report) }

// Loggable reports whether the run belongs in the log file: a state
// change, or a repair (every repair is logged, held or not, done or
// failed).
func (r Result) Loggable() bool { return r.Changed || r.Attempted() }

// Line is a run as a JSON line (stdout with --json, and the log file): the
// JSON report with the watcher's fields added in front. A consumer
// of `guard check --json` reads it as a report.
type Line struct {
	Time            time.Time        `json:"time"`
	Trigger         Trigger          `json:"trigger"`
	Reason          string           `json:"reason,omitempty"`
	Changed         bool             `json:"changed"`
	PreviousVerdict diagnose.Verdict `json:"previous_verdict,omitempty"`
	FindingsAdded   []string         `json:"findings_added,omitempty"`
	FindingsCleared []string         `json:"findings_cleared,omitempty"`
	RepairHeldUntil *time.Time       `json:"repair_held_until,omitempty"`
	*checks.Report
}

// Line renders the result as a JSON line.
func (r Result) Line() Line {
	l := Line{Time: r.Time, Trigger: r.Trigger, Reason: r.Reason, Changed: r.Changed, Report: r.Report}
	if r.Changed {
		l.PreviousVerdict = r.Previous.Verdict
		l.FindingsAdded, l.FindingsCleared = r.Fingerprint.Diff(r.Previous)
	}
	if !r.RepairHeldUntil.IsZero() {
		t := r.RepairHeldUntil
		l.RepairHeldUntil = &t
	}
	return l
}

func attempted(rep *checks.Report) bool {
	for _, r := range rep.Repairs {
		if r.Outcome.Attempted() {
			return true
		}
	}
	return false
}

// repairable reports whether the report has an error finding the repair
// ladder could act on, so a held-back repair is worth mentioning.
func repairable(rep *checks.Report) bool {
	for _, f := range rep.Findings {
		if f.Severity == diagnose.SevError && f.Fix != netstate.RungNone {
			return true
		}
	}
	return false
}

func (c *Config) defaults() {
	if c.Interval <= 0 {
		c.Interval = DefaultInterval
	}
	if c.Recheck <= 0 {
		c.Recheck = DefaultRecheck
	}
	c.Recheck = min(c.Recheck, c.Interval)
	if c.Quiet <= 0 {
		c.Quiet = DefaultQuiet
	}
	if c.MaxDelay <= 0 {
		c.MaxDelay = DefaultMaxDelay
	}
	if c.Poll <= 0 {
		c.Poll = DefaultPoll
	}
	if c.Backoff == nil {
		c.Backoff = DefaultBackoff()
	}
	if c.OnError == nil {
		c.OnError = func(error) {}
	}
}

type runOut struct {
	res    Result
	fixed  bool // ran Fix, not Check
	cancel bool // cut short by ctx
}

// Run watches until ctx ends, then waits for the run in progress and
// returns nil. It returns an error only for a Config it cannot use.
func Run(ctx context.Context, cfg Config) error {
	if cfg.Engine == nil || cfg.OnRun == nil {
		return errors.New("watch: Engine and OnRun are required")
	}
	cfg.defaults()
	w := &watcher{cfg: cfg, deb: Debouncer{Quiet: cfg.Quiet, MaxDelay: cfg.MaxDelay}}
	return w.run(ctx)
}

type watcher struct {
	cfg    Config
	deb    Debouncer
	filter Filter
	why    reason
	prev   Fingerprint
	poll   *gatewayPoll // nil where the OS announces neighbor changes
}

func (w *watcher) run(ctx context.Context) error {
	changes := make(chan Change, 64)
	errs := make(chan error, 4)
	pumpDone := make(chan struct{})
	pctx, stopPump := context.WithCancel(ctx)
	// Subscribe before the first run, so a change during it is not lost.
	if w.cfg.OpenSource != nil {
		go func() {
			defer close(pumpDone)
			pump(pctx, w.cfg.OpenSource, changes, errs)
		}()
	} else {
		close(pumpDone)
	}
	pollDone := make(chan struct{})
	if l, ok := w.cfg.Engine.Sys.(NeighborLooker); ok {
		w.poll = &gatewayPoll{looker: l, every: w.cfg.Poll}
		go func() {
			defer close(pollDone)
			w.poll.run(pctx, changes)
		}()
	} else {
		close(pollDone)
	}
	defer func() {
		stopPump()
		<-pumpDone
		<-pollDone
	}()

	done := make(chan runOut, 1)
	running := false
	var next time.Time // the next interval (or re-check) run
	start := func(trig Trigger) {
		running = true
		w.deb.Reset()
		why := w.why.String()
		w.why.reset()
		w.seed(ctx)
		now := time.Now()
		fix := w.cfg.Fix && w.cfg.Backoff.Allow(now)
		var held time.Time
		if w.cfg.Fix && !fix {
			held = w.cfg.Backoff.Next(now)
		}
		go func() {
			var rep *checks.Report
			if fix {
				rep = w.cfg.Engine.Fix(ctx, w.cfg.Options, w.cfg.FixOptions)
			} else {
				rep = w.cfg.Engine.Check(ctx, w.cfg.Options)
			}
			res := Result{Time: now, Trigger: trig, Reason: why, Report: rep}
			if !held.IsZero() && repairable(rep) {
				res.RepairHeldUntil = held
			}
			done <- runOut{res: res, fixed: fix, cancel: ctx.Err() != nil}
		}()
	}

	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	start(TriggerStart)
	for {
		if !running {
			var wake time.Time
			if w.deb.Pending() {
				wake = w.deb.Deadline()
			}
			if wake.IsZero() || next.Before(wake) {
				wake = next
			}
			timer.Reset(max(time.Until(wake), 0))
		}
		select {
		case <-ctx.Done():
			if running {
				<-done // bounded by Options.Timeout: the run sees ctx too
			}
			return nil
		case c := <-changes:
			if w.filter.Relevant(c) {
				w.deb.Add(time.Now())
				w.why.add(c)
			}
		case err := <-errs:
			w.cfg.OnError(err)
		case o := <-done:
			running = false
			if o.cancel {
				continue // ctx.Done is ready too: the next select returns
			}
			next = w.finish(o)
		case <-timer.C:
		}
		if running || ctx.Err() != nil {
			continue
		}
		switch now := time.Now(); {
		case w.deb.Due(now):
			start(TriggerEvent)
		case !now.Before(next):
			start(TriggerInterval)
		}
	}
}

// finish reports a run and returns when the next timed run is due.
func (w *watcher) finish(o runOut) time.Time {
	res := o.res
	if o.fixed && attempted(res.Report) {
		w.cfg.Backoff.Record(res.Time)
	}
	res.Fingerprint = FingerprintOf(res.Report)
	res.Previous = w.prev
	res.Changed = w.prev.IsZero() || !res.Fingerprint.Equal(w.prev)
	w.prev = res.Fingerprint
	w.cfg.OnRun(res)

	now := time.Now()
	if res.Report.Verdict == diagnose.Healthy {
		return now.Add(w.cfg.Interval)
	}
	next := now.Add(w.cfg.Recheck)
	if h := res.RepairHeldUntil; !h.IsZero() && h.Before(next) {
		next = h // retry the repair as soon as the backoff allows
	}
	return next
}

// seedTimeout bounds the table dumps before a run: they take well under a
// millisecond on a healthy machine, and a stuck one must not delay the run.
const seedTimeout = 500 * time.Millisecond

// seed gives the filter the tables as they stand just before a run (see
// Filter). Errors leave the filter as it was: at worst a change is judged
// against older tables.
func (w *watcher) seed(ctx context.Context) {
	sys := w.cfg.Engine.Sys
	if sys == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, min(seedTimeout, w.cfg.Options.Timeout))
	defer cancel()
	var gws []netip.Addr
	var ifs []int
	var polled []pollTarget
	opt := w.cfg.Options.Gateway.Unmap()
	if opt.IsValid() {
		gws = append(gws, opt)
	}
	routes, rerr := sys.Routes(ctx)
	for _, r := range routes {
		// Bits <= 1: VPNs cover everything with 0.0.0.0/1 + 128.0.0.0/1
		// (OpenVPN def1, WireGuard) instead of replacing the default.
		if r.Type != netstate.RouteUnicast || !r.Dst.IsValid() || r.Dst.Bits() > 1 {
			continue
		}
		if r.Gateway.IsValid() {
			gws = append(gws, r.Gateway.Unmap())
		}
		if r.IfIndex != 0 {
			ifs = append(ifs, r.IfIndex)
			if r.Gateway.IsValid() {
				polled = append(polled, pollTarget{r.IfIndex, r.Gateway.Unmap().WithZone("")})
			}
			if opt.IsValid() && opt.Is4() == r.Dst.Addr().Is4() {
				polled = append(polled, pollTarget{r.IfIndex, opt.WithZone("")})
			}
		}
	}
	if rerr != nil {
		gws, ifs = append(gws, w.filter.gateways...), w.filter.defaultIfs
	} else if w.poll != nil {
		w.poll.setTargets(slices.Compact(polled))
	}
	neigh, nerr := sys.Neighbors(ctx)
	if nerr != nil {
		neigh = nil
	}
	links, lerr := sys.Links(ctx)
	if lerr != nil {
		links = nil
	}
	w.filter.Seed(gws, ifs, neigh, links)
}

// Reopening a broken source waits reopenMin, doubling up to reopenMax.
var (
	reopenMin = time.Second
	reopenMax = time.Minute
)

// pump reads the source into out until ctx ends, reopening it when it
// breaks. It sends a KindResync change after a reopen: what happened while
// it was broken is unknown.
func pump(ctx context.Context, open func() (Source, error), out chan<- Change, errs chan<- error) {
	delay := reopenMin
	wait := func() bool {
		t := time.NewTimer(delay)
		defer t.Stop()
		delay = min(2*delay, reopenMax)
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
			return true
		}
	}
	send := func(c Change) bool {
		select {
		case out <- c:
			return true
		case <-ctx.Done():
			return false
		}
	}
	report := func(err error) {
		select {
		case errs <- err:
		default: // the loop is behind on errors; they all say the same
		}
	}
	for reopened := false; ctx.Err() == nil; reopened = true {
		src, err := open()
		if errors.Is(err, ErrNoSource) {
			report(err)
			return
		}
		if err != nil {
			report(err)
			if !wait() {
				return
			}
			continue
		}
		stop := context.AfterFunc(ctx, func() { src.Close() })
		if reopened && !send(Change{Kind: KindResync, Detail: "change notifications resumed"}) {
			stop()
			src.Close()
			return
		}
		for {
			c, err := src.Receive()
			if err != nil {
				stop()
				src.Close()
				if ctx.Err() != nil { // our own Close: ErrClosed
					return
				}
				report(err)
				break
			}
			delay = reopenMin
			if !send(c) {
				stop()
				src.Close()
				return
			}
		}
		if !wait() {
			return
		}
	}
}
