package watch

import "time"

// Debouncer turns a burst of changes into one re-check: it fires once no
// change has come for Quiet, or MaxDelay after the first change of the
// burst, whichever is first. A link coming up brings its addresses, routes
// and neighbor entries within milliseconds; checking after the first of
// them would see a half-configured interface, and a steady trickle of
// changes must not postpone the check forever. All times are passed in, so
// it is tested without a clock.
type Debouncer struct {
	Quiet    time.Duration
	MaxDelay time.Duration

	pending     bool
	first, last time.Time
}

// Add records a change at now.
func (d *Debouncer) Add(now time.Time) {
	if !d.pending {
		d.pending, d.first = true, now
	}
	d.last = now
}

// Pending reports whether a change is waiting.
func (d *Debouncer) Pending() bool { return d.pending }

// Deadline is when the waiting changes are due; the zero time when none
// is waiting.
func (d *Debouncer) Deadline() time.Time {
	if !d.pending {
		return time.Time{}
	}
	q, m := d.last.Add(d.Quiet), d.first.Add(d.MaxDelay)
	if m.Before(q) {
		return m
	}
	return q
}

// Due reports whether the waiting changes are due at now.
func (d *Debouncer) Due(now time.Time) bool {
	return d.pending && !now.Before(d.Deadline())
}

// Reset forgets the waiting changes: a run has started and will see them.
func (d *Debouncer) Reset() { d.pending = false }
