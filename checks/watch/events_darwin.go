//go:build darwin

package watch

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// routeSource is a routing socket (AF_ROUTE): XNU copies changes to
// interfaces (IFF_UP, not carrier: see linkChange), addresses and routes to
// each open routing socket. Changes to the ARP/NDP cache (which lives in
// the routing table) are announced only when a process writes them
// (arp, ndp, our repair) or router and prefix lists change: in_arp.c and
// nd6.c resolve, refresh and expire entries without a message, so the
// watcher polls the gateway's own entry instead (gatewayPoll). No
// privilege is needed to listen.
type routeSource struct {
	f       *os.File
	buf     []byte
	pending []Change
}

var _ Source = (*routeSource)(nil)

func newSource() (Source, error) {
	fd, err := unix.Socket(unix.AF_ROUTE, unix.SOCK_RAW, unix.AF_UNSPEC)
	if err != nil {
		return nil, fmt.Errorf("open routing socket: %w", os.NewSyscallError("socket", err))
	}
	unix.CloseOnExec(fd)
	// Non-blocking, so the runtime's poller (kqueue) waits for it and
	// Close wakes a blocked Receive.
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("routing socket: %w", os.NewSyscallError("fcntl", err))
	}
	_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, 1<<20) // best effort: bursts overflow
	return &routeSource{f: os.NewFile(uintptr(fd), "route"), buf: make([]byte, 1<<16)}, nil
}

func (s *routeSource) Receive() (Change, error) {
	for len(s.pending) == 0 {
		n, err := s.f.Read(s.buf)
		switch {
		case errors.Is(err, unix.ENOBUFS):
			return Change{Kind: KindResync, Detail: "routing socket overflow"}, nil
		case errors.Is(err, os.ErrClosed):
			return Change{}, ErrClosed
		case errors.Is(err, io.EOF):
			continue
		case err != nil:
			return Change{}, fmt.Errorf("read routing socket: %w", err)
		}
		s.pending = parseRouteSocket(s.buf[:n], time.Now())
	}
	c := s.pending[0]
	s.pending = s.pending[1:]
	return c, nil
}

func (s *routeSource) Close() error {
	if err := s.f.Close(); err != nil && !errors.Is(err, os.ErrClosed) {
		return fmt.Errorf("close routing socket: %w", err)
	}
	return nil
}
