package watch

import (
	"testing"
	"time"
)

func TestDebouncer(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	tests := []struct {
		name   string
		events []int // ms
		due    int   // first ms at which Due is true
	}{
		{"single change waits the quiet period", []int{0}, 300},
		{"a burst is one run after it ends", []int{0, 50, 100, 150}, 450},
		{"a steady trickle is capped by the max delay", []int{0, 200, 400, 600, 800, 950}, 1000},
		{"a change after a long gap still waits quiet", []int{0, 250}, 550},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Debouncer{Quiet: 300 * time.Millisecond, MaxDelay: time.Second}
			if d.Pending() || !d.Deadline().IsZero() || d.Due(at(10_000)) {
				t.Fatal("fresh debouncer is pending")
			}
			for _, ms := range tt.events {
				if d.Due(at(ms)) {
					t.Fatalf("due at %d ms, before the change at %d ms was added", ms, ms)
				}
				d.Add(at(ms))
			}
			if got := d.Deadline(); !got.Equal(at(tt.due)) {
				t.Errorf("deadline %v, want %d ms", got.Sub(t0), tt.due)
			}
			if d.Due(at(tt.due - 1)) {
				t.Errorf("due at %d ms, want not before %d ms", tt.due-1, tt.due)
			}
			if !d.Due(at(tt.due)) {
				t.Errorf("not due at %d ms", tt.due)
			}
			d.Reset()
			if d.Pending() || d.Due(at(tt.due+10_000)) {
				t.Error("pending after Reset")
			}
		})
	}
}

// The watcher's promise: a re-check starts within 1 s of any change,
// however the changes are spread.
func TestDebouncerWithinOneSecond(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	for _, gap := range []time.Duration{time.Millisecond, 100 * time.Millisecond, 299 * time.Millisecond, 301 * time.Millisecond, 2 * time.Second} {
		d := Debouncer{Quiet: DefaultQuiet, MaxDelay: DefaultMaxDelay}
		now := t0
		first := now
		for i := 0; i < 20 && !d.Due(now); i++ {
			d.Add(now)
			now = now.Add(gap)
		}
		if dl := d.Deadline(); dl.Sub(first) > time.Second {
			t.Errorf("gap %v: run due %v after the first change", gap, dl.Sub(first))
		}
	}
}
