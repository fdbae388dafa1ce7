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
	const stop = 300 * time.Millisecond
	w := newProbeWindow(context.Background(), 100*time.Millisecond, 2*time.Second)
	defer w.stop()
	time.Sleep(20 * time.Millisecond)
	cont := exec.Command("/bin/sh", "-c", "sleep "+strconv.FormatFloat(stop.Seconds(), 'f', 3, 64)+"; kill -CONT "+strconv.Itoa(os.Getpid()))
	if err := cont.Start(); err != nil {
		t.Fatal(err)
	}
	// A 1 ms sleep seen to last most of the stop marks when the process
	// ran again (the stop takes effect a moment after kill returns).
	resumedAt := make(chan time.Time, 1)
	watching := make(chan struct{})
	go func() {
		close(watching)
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
			t1 := time.Now()
			time.Sleep(time.Millisecond)
			if time.Since(t1) > stop/3 {
				resumedAt <- time.Now()
				return
			}
		}
		close(resumedAt)
	}()
	<-watching
	if err := syscall.Kill(os.Getpid(), syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	resumed, ok := <-resumedAt
	_ = cont.Wait()
	if !ok {
		t.Fatal("the process did not stop")
	}
	<-w.Done()
	// Begun 20 ms before the stop: 80 ms of the window were left, and
	// most of them must come after it.
	if after := time.Since(resumed); after < 50*time.Millisecond {
		t.Errorf("the window closed %v after the process ran again, want about 80 ms of it left", after)
	}
}
