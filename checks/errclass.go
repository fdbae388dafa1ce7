package checks

import (
	"context"
	"errors"
	"syscall"
)

// ErrClass is what an error says about the network, independent of how
// each OS spells the errno.
type ErrClass string

const (
	ErrNone         ErrClass = ""
	ErrRefused      ErrClass = "refused"        // ECONNREFUSED: the host answered with RST / port unreachable
	ErrHostUnreach  ErrClass = "host-unreach"   // EHOSTUNREACH: no ARP answer, a reject route, or macOS privacy
	ErrNetUnreach   ErrClass = "net-unreach"    // ENETUNREACH: no route
	ErrPermission   ErrClass = "permission"     // EPERM/EACCES: a local firewall, or no right to the socket
	ErrNoBufs       ErrClass = "no-buffers"     // ENOBUFS: the kernel is out of buffers
	ErrAddrNotAvail ErrClass = "addr-not-avail" // EADDRNOTAVAIL: no local port or source address left
	ErrTooManyFiles ErrClass = "too-many-files" // EMFILE/ENFILE
	ErrNoRouteNow   ErrClass = "no-route-now"   // ESRCH: macOS route lookup raced a route change
	ErrInvalid      ErrClass = "invalid"        // EINVAL: Linux blackhole routes answer this
	ErrTimeout      ErrClass = "timeout"        // nothing came back before the deadline
	ErrOther        ErrClass = "other"
)

// Classify maps an error to its class with errors.Is, never by its text.
func Classify(err error) ErrClass {
	switch {
	case err == nil:
		return ErrNone
	case errors.Is(err, ErrNoReply), errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled), isTimeout(err):
		return ErrTimeout
	}
	for _, m := range errnoClasses {
		for _, e := range m.errs {
			if errors.Is(err, e) {
				return m.class
			}
		}
	}
	return ErrOther
}

type errnoClass struct {
	class ErrClass
	errs  []error
}

// errnoClasses is extended by errclass_windows.go with the WSA codes.
var errnoClasses = []errnoClass{
	{ErrRefused, []error{syscall.ECONNREFUSED}},
	{ErrHostUnreach, []error{syscall.EHOSTUNREACH, syscall.EHOSTDOWN}},
	{ErrNetUnreach, []error{syscall.ENETUNREACH, syscall.ENETDOWN}},
	{ErrPermission, []error{syscall.EPERM, syscall.EACCES}},
	{ErrNoBufs, []error{syscall.ENOBUFS}},
	{ErrAddrNotAvail, []error{syscall.EADDRNOTAVAIL}},
	{ErrTooManyFiles, []error{syscall.EMFILE, syscall.ENFILE}},
	{ErrNoRouteNow, []error{syscall.ESRCH}},
	{ErrInvalid, []error{syscall.EINVAL}},
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// errText is a short human form of an error for evidence lines.
func errText(err error) string {
	if err == nil {
		return "ok"
	}
	if c := Classify(err); c == ErrTimeout {
		return "no reply"
	}
	var en syscall.Errno
	if errors.As(err, &en) {
		return en.Error()
	}
	return err.Error()
}

// ErrNoReply is a probe that sent and heard nothing before its deadline.
var ErrNoReply = errors.New("no reply")
