package checks

import (
	"context"
	"testing"
	"time"
)

func TestProbeWindowFor(t *testing.T) {
	for _, tt := range []struct {
		timeout, wait       time.Duration
		wantWait, wantLimit time.Duration
	}{
		{2 * time.Second, 0, DefaultProbeWait, maxProbeWait - 100*time.Millisecond},
		{30 * time.Second, 0, DefaultProbeWait, maxProbeWait},
		{300 * time.Millisecond, 0, 240 * time.Millisecond, 240 * time.Millisecond},
		{30 * time.Second, 5 * time.Second, 5 * time.Second, 5 * time.Second},
	} {
		w, l := probeWindowFor(Options{Timeout: tt.timeout, ProbeWait: tt.wait})
		if w != tt.wantWait || l != tt.wantLimit {
			t.Errorf("timeout %v wait %v: got %v/%v, want %v/%v", tt.timeout, tt.wait, w, l, tt.wantWait, tt.wantLimit)
		}
	}
}

// A slow answer stretches the window to a few of its round trips; the
// window then ends with DeadlineExceeded, as a deadline would.
func TestProbeWindowStretches(t *testing.T) {
	w := newProbeWindow(context.Background(), 50*time.Millisecond, time.Second)
	defer w.stop()
	w.answered(60*time.Millisecond, 60*time.Millisecond) // 4 round trips: 240 ms
	t0 := time.Now()
	<-w.Done()
	took := time.Since(t0)
	// The upper bound is the window's limit plus scheduling slack: a
	// loaded machine's late timers are credited back to the window, so
	// only the limit is a promise.
	if took < 150*time.Millisecond || took > 1100*time.Millisecond {
		t.Errorf("window closed after %v, want about 240 ms and within its 1 s limit", took)
	}
	if w.Err() != context.DeadlineExceeded {
		t.Errorf("Err = %v, want DeadlineExceeded", w.Err())
	}
	if _, ok := w.Deadline(); ok {
		t.Error("a window that may grow must not report a deadline")
	}
}

func TestProbeWindowEndsWithParent(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	w := newProbeWindow(ctx, time.Hour, time.Hour)
	defer w.stop()
	cancel()
	select {
	case <-w.Done():
	case <-time.After(time.Second):
		t.Fatal("window outlived its parent")
	}
	if w.Err() != context.Canceled {
		t.Errorf("Err = %v, want Canceled", w.Err())
	}
}

// The window's time counts from begin, when the probes are sent: a slow
// table read before them does not eat it.
func TestProbeWindowBeginsWhenProbesAreSent(t *testing.T) {
	w := openProbeWindow(context.Background(), 50*time.Millisecond, time.Second)
	defer w.stop()
	time.Sleep(150 * time.Millisecond) // the tables take longer than the wait
	select {
	case <-w.Done():
		t.Fatal("the window closed before its probes were sent")
	default:
	}
	t0 := time.Now()
	w.begin()
	<-w.Done()
	if took := time.Since(t0); took < 40*time.Millisecond || took > 400*time.Millisecond {
		t.Errorf("window closed %v after begin, want about 50 ms", took)
	}
}

// A machine whose own stack answers loopback slowly (an emulator, a loaded
// VM) delivers the network's answers late too: a window about to close in
// silence lasts a few of those round trips more, once.
func TestProbeWindowStretchesForASlowLoopback(t *testing.T) {
	for _, tt := range []struct {
		name     string
		loopback time.Duration
		min, max time.Duration
	}{
		{"fast loopback: closes on time", 50 * time.Microsecond, 40 * time.Millisecond, 150 * time.Millisecond},
		{"slow loopback: four of its round trips more", 50 * time.Millisecond, 230 * time.Millisecond, 600 * time.Millisecond},
		{"very slow loopback: within the limit", time.Second, 450 * time.Millisecond, 900 * time.Millisecond},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := openProbeWindow(context.Background(), 50*time.Millisecond, 500*time.Millisecond)
			defer w.stop()
			calls := 0
			w.loopback = func() time.Duration { calls++; return tt.loopback }
			t0 := time.Now()
			w.begin()
			<-w.Done()
			if took := time.Since(t0); took < tt.min || took > tt.max {
				t.Errorf("closed after %v, want %v..%v", took, tt.min, tt.max)
			}
			if calls != 1 {
				t.Errorf("loopback measured %d times, want once", calls)
			}
		})
	}
}

func TestLoopbackRTT(t *testing.T) {
	if d := loopbackRTT(); d <= 0 || d > time.Second {
		t.Fatalf("loopbackRTT = %v", d)
	}
}
