package checks

import (
	"context"
	"net"
	"sync"
	"time"
)

// The probe window: how long probes may wait for an
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
//
// The window's time counts from begin, when the probes that decide on
// silence are sent: reading the tables first (the tens of thousands of
// routes a VPN may push) must not eat it. Until then it is open, bounded
// by its parent.
// Time this process itself lost (its timers firing late on a loaded or
// emulated machine) is time its probes could not use: the window adds it
// back, within its limit. A machine whose own network stack is slow
// (loopback answering late) gets a few of its round trips more.
type probeWindow struct {
	parent context.Context
	done   chan struct{}
	once   sync.Once

	mu      sync.Mutex
	start   time.Time // begin's time; zero before
	err     error
	timer   *time.Timer
	cur     time.Duration
	base    time.Duration // the wait asked for, before any stretching
	limit   time.Duration
	stalled time.Duration // time this process lost, measured by watchStalls
	looked  time.Time     // watchStalls' last look at the clock
	added   time.Duration // the part of stalled already added to cur
	// loopback measures this machine's own stack (loopbackRTT), once, when
	// the window is about to close in silence.
	loopback      func() time.Duration
	loopbackTried bool

	stopParent func() bool
}

var _ context.Context = (*probeWindow)(nil)

// openProbeWindow returns a window that has not begun: it stays open until
// begin is called and its time is up, or its parent is done.
func openProbeWindow(parent context.Context, wait, limit time.Duration) *probeWindow {
	w := &probeWindow{parent: parent, done: make(chan struct{}), cur: wait, base: wait, limit: max(wait, limit), loopback: loopbackRTT}
	w.stopParent = context.AfterFunc(parent, func() { w.close(parent.Err()) })
	return w
}

// newProbeWindow returns a window that begins now.
func newProbeWindow(parent context.Context, wait, limit time.Duration) *probeWindow {
	w := openProbeWindow(parent, wait, limit)
	w.begin()
	return w
}

// stallTick and stallSlack: the window looks at the clock every stallTick;
// a look that comes more than stallSlack late means this process did not
// run meanwhile.
const (
	stallTick  = 10 * time.Millisecond
	stallSlack = 5 * time.Millisecond
)

// begin starts the window's time now; later calls do nothing.
func (w *probeWindow) begin() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.timer != nil || w.err != nil {
		return
	}
	w.start = time.Now()
	w.looked = w.start
	w.timer = time.AfterFunc(w.cur, w.expire)
	go w.watchStalls()
}

// watchStalls adds up, until the window closes, how late its ticks come:
// the time the runtime, the scheduler or an emulator kept this process
// from running, and so from sending and reading its probes.
func (w *probeWindow) watchStalls() {
	t := time.NewTicker(stallTick)
	defer t.Stop()
	for {
		select {
		case <-w.done:
			return
		case now := <-t.C:
			w.mu.Lock()
			w.stalled += w.gap(now)
			w.looked = now
			w.mu.Unlock()
		}
	}
}

// gap is how much later than due the look at now comes, if more than the
// slack; w.mu is held.
func (w *probeWindow) gap(now time.Time) time.Duration {
	if g := now.Sub(w.looked) - stallTick; g > stallSlack {
		return g
	}
	return 0
}

// expire closes the window when its time is up, unless this process lost
// time meanwhile (stalls seen so far, and the one this very call may come
// after): then the window lasts that much longer, within its limit.
func (w *probeWindow) expire() {
	w.mu.Lock()
	now := time.Now()
	since := now.Sub(w.start)
	if since < w.cur && w.err == nil {
		w.mu.Unlock() // stretched after this call was due: the timer runs again
		return
	}
	lost := w.stalled + w.gap(now)
	if extra := lost - w.added; extra > 0 && w.cur < w.limit && w.err == nil {
		w.added = lost
		w.cur = min(w.cur+extra, w.limit)
		if w.cur > since {
			w.timer.Reset(w.cur - since)
			w.mu.Unlock()
			return
		}
	}
	measure := !w.loopbackTried && w.cur < w.limit && w.err == nil
	w.loopbackTried = true
	w.mu.Unlock()
	if measure {
		// Silence so far: before it counts, see whether this machine's
		// own network stack answers slowly (an emulator, a loaded VM).
		// An answer the network sent in time reaches the probes that much
		// later.
		if rtt := w.loopback(); rtt >= slowLoopback {
			w.mu.Lock()
			since = time.Since(w.start)
			w.cur = min(max(w.cur, since+slowPathFactor*rtt), w.limit)
			if w.cur > since && w.err == nil {
				w.timer.Reset(w.cur - since)
				w.mu.Unlock()
				return
			}
			w.mu.Unlock()
		}
	}
	w.close(context.DeadlineExceeded)
}

// slowLoopback is how slow a loopback accept may be: one that takes this
// long to be accepted (a few tens of microseconds on a machine that runs
// normally) means this machine's network stack itself is slow.
const slowLoopback = 2 * time.Millisecond

// loopbackRTT is how long a TCP connection to a listener on loopback takes
// to be accepted: a round trip through this machine's own stack, with no
// network in it. An error counts as no measure (zero).
func loopbackRTT() time.Duration {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0
	}
	defer ln.Close()
	t0 := time.Now()
	done := make(chan time.Duration, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			done <- 0
			return
		}
		c.Close()
		done <- time.Since(t0)
	}()
	c, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second)
	if err != nil {
		ln.Close()
		<-done
		return 0
	}
	defer c.Close()
	return <-done
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

// lossGap is how late an answer says loss: one that comes this long after
// its probe started, beyond its own round trips, came from a later attempt:
// the earlier ones were lost.
const lossGap = 50 * time.Millisecond

// answered stretches the window to slowPathFactor round trips of an
// answer that took rtt, within the limit. An answer that came only after
// earlier attempts were lost (since, the time from its probe's start, well
// beyond the round trip) proves the path loses packets, in bursts as
// likely as not: the window then lasts another base wait from now, so a
// probe still silent gets as many attempts after the burst as before it.
// Before begin, the window has no time to stretch yet: only the count is
// kept.
func (w *probeWindow) answered(rtt, since time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil || w.timer == nil {
		return
	}
	elapsed := time.Since(w.start)
	want := min(slowPathFactor*rtt, w.limit)
	if since > 2*rtt+lossGap {
		want = max(want, min(elapsed+w.base, w.limit))
	}
	if want <= w.cur {
		return
	}
	w.cur = want
	w.timer.Reset(max(0, want-elapsed))
}

// stop releases the window's timer and parent hook.
func (w *probeWindow) stop() {
	w.mu.Lock()
	if w.timer != nil {
		w.timer.Stop()
	}
	w.mu.Unlock()
	w.stopParent()
	w.close(context.Canceled)
}
