//go:build linux

package watch

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"syscall"

	"github.com/netguard/netguard/checks/internal/nlattr"
	"github.com/netguard/netguard/checks/internal/sys"
	"github.com/netguard/netguard/checks/netstate"
	"golang.org/x/sys/unix"
)

// netlinkSource is one rtnetlink socket joined to the link, address,
// route and neighbor multicast groups of both families: one descriptor
// and no goroutine of its own, unlike one subscription per table. It
// needs no privilege (`ip monitor` works as any user) and sees the
// network namespace it was opened in.
type netlinkSource struct {
	f       *os.File
	buf     []byte
	pending []Change
}

var _ Source = (*netlinkSource)(nil)

// rtnlGroups are the rtnetlink multicast groups we listen to.
const rtnlGroups = unix.RTMGRP_LINK |
	unix.RTMGRP_IPV4_IFADDR | unix.RTMGRP_IPV6_IFADDR |
	unix.RTMGRP_IPV4_ROUTE | unix.RTMGRP_IPV6_ROUTE |
	unix.RTMGRP_NEIGH

// rcvBuf is the socket buffer we ask for: a VPN connecting or a container
// runtime starting can announce hundreds of routes and neighbors at once,
// and a full buffer drops notifications (ENOBUFS). The kernel caps it at
// net.core.rmem_max without privilege.
const rcvBuf = 1 << 20

func newSource() (Source, error) {
	// Non-blocking, so the runtime's poller waits for it and Close wakes
	// a blocked Receive: a blocking recvfrom on a netlink socket is not
	// interrupted by close(2) from another thread.
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, unix.NETLINK_ROUTE)
	if err != nil {
		return nil, fmt.Errorf("open rtnetlink socket: %w", os.NewSyscallError("socket", err))
	}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Groups: rtnlGroups}); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("join rtnetlink groups: %w", os.NewSyscallError("bind", err))
	}
	_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, rcvBuf) // best effort
	// We never send on this socket: only the kernel's notifications to
	// the groups arrive.
	return &netlinkSource{f: os.NewFile(uintptr(fd), "rtnetlink"), buf: make([]byte, 1<<16)}, nil
}

func (s *netlinkSource) Receive() (Change, error) {
	for len(s.pending) == 0 {
		n, err := s.f.Read(s.buf)
		switch {
		case errors.Is(err, unix.ENOBUFS):
			// The kernel dropped notifications: the tables may have
			// changed in ways we will never hear about.
			return Change{Kind: KindResync, Detail: "rtnetlink overflow"}, nil
		case errors.Is(err, os.ErrClosed):
			return Change{}, ErrClosed
		case errors.Is(err, io.EOF):
			continue // a zero-length datagram; never sent by the kernel
		case err != nil:
			return Change{}, fmt.Errorf("read rtnetlink: %w", err)
		}
		s.pending = parseRtnetlink(s.buf[:n])
	}
	c := s.pending[0]
	s.pending = s.pending[1:]
	return c, nil
}

func (s *netlinkSource) Close() error {
	if err := s.f.Close(); err != nil && !errors.Is(err, os.ErrClosed) {
		return fmt.Errorf("close rtnetlink socket: %w", err)
	}
	return nil
}

const (
	sizeofIfInfomsg = unix.SizeofIfInfomsg
	sizeofIfAddrmsg = unix.SizeofIfAddrmsg
	sizeofRtMsg     = unix.SizeofRtMsg
	sizeofNdMsg     = unix.SizeofNdMsg
)

// parseRtnetlink decodes the notifications in one datagram: framing by the
// standard library, attributes by the OS layer's loop the dumps use. A
// message too short for its header, or of no interest, is skipped. A
// datagram whose framing is broken cannot be read at all, so it asks for a
// resync: what it announced must not be lost silently.
func parseRtnetlink(b []byte) []Change {
	msgs, err := syscall.ParseNetlinkMessage(b)
	if err != nil {
		return []Change{{Kind: KindResync, Detail: "malformed rtnetlink datagram"}}
	}
	var out []Change
	for _, m := range msgs {
		var c Change
		var ok bool
		switch typ := m.Header.Type; typ {
		case unix.RTM_NEWLINK, unix.RTM_DELLINK:
			c, ok = parseLinkMsg(typ == unix.RTM_DELLINK, m.Data)
		case unix.RTM_NEWADDR, unix.RTM_DELADDR:
			c, ok = parseAddrMsg(typ == unix.RTM_DELADDR, m.Data)
		case unix.RTM_NEWROUTE, unix.RTM_DELROUTE:
			c, ok = parseRouteMsg(typ == unix.RTM_DELROUTE, m.Data)
		case unix.RTM_NEWNEIGH, unix.RTM_DELNEIGH:
			c, ok = parseNeighMsg(typ == unix.RTM_DELNEIGH, m.Data)
		}
		if ok {
			out = append(out, c)
		}
	}
	return out
}

// rtAttrs returns the attributes in b by type (the last of a type wins),
// read by the OS layer's attribute loop: the libraries' parsers slice past
// the end of a datagram whose last attribute is not 4-aligned (a panic).
func rtAttrs(b []byte) map[uint16][]byte {
	m := map[uint16][]byte{}
	_ = nlattr.Each(b, func(typ uint16, v []byte) error { // a malformed tail leaves what parsed
		m[typ] = v
		return nil
	})
	return m
}

func addrAttr(b []byte) netip.Addr {
	a, ok := netip.AddrFromSlice(b)
	if !ok {
		return netip.Addr{}
	}
	return a.Unmap()
}

func parseLinkMsg(del bool, b []byte) (Change, bool) {
	if len(b) < sizeofIfInfomsg {
		return Change{}, false
	}
	ne := binary.NativeEndian
	idx := int(int32(ne.Uint32(b[4:8])))
	flags := ne.Uint32(b[8:12])
	attrs := rtAttrs(b[sizeofIfInfomsg:])
	// Wireless extensions report scan results and other radio events as
	// RTM_NEWLINK carrying IFLA_WIRELESS, many times a minute on some
	// drivers; they change nothing we check.
	if _, ok := attrs[unix.IFLA_WIRELESS]; ok && !del {
		return Change{}, false
	}
	name := fmt.Sprint(idx)
	if n, ok := attrs[unix.IFLA_IFNAME]; ok {
		name = cString(n)
	}
	state := "down"
	switch {
	case del:
		state = "removed"
	case flags&unix.IFF_UP != 0 && flags&unix.IFF_LOWER_UP != 0:
		state = "up"
	case flags&unix.IFF_UP != 0:
		state = "no-carrier"
	}
	return Change{Kind: KindLink, Deleted: del, IfIndex: idx, Detail: "link " + name + " " + state}, true
}

func cString(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

func parseAddrMsg(del bool, b []byte) (Change, bool) {
	if len(b) < sizeofIfAddrmsg {
		return Change{}, false
	}
	bits, idx := int(b[1]), int(binary.NativeEndian.Uint32(b[4:8]))
	attrs := rtAttrs(b[sizeofIfAddrmsg:])
	// IFA_LOCAL is the interface's own address on point-to-point links,
	// where IFA_ADDRESS is the peer's.
	a := addrAttr(attrs[unix.IFA_LOCAL])
	if !a.IsValid() {
		a = addrAttr(attrs[unix.IFA_ADDRESS])
	}
	c := Change{Kind: KindAddr, Deleted: del, IfIndex: idx, Detail: fmt.Sprintf("address %s on %d", verb(del), idx)}
	if a.IsValid() && bits <= a.BitLen() {
		c.Addr = netip.PrefixFrom(a, bits)
		c.Detail = fmt.Sprintf("address %s %s on %d", verb(del), c.Addr, idx)
	}
	return c, true
}

func parseRouteMsg(del bool, b []byte) (Change, bool) {
	if len(b) < sizeofRtMsg {
		return Change{}, false
	}
	ne := binary.NativeEndian
	fam, dstLen, table, rtype := b[0], int(b[1]), uint32(b[4]), b[7]
	flags := ne.Uint32(b[8:12])
	attrs := rtAttrs(b[sizeofRtMsg:])
	if t, ok := attrs[unix.RTA_TABLE]; ok && len(t) >= 4 {
		table = ne.Uint32(t)
	}
	// The local table follows the addresses (already reported), and
	// cloned entries are the kernel's per-destination cache (PMTU,
	// redirects): neither is configuration.
	if table == unix.RT_TABLE_LOCAL || flags&unix.RTM_F_CLONED != 0 {
		return Change{}, false
	}
	switch rtype {
	case unix.RTN_UNICAST, unix.RTN_UNREACHABLE, unix.RTN_PROHIBIT, unix.RTN_BLACKHOLE, unix.RTN_THROW:
	default:
		return Change{}, false // broadcast, multicast, anycast, local
	}
	dst := addrAttr(attrs[unix.RTA_DST])
	if !dst.IsValid() {
		switch fam {
		case unix.AF_INET:
			dst = netip.IPv4Unspecified()
		case unix.AF_INET6:
			dst = netip.IPv6Unspecified()
		default:
			return Change{}, false
		}
	}
	d := fmt.Sprintf("route %s %s", verb(del), netip.PrefixFrom(dst, min(dstLen, dst.BitLen())))
	if rtype != unix.RTN_UNICAST {
		d = fmt.Sprintf("route %s %s %s", verb(del), routeTypeName(int(rtype)), netip.PrefixFrom(dst, min(dstLen, dst.BitLen())))
	}
	if gw := addrAttr(attrs[unix.RTA_GATEWAY]); gw.IsValid() {
		d += " via " + gw.String()
	}
	c := Change{Kind: KindRoute, Deleted: del, Detail: d}
	if oif, ok := attrs[unix.RTA_OIF]; ok && len(oif) >= 4 {
		c.IfIndex = int(ne.Uint32(oif))
	}
	return c, true
}

func routeTypeName(t int) string {
	rt, _ := sys.RouteTypeFromRTN(t) // unknown types read "unicast"
	return rt.String()
}

func parseNeighMsg(del bool, b []byte) (Change, bool) {
	if len(b) < sizeofNdMsg {
		return Change{}, false
	}
	ne := binary.NativeEndian
	fam := b[0]
	// AF_BRIDGE messages on the same group are bridge forwarding
	// entries (docker0, libvirt): MAC tables, not ARP/NDP.
	if fam != unix.AF_INET && fam != unix.AF_INET6 {
		return Change{}, false
	}
	idx := int(int32(ne.Uint32(b[4:8])))
	state, flags := ne.Uint16(b[8:10]), b[10]
	attrs := rtAttrs(b[sizeofNdMsg:])
	ip := addrAttr(attrs[unix.NDA_DST])
	if !ip.IsValid() {
		return Change{}, false
	}
	n := netstate.Neighbor{IfIndex: idx, IP: ip, State: sys.NeighStateFromNUD(int(state)), Router: flags&unix.NTF_ROUTER != 0}
	n.Permanent = state&unix.NUD_PERMANENT != 0
	if mac := attrs[unix.NDA_LLADDR]; len(mac) > 0 {
		n.MAC = net.HardwareAddr(append([]byte(nil), mac...))
	}
	d := fmt.Sprintf("neighbor %s %s %s", verb(del), ip, n.State)
	if n.MAC != nil {
		d += " " + n.MAC.String()
	}
	return Change{Kind: KindNeigh, Deleted: del, IfIndex: idx, Neigh: n, Detail: d}, true
}
