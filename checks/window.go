package checks

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// The probe window (issues 14 and 16): how long probes may wait for an
// answer. It has its own bound, not a share of --timeout: raising the
// timeout for a slow machine must not lengthen every broken start.
//
// Silence is the only evidence of some faults (a wrong gateway MAC, a dead
// name server, traffic dropped upstream), so the window is as short as that
// evidence allows: every probe sends several attempts spaced out inside it
// (8 echoes 40 ms apart, 3 rounds of connects 200 ms apart, DNS resends),
// so at 30 % independent loss all of them are lost with a probability
// around 1e-6. A path that answers slowly stretches the window to a few of
// its round trips, up to maxProbeWait: "as long as loss needs, as short as
// silence allows".
const (
	DefaultProbeWait = 450 * time.Millisecond
	maxProbeWait     = 2 * time.Second
	// slowPathFactor: silence counts once this many round trips of the
	// slowest answer seen have passed.
	slowPathFactor = 4
)

// probeWindowFor is the window for a run: the asked (or default) wait,
// never more than the run's timeout allows once diagnosis and reporting
// have their share.
func probeWindowFor(o Options) (wait, limit time.Duration) {
	wait = o.ProbeWait
	if wait <= 0 {
		wait = DefaultProbeWait
	}
	limit = o.Timeout - min(o.Timeout/5, 100*time.Millisecond)
	return min(wait, limit), min(max(wait, maxProbeWait), limit)
}

// probeWindow is the context every probe runs under. It is done when the
// window closes (Err is context.DeadlineExceeded, as with a deadline, so
// probes report a timeout) or when its parent is. It reports no Deadline:
// the window may grow while probes run, so none may copy a deadline into
// a socket.
type probeWindow struct {
	parent context.Context
	done   chan struct{}
	once   sync.Once
	start  time.Time

	mu    sync.Mutex
	err   error
	timer *time.Timer
	cur   time.Duration
	base  time.Duration // the wait asked for, before any stretching
	limit time.Duration

	stopParent func() bool
	// answers counts the answers seen (answered calls).
	answers atomic.Int32
}

var _ context.Context = (*probeWindow)(nil)

func newProbeWindow(parent context.Context, wait, limit time.Duration) *probeWindow {
	w := &probeWindow{parent: parent, done: make(chan struct{}), start: time.Now(), cur: wait, base: wait, limit: max(wait, limit)}
	w.timer = time.AfterFunc(wait, func() { w.close(context.DeadlineExceeded) })
	w.stopParent = context.AfterFunc(parent, func() { w.close(parent.Err()) })
	return w
}

func (w *probeWindow) close(err error) {
	w.once.Do(func() {
		w.mu.Lock()
		w.err = err
		w.mu.Unlock()
		close(w.done)
	})
}

func (w *probeWindow) Deadline() (time.Time, bool) { return time.Time{}, false }
func (w *probeWindow) Done() <-chan struct{}       { return w.done }
func (w *probeWindow) Value(key any) any           { return w.parent.Value(key) }
func (w *probeWindow) Err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// lossGap: an answer that comes this long after its probe started, beyond
// its own round trips, came from a later attempt: the earlier ones were
// lost.
const lossGap = 50 * time.Millisecond

// answered stretches the window to slowPathFactor round trips of an
// answer that took rtt, within the limit. An answer that came only after
// earlier attempts were lost (since, the time from its probe's start, well
// beyond the round trip) proves the path loses packets, in bursts as
// likely as not: the window then lasts another base wait from now, so a
// probe still silent gets as many attempts after the burst as before it.
func (w *probeWindow) answered(rtt, since time.Duration) {
	w.answers.Add(1)
	want := min(slowPathFactor*rtt, w.limit)
	if since > 2*rtt+lossGap {
		want = max(want, min(time.Since(w.start)+w.base, w.limit))
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil || want <= w.cur {
		return
	}
	w.cur = want
	w.timer.Reset(max(0, want-time.Since(w.start)))
}

// end closes the window now, as if its time were up: the evidence is
// complete.
func (w *probeWindow) end() {
	w.timer.Stop()
	w.close(context.DeadlineExceeded)
}

// stop releases the window's timer and parent hook.
func (w *probeWindow) stop() {
	w.timer.Stop()
	w.stopParent()
	w.close(context.Canceled)
}
