package probe

import (
	"encoding/binary"
	"net"
	"net/netip"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// rejectWatch asks the kernel to queue the ICMP error that fails a
// connect (IP_RECVERR), and keeps a duplicate of the socket so the queue
// can be read after the dialer has closed its own: a reject from a local
// firewall rule (nft or iptables "reject" on output) comes back as an ICMP
// error whose sender is this host, while a host that refuses answers with
// a TCP reset, which queues nothing. Unprivileged, like the probe.
type rejectWatch struct{ fd int }

func newRejectWatch() *rejectWatch { return &rejectWatch{fd: -1} }

// control is a dialer Control that arms the watch, then runs next.
func (w *rejectWatch) control(next func(string, string, syscall.RawConn) error) func(string, string, syscall.RawConn) error {
	return func(network, address string, c syscall.RawConn) error {
		c.Control(func(fd uintptr) {
			level, opt := unix.SOL_IP, unix.IP_RECVERR
			if strings.HasSuffix(network, "6") {
				level, opt = unix.SOL_IPV6, unix.IPV6_RECVERR
			}
			if unix.SetsockoptInt(int(fd), level, opt, 1) != nil {
				return
			}
			if d, err := unix.Dup(int(fd)); err == nil {
				w.fd = d
			}
		})
		if next != nil {
			return next(network, address, c)
		}
		return nil
	}
}

// localSender reports whether the ICMP error queued on the socket came
// from one of this host's own addresses: the local stack rejected the
// connect. It never blocks.
func (w *rejectWatch) localSender() (netip.Addr, bool) {
	if w.fd < 0 {
		return netip.Addr{}, false
	}
	buf, oob := make([]byte, 256), make([]byte, 512)
	_, oobn, _, _, err := unix.Recvmsg(w.fd, buf, oob, unix.MSG_ERRQUEUE|unix.MSG_DONTWAIT)
	if err != nil {
		return netip.Addr{}, false
	}
	msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil {
		return netip.Addr{}, false
	}
	for _, m := range msgs {
		from, ok := icmpSender(m)
		if !ok {
			continue
		}
		return from, isLocalAddr(from)
	}
	return netip.Addr{}, false
}

// icmpSender decodes a sock_extended_err of ICMP origin and the sender's
// address that follows it (linux/errqueue.h).
func icmpSender(m unix.SocketControlMessage) (netip.Addr, bool) {
	const eeSize = 16
	d := m.Data
	if len(d) < eeSize+8 {
		return netip.Addr{}, false
	}
	origin := d[4]
	switch {
	case m.Header.Level == unix.SOL_IP && m.Header.Type == unix.IP_RECVERR && origin == unix.SO_EE_ORIGIN_ICMP:
		if binary.NativeEndian.Uint16(d[eeSize:]) != unix.AF_INET {
			return netip.Addr{}, false
		}
		return netip.AddrFrom4([4]byte(d[eeSize+4 : eeSize+8])), true
	case m.Header.Level == unix.SOL_IPV6 && m.Header.Type == unix.IPV6_RECVERR && origin == unix.SO_EE_ORIGIN_ICMP6:
		if len(d) < eeSize+24 || binary.NativeEndian.Uint16(d[eeSize:]) != unix.AF_INET6 {
			return netip.Addr{}, false
		}
		return netip.AddrFrom16([16]byte(d[eeSize+8 : eeSize+24])).Unmap(), true
	}
	return netip.Addr{}, false
}

// isLocalAddr reports whether a is an address of this host.
func isLocalAddr(a netip.Addr) bool {
	if a.IsLoopback() {
		return true
	}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return false
	}
	for _, ia := range addrs {
		if n, ok := ia.(*net.IPNet); ok {
			if b, ok := netip.AddrFromSlice(n.IP); ok && b.Unmap() == a {
				return true
			}
		}
	}
	return false
}

func (w *rejectWatch) close() {
	if w.fd >= 0 {
		unix.Close(w.fd)
		w.fd = -1
	}
}
