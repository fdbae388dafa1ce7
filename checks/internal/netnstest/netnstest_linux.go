// Package netnstest runs a test's body in a network namespace of its own,
// for the tests of the Linux readers (checks/internal/sys, firewall,
// neighprobe) that need real kernel tables without touching the
// machine's, with the two helpers that fill such a namespace.
package netnstest

import (
	"net"
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

// Must fails the test at once when a step of building the namespace
// failed; what names the step.
func Must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// CIDR is s as an address with its prefix (the IP is the address, not the
// network's), as netlink.Addr wants it; it panics on a malformed s, which
// only a test's own literal can be.
func CIDR(s string) *net.IPNet {
	ip, n, err := net.ParseCIDR(s)
	if err != nil {
		panic(err)
	}
	n.IP = ip
	return n
}
