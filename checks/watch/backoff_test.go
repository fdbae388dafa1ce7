package watch

import (
	"testing"
	"time"
)

func TestBackoffDelaysAndCap(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	b := &Backoff{Base: 10 * time.Second, Max: time.Minute, Limit: 3, Window: 10 * time.Minute}
	if !b.Allow(t0) {
		t.Fatal("first repair not allowed")
	}
	b.Record(t0)
	// Doubling: 10 s after the first, 20 s after the second.
	if b.Allow(t0.Add(9*time.Second)) || !b.Allow(t0.Add(10*time.Second)) {
		t.Errorf("second repair: next %v, want +10s", b.Next(t0).Sub(t0))
	}
	b.Record(t0.Add(10 * time.Second))
	if got := b.Next(t0.Add(10 * time.Second)).Sub(t0); got != 30*time.Second {
		t.Errorf("third repair at +%v, want +30s", got)
	}
	b.Record(t0.Add(30 * time.Second))
	// The cap: 3 in 10 minutes. The delay alone (40 s) would allow +70 s.
	if b.Allow(t0.Add(70 * time.Second)) {
		t.Error("fourth repair allowed within the window")
	}
	if got := b.Next(t0.Add(70 * time.Second)).Sub(t0); got != 10*time.Minute {
		t.Errorf("fourth repair at +%v, want +10m (first attempt + window)", got)
	}
	// Simulate a loop: a repair that never holds, retried whenever allowed
	// over an hour. At most 3 in any 10 minutes.
	b = &Backoff{Base: time.Second, Max: time.Minute, Limit: 3, Window: 10 * time.Minute}
	var at []time.Time
	for now := t0; now.Before(t0.Add(time.Hour)); now = now.Add(time.Second) {
		if b.Allow(now) {
			b.Record(now)
			at = append(at, now)
		}
	}
	for i := range at {
		n := 0
		for _, a := range at[i:] {
			if a.Sub(at[i]) < 10*time.Minute {
				n++
			}
		}
		if n > 3 {
			t.Fatalf("%d repairs within 10 minutes from +%v: %v", n, at[i].Sub(t0), at)
		}
	}
	if len(at) < 6 || len(at) > 18 {
		t.Errorf("%d repairs in an hour, want between 6 and 18", len(at))
	}
}

func TestBackoffStreakResets(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	b := DefaultBackoff()
	b.Record(t0)
	b.Record(t0.Add(b.Base))
	// Quiet for a whole window: the next repair is immediate and the
	// following one waits Base again, not 4·Base.
	later := t0.Add(b.Base + b.Window)
	if !b.Allow(later) {
		t.Fatalf("not allowed after a quiet window; next %v", b.Next(later).Sub(later))
	}
	b.Record(later)
	if got := b.Next(later).Sub(later); got != b.Base {
		t.Errorf("delay after a reset streak %v, want %v", got, b.Base)
	}
}

func TestBackoffOverflow(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	b := &Backoff{Base: time.Hour, Max: 24 * time.Hour, Window: 1000 * time.Hour}
	now := t0
	for range 100 {
		b.Record(now)
		now = now.Add(time.Minute)
	}
	if got := b.Next(now).Sub(b.last); got != 24*time.Hour {
		t.Errorf("delay after 100 attempts %v, want the 24h maximum", got)
	}
}
