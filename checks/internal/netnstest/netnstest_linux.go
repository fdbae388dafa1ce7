// Package netnstest runs a test's body in a network namespace of its own,
// for the tests of the Linux readers (checks/internal/sys, firewall,
// neighbor probes) that need real kernel tables without touching the
// machine's.
package netnstest

import (
	"runtime"
	"testing"

	"golang.org/x/sys/unix"
)

// Run runs f on a thread moved into a network namespace of its own
// (needs root). The thread is never unlocked, so it exits with the
// goroutine and the namespace goes with it. Failing to create the
// namespace fails the test: it must never pass by skipping.
func Run(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread()
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			t.Errorf("create a network namespace (root needed): %v", err)
			return
		}
		f(t)
	}()
	<-done
}
