package checks

import (
	"context"
	"errors"
	"fmt"
	"net"
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
		{nil, ErrNone},
		{wrap(syscall.ECONNREFUSED), ErrRefused},
		{wrap(syscall.EHOSTUNREACH), ErrHostUnreach},
		{wrap(syscall.EHOSTDOWN), ErrHostUnreach},
		{wrap(syscall.ENETUNREACH), ErrNetUnreach},
		{wrap(syscall.ENETDOWN), ErrNetUnreach},
		{wrap(syscall.EPERM), ErrPermission},
		{wrap(syscall.EACCES), ErrPermission},
		{wrap(syscall.ENOBUFS), ErrNoBufs},
		{wrap(syscall.EADDRNOTAVAIL), ErrAddrNotAvail},
		{wrap(syscall.EMFILE), ErrTooManyFiles},
		{wrap(syscall.ENFILE), ErrTooManyFiles},
		{fmt.Errorf("route get: %w", syscall.ESRCH), ErrNoRouteNow},
		{fmt.Errorf("route get: %w", syscall.EINVAL), ErrInvalid},
		{ErrNoReply, ErrTimeout},
		{fmt.Errorf("x: %w", context.DeadlineExceeded), ErrTimeout},
		{context.Canceled, ErrTimeout},
		{&net.DNSError{Err: "i/o timeout", IsTimeout: true}, ErrTimeout},
		{errors.New("something else"), ErrOther},
	} {
		if got := Classify(tc.err); got != tc.want {
			t.Errorf("Classify(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}
