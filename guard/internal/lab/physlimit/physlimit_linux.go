//go:build linux

package main

import (
	"bufio"
	"encoding/binary"
	"net/netip"
	"os"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

func run(args []string) int {
	if len(args) != 3 {
		return 2
	}
	gw, err1 := netip.ParseAddr(args[0])
	ext, err2 := netip.ParseAddr(args[1])
	ns := nameserver()
	if err1 != nil || err2 != nil || !gw.Is4() || !ext.Is4() || !ns.IsValid() {
		return 2
	}
	deadline := time.Now().Add(2 * time.Second)
	var fds []unix.PollFd
	done := map[int32]int{}        // fd -> answers still expected
	from := map[int32]netip.Addr{} // ICMP fd -> the host whose echo reply counts

	// One netlink socket, two dumps in sequence on it.
	nl, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
	if err != nil {
		return 1
	}
	if err := unix.Sendto(nl, dumpReq(unix.RTM_GETROUTE, 1), 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return 1
	}
	fds = append(fds, unix.PollFd{Fd: int32(nl), Events: unix.POLLIN})
	done[int32(nl)] = 2

	// ICMP: the unprivileged ping socket, else raw as root.
	for _, dst := range []netip.Addr{gw, ext} {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, unix.IPPROTO_ICMP)
		if err != nil {
			if fd, err = unix.Socket(unix.AF_INET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.IPPROTO_ICMP); err != nil {
				return 1
			}
		}
		echo := []byte{8, 0, 0, 0, 0x4e, 0x47, 0, 1, 'n', 'g', 'u', 'a', 'r', 'd', 0, 0}
		binary.BigEndian.PutUint16(echo[2:], csum(echo))
		if err := unix.Sendto(fd, echo, 0, &unix.SockaddrInet4{Addr: dst.As4()}); err != nil {
			return 1
		}
		fds = append(fds, unix.PollFd{Fd: int32(fd), Events: unix.POLLIN})
		done[int32(fd)] = 1
		from[int32(fd)] = dst
	}

	// DNS: one A query over UDP.
	dns, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return 1
	}
	if err := unix.Sendto(dns, dnsQuery(args[2]), 0, &unix.SockaddrInet4{Port: 53, Addr: ns.As4()}); err != nil {
		return 1
	}
	fds = append(fds, unix.PollFd{Fd: int32(dns), Events: unix.POLLIN})
	done[int32(dns)] = 1

	buf := make([]byte, 1<<16)
	pending := 5
	for pending > 0 {
		ms := int(time.Until(deadline).Milliseconds())
		if ms <= 0 {
			return 1
		}
		if _, err := unix.Poll(fds, ms); err != nil && err != unix.EINTR {
			return 1
		}
		for i := range fds {
			if fds[i].Revents&unix.POLLIN == 0 || done[fds[i].Fd] == 0 {
				continue
			}
			fd := int(fds[i].Fd)
			n, sa, err := unix.Recvfrom(fd, buf, 0)
			if err != nil {
				return 1
			}
			if want, ok := from[fds[i].Fd]; ok {
				// A raw socket sees every ICMP packet: only this host's counts.
				if in4, _ := sa.(*unix.SockaddrInet4); in4 == nil || netip.AddrFrom4(in4.Addr) != want {
					continue
				}
			}
			if fd != nl {
				done[fds[i].Fd] = 0
				pending--
				continue
			}
			if dumpDone(buf[:n]) {
				done[fds[i].Fd]--
				pending--
				if done[fds[i].Fd] == 1 {
					if err := unix.Sendto(nl, dumpReq(unix.RTM_GETNEIGH, 2), 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
						return 1
					}
				}
			}
		}
	}
	return 0
}

// dumpReq is an RTM_GET* dump request for IPv4.
func dumpReq(typ uint16, seq uint32) []byte {
	b := make([]byte, unix.NLMSG_HDRLEN+unix.SizeofRtMsg)
	binary.NativeEndian.PutUint32(b[0:], uint32(len(b)))
	binary.NativeEndian.PutUint16(b[4:], typ)
	binary.NativeEndian.PutUint16(b[6:], unix.NLM_F_REQUEST|unix.NLM_F_DUMP)
	binary.NativeEndian.PutUint32(b[8:], seq)
	b[unix.NLMSG_HDRLEN] = unix.AF_INET
	return b
}

// dumpDone reports whether a netlink read ends with NLMSG_DONE.
func dumpDone(b []byte) bool {
	for len(b) >= unix.NLMSG_HDRLEN {
		l := int(binary.NativeEndian.Uint32(b))
		if l < unix.NLMSG_HDRLEN || l > len(b) {
			return false
		}
		if binary.NativeEndian.Uint16(b[4:]) == unix.NLMSG_DONE {
			return true
		}
		b = b[(l+3)&^3:]
	}
	return false
}

func csum(b []byte) uint16 {
	var s uint32
	for i := 0; i+1 < len(b); i += 2 {
		s += uint32(b[i])<<8 | uint32(b[i+1])
	}
	for s>>16 != 0 {
		s = s&0xffff + s>>16
	}
	return ^uint16(s)
}

func dnsQuery(name string) []byte {
	q := []byte{0x4e, 0x47, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0}
	for _, l := range strings.Split(strings.TrimSuffix(name, "."), ".") {
		q = append(q, byte(len(l)))
		q = append(q, l...)
	}
	return append(q, 0, 0, 1, 0, 1)
}

// nameserver is the first IPv4 nameserver of resolv.conf (ip netns exec
// binds the namespace's own over it).
func nameserver() netip.Addr {
	f, err := os.Open("/etc/resolv.conf")
	if err != nil {
		return netip.Addr{}
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) >= 2 && fs[0] == "nameserver" {
			if a, err := netip.ParseAddr(fs[1]); err == nil && a.Is4() {
				return a
			}
		}
	}
	return netip.Addr{}
}
