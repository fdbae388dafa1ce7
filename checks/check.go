package checks

import (
	"context"
	"time"

	"github.com/netguard/netguard/checks/diagnose"
)

// Check runs a read-only diagnosis bounded by o.Timeout.
func (e *Engine) Check(ctx context.Context, o Options) *Report {
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	s := e.Collect(ctx, o)
	d := e.withManagers(diagnose.Diagnose(s))
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
	r.DurationMS = diagnose.DurMS(time.Since(start))
	return r
}
