//go:build linux

package sys

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// rtnl is one NETLINK_ROUTE socket shared by every table read of one
// System value. vishvananda/netlink opened a socket per call and read it
// with a blocking recvfrom, which ignored ctx and held an OS thread per
// call (a healthy check opened 10 sockets and ran 11 threads). This one is
// non-blocking and wrapped in an os.File, so the runtime poller waits for
// it: no thread is blocked, ctx's deadline is the read deadline, and a
// cancelled ctx wakes the read at once.
//
// The socket is opened on first use, in the network namespace of the
// calling thread, and kept for later requests. Requests are serialised
// (the kernel runs one dump per socket at a time anyway); each carries its
// own sequence number. An exchange that ends early (ctx, a read error, a
// malformed reply) leaves the kernel's reply half read, so the socket is
// closed and the next request opens a fresh one.
type rtnl struct {
	sem chan struct{} // capacity 1: a waiter can give up with its ctx
	f   *os.File      // nil: not open
	rc  syscall.RawConn
	seq uint32
	buf []byte
	// proto is the netlink protocol: NETLINK_ROUTE, or NETLINK_GENERIC
	// for a generic netlink family (WireGuard's).
	proto int
}

// rtnlBufSize is the first receive buffer: the kernel sizes a dump's
// datagrams to at most 32 KiB (netlink_dump), and vishvananda reads with
// 64 KiB. A larger datagram is detected (MSG_TRUNC) and the request
// retried with a buffer of its size.
const rtnlBufSize = 64 << 10

// rtnlRetries bounds the retries of one request: a dump the kernel
// interrupted because the table changed under it (NLM_F_DUMP_INTR) must
// never be read as "entry absent", and a truncated datagram is read again
// with a larger buffer.
const rtnlRetries = 3

func newRtnl() *rtnl { return &rtnl{sem: make(chan struct{}, 1), proto: unix.NETLINK_ROUTE} }

// newGenl is the same exchange over a NETLINK_GENERIC socket.
func newGenl() *rtnl { return &rtnl{sem: make(chan struct{}, 1), proto: unix.NETLINK_GENERIC} }

// errTruncated says a datagram did not fit the receive buffer (which has
// been grown): the request is sent again.
var errTruncated = errors.New("rtnetlink datagram larger than the receive buffer")

// kernelError is an NLMSG_ERROR (or a failed NLMSG_DONE) from the kernel:
// the reply is complete and the socket still usable. It unwraps to the
// errno, so errors.Is(err, unix.EHOSTUNREACH) holds for a route lookup.
type kernelError struct{ errno unix.Errno }

func (e *kernelError) Error() string { return e.errno.Error() }
func (e *kernelError) Unwrap() error { return e.errno }

// request sends one message of type typ (body: the fixed header and
// attributes) and calls fn with the body of every reply message of type
// want, before the receive buffer is reused: fn must copy what it keeps.
// reset is called before each attempt so that fn starts from scratch
// after a retried dump. Errors keep the kernel's errno and ctx's error.
func (c *rtnl) request(ctx context.Context, typ, flags uint16, body []byte, want uint16, reset func(), fn func([]byte) error) error {
	return retry(reset, func() error { return c.once(ctx, typ, flags, body, want, fn) })
}

// retry runs once until it neither reports an interrupted dump nor a
// truncated datagram, at most rtnlRetries times; reset runs before each.
func retry(reset func(), once func() error) error {
	var err error
	for range rtnlRetries {
		if reset != nil {
			reset()
		}
		err = once()
		if !errors.Is(err, netlink.ErrDumpInterrupted) && !errors.Is(err, errTruncated) {
			return err
		}
	}
	return err
}

// once is one exchange under the socket's lock.
func (c *rtnl) once(ctx context.Context, typ, flags uint16, body []byte, want uint16, fn func([]byte) error) error {
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-c.sem }()
	if err := ctx.Err(); err != nil {
		return err
	}
	if c.f == nil {
		if err := c.open(); err != nil {
			return err
		}
	}
	f := c.f
	dl, _ := ctx.Deadline() // zero: none
	if err := f.SetReadDeadline(dl); err != nil {
		c.close()
		return fmt.Errorf("set rtnetlink deadline: %w", err)
	}
	// A deadline in the past wakes a read blocked in the poller.
	stop := context.AfterFunc(ctx, func() { _ = f.SetReadDeadline(time.Unix(1, 0)) })
	err := c.exchange(typ, flags, body, want, fn)
	cancelled := !stop()
	var ke *kernelError
	if cancelled || (err != nil && !errors.As(err, &ke) && !errors.Is(err, netlink.ErrDumpInterrupted)) {
		// The reply may be half read, or the deadline left in the
		// past: start the next request on a fresh socket.
		c.close()
	}
	if err != nil && ctx.Err() != nil && errors.Is(err, os.ErrDeadlineExceeded) {
		return ctx.Err()
	}
	return err
}

func (c *rtnl) open() error {
	// With SOCK_NONBLOCK, os.NewFile registers it with the runtime poller.
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, c.proto)
	if err != nil {
		return fmt.Errorf("open rtnetlink socket: %w", os.NewSyscallError("socket", err))
	}
	f := os.NewFile(uintptr(fd), "rtnetlink")
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return fmt.Errorf("open rtnetlink socket: %w", err)
	}
	c.f, c.rc = f, rc
	if c.buf == nil {
		c.buf = make([]byte, rtnlBufSize)
	}
	return nil
}

func (c *rtnl) close() {
	if c.f != nil {
		_ = c.f.Close()
		c.f, c.rc = nil, nil
	}
}

// exchange sends the request and reads datagrams until the reply ends.
func (c *rtnl) exchange(typ, flags uint16, body []byte, want uint16, fn func([]byte) error) error {
	c.seq++
	seq := c.seq
	req := make([]byte, unix.SizeofNlMsghdr+len(body))
	ne := binary.NativeEndian
	ne.PutUint32(req[0:4], uint32(len(req)))
	ne.PutUint16(req[4:6], typ)
	ne.PutUint16(req[6:8], unix.NLM_F_REQUEST|flags)
	ne.PutUint32(req[8:12], seq)
	copy(req[unix.SizeofNlMsghdr:], body)
	var serr error
	err := c.rc.Write(func(fd uintptr) bool {
		serr = unix.Sendto(int(fd), req, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK})
		return serr != unix.EAGAIN
	})
	if err == nil {
		err = serr
	}
	if err != nil {
		return fmt.Errorf("send rtnetlink request: %w", os.NewSyscallError("sendto", err))
	}
	intr := false
	for {
		n, err := c.recv()
		if err != nil {
			return err
		}
		if n < 0 {
			continue // not from the kernel
		}
		done, di, err := parseReply(c.buf[:n], seq, want, fn)
		intr = intr || di
		if err != nil {
			return err
		}
		if done {
			break
		}
	}
	if intr {
		return netlink.ErrDumpInterrupted
	}
	return nil
}

// recv reads one datagram into c.buf; -1 for one that did not come from
// the kernel (only a privileged process can send one; it is ignored).
func (c *rtnl) recv() (int, error) {
	var n int
	var from unix.Sockaddr
	var rerr error
	err := c.rc.Read(func(fd uintptr) bool {
		for {
			// MSG_TRUNC returns the datagram's real length, so one that
			// did not fit is known, never parsed as a short reply.
			n, from, rerr = unix.Recvfrom(int(fd), c.buf, unix.MSG_TRUNC)
			if rerr != unix.EINTR {
				return rerr != unix.EAGAIN
			}
		}
	})
	if err == nil {
		err = rerr
	}
	if err != nil {
		return 0, fmt.Errorf("read rtnetlink reply: %w", os.NewSyscallError("recvfrom", err))
	}
	if n > len(c.buf) {
		c.buf = make([]byte, n)
		return 0, errTruncated
	}
	if sa, ok := from.(*unix.SockaddrNetlink); !ok || sa.Pid != 0 {
		return -1, nil
	}
	return n, nil
}

// parseReply reads one datagram of the reply to request seq: fn gets the
// body of each message of type want. done: the reply ended (NLMSG_DONE,
// an error or acknowledgement, or a single non-multipart answer); intr:
// the kernel flagged the dump as interrupted. Messages of other requests
// are skipped. Malformed framing is an error, never a short table.
func parseReply(b []byte, seq uint32, want uint16, fn func([]byte) error) (done, intr bool, err error) {
	msgs, err := syscall.ParseNetlinkMessage(b)
	if err != nil {
		return false, false, fmt.Errorf("parse rtnetlink reply: %w", err)
	}
	for _, m := range msgs {
		if m.Header.Seq != seq {
			continue
		}
		if m.Header.Flags&unix.NLM_F_DUMP_INTR != 0 {
			intr = true
		}
		switch m.Header.Type {
		case unix.NLMSG_DONE, unix.NLMSG_ERROR:
			// NLMSG_DONE may carry no payload: the dump succeeded.
			if m.Header.Type == unix.NLMSG_DONE && len(m.Data) == 0 {
				return true, intr, nil
			}
			if len(m.Data) < 4 {
				return true, intr, fmt.Errorf("parse rtnetlink reply: short error message: %w", unix.EINVAL)
			}
			if errno := int32(binary.NativeEndian.Uint32(m.Data[:4])); errno < 0 {
				return true, intr, &kernelError{errno: unix.Errno(-errno)}
			}
			return true, intr, nil
		case want:
			if err := fn(m.Data); err != nil {
				return false, intr, err
			}
			if m.Header.Flags&unix.NLM_F_MULTI == 0 {
				return true, intr, nil
			}
		}
	}
	return false, intr, nil
}
