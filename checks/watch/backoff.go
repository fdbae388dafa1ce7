package watch

import "time"

// Backoff holds repairs back so that a repair that does not hold (the
// network breaks again right after, e.g. a rogue device keeps poisoning
// the ARP cache) is never retried in a loop: after each attempt the next
// one waits Base, 2·Base, 4·Base … up to Max, and at most Limit attempts
// are made in any Window. The streak of doubling starts over once Window
// has passed without an attempt. Times are passed in; the zero value
// allows everything (set the fields, or use DefaultBackoff).
type Backoff struct {
	Base   time.Duration
	Max    time.Duration
	Limit  int
	Window time.Duration

	attempts []time.Time // within Window, oldest first
	streak   int
	last     time.Time
}

// DefaultBackoff returns the watcher's backoff: 30 s, 1 min, 2 min … 10 min
// between attempts, and never more than 3 repairs in 10 minutes.
func DefaultBackoff() *Backoff {
	return &Backoff{Base: 30 * time.Second, Max: 10 * time.Minute, Limit: 3, Window: 10 * time.Minute}
}

func (b *Backoff) prune(now time.Time) {
	i := 0
	for i < len(b.attempts) && !now.Before(b.attempts[i].Add(b.Window)) {
		i++
	}
	b.attempts = b.attempts[i:]
	if b.streak > 0 && !now.Before(b.last.Add(b.Window)) {
		b.streak = 0
	}
}

// Next is the earliest time a repair may be attempted: now or earlier when
// one may be attempted at once.
func (b *Backoff) Next(now time.Time) time.Time {
	b.prune(now)
	next := now
	if b.streak > 0 && b.Base > 0 {
		d := b.Base << min(b.streak-1, 62)
		if d < b.Base || (b.Max > 0 && d > b.Max) { // < Base: the shift overflowed
			d = b.Max
		}
		next = later(next, b.last.Add(d))
	}
	if b.Limit > 0 && len(b.attempts) >= b.Limit {
		next = later(next, b.attempts[len(b.attempts)-b.Limit].Add(b.Window))
	}
	return next
}

// Allow reports whether a repair may be attempted at now.
func (b *Backoff) Allow(now time.Time) bool { return !b.Next(now).After(now) }

// Record notes a repair attempt at now, whatever its result: one that
// failed or was not permitted must not be retried at once either.
func (b *Backoff) Record(now time.Time) {
	b.prune(now)
	b.attempts = append(b.attempts, now)
	b.streak++
	b.last = now
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
