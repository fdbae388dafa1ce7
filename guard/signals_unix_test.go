//go:build !windows

package main

import (
	"os"
	"syscall"
	"testing"
	"time"
)

// TestRunSignals checks runSignals: armed, SIGINT cancels the run's context;
// with every signal ignored by the caller nothing is registered, so an
// unrelated signal (SIGWINCH) cannot pass for an interrupt (signal.Notify
// with no signals relays all of them); stop before arm leaves nothing to arm.
func TestRunSignals(t *testing.T) {
	t.Run("armed: SIGINT cancels", func(t *testing.T) {
		r := newRunSignals([]os.Signal{os.Interrupt})
		defer r.stop()
		r.arm()
		r.arm() // once
		if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
			t.Fatal(err)
		}
		select {
		case <-r.ctx.Done():
		case <-time.After(5 * time.Second):
			t.Fatal("SIGINT did not cancel the armed run")
		}
	})
	t.Run("nothing to catch: other signals are not an interrupt", func(t *testing.T) {
		r := newRunSignals(nil)
		defer r.stop()
		r.arm()
		if err := syscall.Kill(os.Getpid(), syscall.SIGWINCH); err != nil {
			t.Fatal(err)
		}
		select {
		case <-r.ctx.Done():
			t.Fatal("SIGWINCH cancelled a run that catches nothing")
		case <-time.After(100 * time.Millisecond):
		}
	})
	t.Run("stop before arm", func(t *testing.T) {
		r := newRunSignals([]os.Signal{os.Interrupt})
		r.stop()
		r.arm()
		if r.armed {
			t.Fatal("armed after stop")
		}
		if r.ctx.Err() == nil {
			t.Fatal("stop left the context running")
		}
	})
}
