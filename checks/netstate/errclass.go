package netstate

import (
	"context"
	"errors"
	"syscall"
)

// ErrClass is what an error says about the network, independent of how
// each OS spells the errno.
type ErrClass string

const (
	ClassNone         ErrClass = ""
	ClassRefused      ErrClass = "refused"        // ECONNREFUSED: the host answered with RST / port unreachable
	ClassHostUnreach  ErrClass = "host-unreach"   // EHOSTUNREACH: no ARP answer, a reject route, or macOS privacy
	ClassNetUnreach   ErrClass = "net-unreach"    // ENETUNREACH: no route
	ClassPermission   ErrClass = "permission"     // EPERM/EACCES: a local firewall, or no right to the socket
	ClassNoBufs       ErrClass = "no-buffers"     // ENOBUFS: the kernel is out of buffers
	ClassAddrNotAvail ErrClass = "addr-not-avail" // EADDRNOTAVAIL: no local port or source address left
	ClassTooManyFiles ErrClass = "too-many-files" // EMFILE/ENFILE
	ClassNoRouteNow   ErrClass = "no-route-now"   // ESRCH: macOS route lookup raced a route change
	ClassReset        ErrClass = "reset"          // ECONNRESET/ECONNABORTED/EPIPE: the peer dropped a connection it had taken
	ClassInvalid      ErrClass = "invalid"        // EINVAL: Linux blackhole routes answer this
	ClassTimeout      ErrClass = "timeout"        // nothing came back before the deadline
	ClassOther        ErrClass = "other"
)

// Classify maps an error to its class with errors.Is, never by its text.
func Classify(err error) ErrClass {
	switch {
	case err == nil:
		return ClassNone
	case errors.Is(err, ErrNoReply), errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled), isTimeout(err):
		return ClassTimeout
	}
	var lr *LocalRejectError
	if errors.As(err, &lr) {
		return ClassPermission // refused by this host's own firewall, whatever the errno
	}
	for _, m := range errnoClasses {
		for _, e := range m.errs {
			if errors.Is(err, e) {
				return m.class
			}
		}
	}
	return ClassOther
}

type errnoClass struct {
	class ErrClass
	errs  []error
}

// errnoClasses is extended by errclass_windows.go with the WSA codes.
var errnoClasses = []errnoClass{
	{ClassRefused, []error{syscall.ECONNREFUSED}},
	{ClassHostUnreach, []error{syscall.EHOSTUNREACH, syscall.EHOSTDOWN}},
	{ClassNetUnreach, []error{syscall.ENETUNREACH, syscall.ENETDOWN}},
	{ClassPermission, []error{syscall.EPERM, syscall.EACCES}},
	{ClassNoBufs, []error{syscall.ENOBUFS}},
	{ClassAddrNotAvail, []error{syscall.EADDRNOTAVAIL}},
	{ClassTooManyFiles, []error{syscall.EMFILE, syscall.ENFILE}},
	{ClassNoRouteNow, []error{syscall.ESRCH}},
	{ClassInvalid, []error{syscall.EINVAL}},
	{ClassReset, []error{syscall.ECONNRESET, syscall.ECONNABORTED, syscall.EPIPE}},
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// errText is a short human form of an error for evidence lines.
func ErrText(err error) string {
	if err == nil {
		return "ok"
	}
	if c := Classify(err); c == ClassTimeout {
		return "no reply"
	}
	var lr *LocalRejectError
	if errors.As(err, &lr) {
		return lr.Error()
	}
	var en syscall.Errno
	if errors.As(err, &en) {
		return en.Error()
	}
	return err.Error()
}

// ErrNoReply is a probe that sent and heard nothing before its deadline.
var ErrNoReply = errors.New("no reply")
