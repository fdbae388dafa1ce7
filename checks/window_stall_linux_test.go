package checks

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// A process that did not run for a while (stopped, descheduled, an
// emulator's pause) could not send or read its probes meanwhile: the
// window adds that time back. Here the test process stops itself for
// 200 ms (SIGSTOP, with a child sending SIGCONT) inside a 100 ms window.
func TestProbeWindowAddsTimeThisProcessLost(t *testing.T) {
	const stop = 200 * time.Millisecond
	w := newProbeWindow(context.Background(), 100*time.Millisecond, 2*time.Second)
	defer w.stop()
	time.Sleep(20 * time.Millisecond)
	cont := exec.Command("/bin/sh", "-c", "sleep "+strconv.FormatFloat(stop.Seconds(), 'f', 3, 64)+"; kill -CONT "+strconv.Itoa(os.Getpid()))
	if err := cont.Start(); err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	if err := syscall.Kill(os.Getpid(), syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	_ = cont.Wait() // the child exits right after SIGCONT
	resumed := time.Now()
	if stopped := resumed.Sub(t0); stopped < stop*3/4 {
		t.Fatalf("the process stopped only %v", stopped)
	}
	<-w.Done()
	// Begun 20 ms before the stop: 80 ms of the window were left, and
	// most of them must come after it.
	if after := time.Since(resumed); after < 50*time.Millisecond {
		t.Errorf("the window closed %v after the process ran again, want about 80 ms of it left", after)
	}
}
