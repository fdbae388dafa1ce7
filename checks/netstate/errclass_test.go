package netstate

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"syscall"
	"testing"
)

// Classify as a table: each errno the probes and route lookups see, wrapped
// as the OS layers and the net package wrap them, and the timeouts.
func TestClassify(t *testing.T) {
	wrap := func(e error) error {
		return fmt.Errorf("probe: %w", &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", e)})
	}
	for _, tc := range []struct {
		err  error
		want ErrClass
	}{
		{nil, ClassNone},
		{wrap(syscall.ECONNREFUSED), ClassRefused},
		{wrap(syscall.EHOSTUNREACH), ClassHostUnreach},
		{wrap(syscall.EHOSTDOWN), ClassHostUnreach},
		{wrap(syscall.ENETUNREACH), ClassNetUnreach},
		{wrap(syscall.ENETDOWN), ClassNetUnreach},
		{wrap(syscall.EPERM), ClassPermission},
		{wrap(syscall.EACCES), ClassPermission},
		{wrap(syscall.ENOBUFS), ClassNoBufs},
		{wrap(syscall.EADDRNOTAVAIL), ClassAddrNotAvail},
		{wrap(syscall.EMFILE), ClassTooManyFiles},
		{wrap(syscall.ENFILE), ClassTooManyFiles},
		{fmt.Errorf("route get: %w", syscall.ESRCH), ClassNoRouteNow},
		{fmt.Errorf("route get: %w", syscall.EINVAL), ClassInvalid},
		{fmt.Errorf("read: %w", syscall.ECONNRESET), ClassReset},
		{fmt.Errorf("write: %w", syscall.EPIPE), ClassReset},
		{ErrNoReply, ClassTimeout},
		{fmt.Errorf("x: %w", context.DeadlineExceeded), ClassTimeout},
		{context.Canceled, ClassTimeout},
		{&net.DNSError{Err: "i/o timeout", IsTimeout: true}, ClassTimeout},
		{errors.New("something else"), ClassOther},
	} {
		if got := Classify(tc.err); got != tc.want {
			t.Errorf("Classify(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

// A refusal that this host's own firewall sent is the local firewall,
// whatever the errno, and keeps the errno for errors.Is.
func TestClassifyLocalReject(t *testing.T) {
	err := fmt.Errorf("dial: %w", &LocalRejectError{Err: syscall.ECONNREFUSED, From: netip.MustParseAddr("198.18.3.2")})
	if c := Classify(err); c != ClassPermission {
		t.Errorf("Classify = %s, want %s", c, ClassPermission)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Error("the errno is lost")
	}
	if got, want := ErrText(err), "rejected by this host's own firewall (an ICMP error from 198.18.3.2: connection refused)"; got != want {
		t.Errorf("ErrText = %q, want %q", got, want)
	}
}
