//go:build linux

package sys

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"net/netip"
	"os"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/netguard/netguard/checks/internal/netnstest"
	"github.com/netguard/netguard/checks/internal/nlattr"
	"github.com/netguard/netguard/checks/netstate"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// attr builds one rtnetlink attribute, padded to 4 bytes.
func attr(typ uint16, v []byte) []byte { return nlattr.Append(nil, typ, v) }

func u32b(x uint32) []byte { return binary.NativeEndian.AppendUint32(nil, x) }

// msg builds one netlink message: header, then body.
func msg(typ, flags uint16, seq uint32, body ...[]byte) []byte {
	var data []byte
	for _, b := range body {
		data = append(data, b...)
	}
	h := make([]byte, unix.SizeofNlMsghdr)
	binary.NativeEndian.PutUint32(h[0:4], uint32(len(h)+len(data)))
	binary.NativeEndian.PutUint16(h[4:6], typ)
	binary.NativeEndian.PutUint16(h[6:8], flags)
	binary.NativeEndian.PutUint32(h[8:12], seq)
	return append(h, data...)
}

func rtmsg(fam, dstLen, table, typ byte, flags uint32) []byte {
	b := make([]byte, unix.SizeofRtMsg)
	b[0], b[1], b[4], b[7] = fam, dstLen, table, typ
	binary.NativeEndian.PutUint32(b[8:12], flags)
	return b
}

func errMsg(seq uint32, errno int32) []byte {
	return msg(unix.NLMSG_ERROR, 0, seq, binary.NativeEndian.AppendUint32(nil, uint32(errno)), make([]byte, unix.SizeofNlMsghdr))
}

func routeMsg(seq uint32, flags uint16, dst string, bits byte, gw string, oif uint32) []byte {
	return msg(unix.RTM_NEWROUTE, flags, seq, rtmsg(unix.AF_INET, bits, unix.RT_TABLE_MAIN, unix.RTN_UNICAST, 0),
		attr(unix.RTA_TABLE, u32b(unix.RT_TABLE_MAIN)),
		attr(unix.RTA_DST, netip.MustParseAddr(dst).AsSlice()),
		attr(unix.RTA_GATEWAY, netip.MustParseAddr(gw).AsSlice()),
		attr(unix.RTA_OIF, u32b(oif)))
}

// readAll feeds datagrams to parseReply as the exchange loop does and
// returns the routes read, whether the reply ended, and the error.
func readAll(seq uint32, dgrams ...[]byte) (routes []netstate.Route, done, intr bool, err error) {
	for _, d := range dgrams {
		var di bool
		done, di, err = parseReply(d, seq, unix.RTM_NEWROUTE, func(b []byte) error {
			rs, keep, err := parseRoute(b, false)
			if keep {
				routes = append(routes, rs...)
			}
			return err
		})
		intr = intr || di
		if err != nil || done {
			return
		}
	}
	return
}

func TestParseReply(t *testing.T) {
	const multi = unix.NLM_F_MULTI
	r1 := routeMsg(7, multi, "192.0.2.0", 24, "198.51.100.1", 2)
	r2 := routeMsg(7, multi, "203.0.113.0", 24, "198.51.100.2", 3)
	stale := routeMsg(6, multi, "198.18.0.0", 15, "198.51.100.9", 9) // an earlier request's
	done := msg(unix.NLMSG_DONE, multi, 7, u32b(0))
	want := []netstate.Route{
		{Dst: netip.MustParsePrefix("192.0.2.0/24"), Gateway: netip.MustParseAddr("198.51.100.1"), IfIndex: 2, Table: 254},
		{Dst: netip.MustParsePrefix("203.0.113.0/24"), Gateway: netip.MustParseAddr("198.51.100.2"), IfIndex: 3, Table: 254},
	}
	for _, tc := range []struct {
		name      string
		dgrams    [][]byte
		want      []netstate.Route
		done      bool
		intr      bool
		errno     unix.Errno // the kernel's, to be kept through errors.Is
		malformed bool
	}{
		{name: "one datagram", dgrams: [][]byte{cat(r1, r2, done)}, want: want, done: true},
		{name: "multi-part over datagrams", dgrams: [][]byte{cat(r1), cat(stale, r2), cat(done)}, want: want, done: true},
		{name: "DONE without payload", dgrams: [][]byte{cat(r1, r2, msg(unix.NLMSG_DONE, multi, 7))}, want: want, done: true},
		{name: "not yet done", dgrams: [][]byte{cat(r1, r2)}, want: want},
		{name: "single answer ends the reply", dgrams: [][]byte{routeMsg(7, 0, "192.0.2.0", 24, "198.51.100.1", 2)}, want: want[:1], done: true},
		{name: "dump interrupted", dgrams: [][]byte{cat(r1, msg(unix.RTM_NEWROUTE, multi|unix.NLM_F_DUMP_INTR, 7, r2[unix.SizeofNlMsghdr:]), done)}, want: want, done: true, intr: true},
		{name: "ack", dgrams: [][]byte{errMsg(7, 0)}, done: true},
		{name: "EHOSTUNREACH", dgrams: [][]byte{errMsg(7, -int32(unix.EHOSTUNREACH))}, done: true, errno: unix.EHOSTUNREACH},
		{name: "ENETUNREACH", dgrams: [][]byte{errMsg(7, -int32(unix.ENETUNREACH))}, done: true, errno: unix.ENETUNREACH},
		{name: "EACCES", dgrams: [][]byte{errMsg(7, -int32(unix.EACCES))}, done: true, errno: unix.EACCES},
		{name: "EINVAL", dgrams: [][]byte{errMsg(7, -int32(unix.EINVAL))}, done: true, errno: unix.EINVAL},
		{name: "failed dump in DONE", dgrams: [][]byte{cat(r1, msg(unix.NLMSG_DONE, multi, 7, negErrno(unix.ENOBUFS)))}, want: want[:1], done: true, errno: unix.ENOBUFS},
		{name: "error of another request", dgrams: [][]byte{cat(errMsg(6, -int32(unix.EACCES)), r1, done)}, want: want[:1], done: true},
		{name: "truncated message", dgrams: [][]byte{r1[:len(r1)-3]}, malformed: true},
		{name: "short error", dgrams: [][]byte{msg(unix.NLMSG_ERROR, 0, 7)}, done: true, malformed: true},
		{name: "unaligned message", dgrams: [][]byte{msg(unix.NLMSG_ERROR, 0, 7, []byte{1, 2})}, malformed: true},
		{name: "short route body", dgrams: [][]byte{msg(unix.RTM_NEWROUTE, multi, 7, []byte{2, 24})}, malformed: true},
		{name: "broken attribute", dgrams: [][]byte{msg(unix.RTM_NEWROUTE, multi, 7, rtmsg(unix.AF_INET, 24, 254, unix.RTN_UNICAST, 0), []byte{200, 0, 1, 0})}, malformed: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, done, intr, err := readAll(7, tc.dgrams...)
			if !reflect.DeepEqual(got, tc.want) && len(got)+len(tc.want) > 0 {
				t.Errorf("routes %+v, want %+v", got, tc.want)
			}
			if done != tc.done || intr != tc.intr {
				t.Errorf("done %v intr %v, want %v %v", done, intr, tc.done, tc.intr)
			}
			switch {
			case tc.errno != 0:
				var ke *kernelError
				if !errors.Is(err, tc.errno) || !errors.As(err, &ke) {
					t.Errorf("err %v, want the kernel's %v", err, tc.errno)
				}
			case tc.malformed:
				if err == nil || !errors.Is(err, unix.EINVAL) {
					t.Errorf("err %v, want a malformed-reply error", err)
				}
			case err != nil:
				t.Errorf("err %v", err)
			}
		})
	}
}

// Every prefix of a real reply, and every byte flipped, must parse or fail
// cleanly: never a panic.
func TestParseReplyNeverPanics(t *testing.T) {
	mp := attr(unix.RTA_MULTIPATH, append(append([]byte{16, 0, 0, 0, 3, 0, 0, 0}, attr(unix.RTA_GATEWAY, []byte{192, 0, 2, 1})...),
		[]byte{8, 0, 0, 0, 4, 0, 0, 0}...))
	good := [][]byte{
		msg(unix.RTM_NEWROUTE, unix.NLM_F_MULTI, 1, rtmsg(unix.AF_INET, 24, 254, unix.RTN_UNICAST, 0), attr(unix.RTA_DST, []byte{203, 0, 113, 0}), mp),
		msg(unix.RTM_NEWLINK, unix.NLM_F_MULTI, 1, make([]byte, unix.SizeofIfInfomsg), attr(unix.IFLA_IFNAME, []byte("eth0\x00")),
			attr(unix.IFLA_LINKINFO, attr(unix.IFLA_INFO_KIND, []byte("veth\x00")))),
		msg(unix.RTM_NEWADDR, unix.NLM_F_MULTI, 1, make([]byte, unix.SizeofIfAddrmsg), attr(unix.IFA_ADDRESS, []byte{192, 0, 2, 9})),
		msg(unix.RTM_NEWNEIGH, unix.NLM_F_MULTI, 1, make([]byte, unix.SizeofNdMsg), attr(unix.NDA_DST, []byte{192, 0, 2, 1}), attr(unix.NDA_LLADDR, make([]byte, 16))),
	}
	parseAny := func(b []byte) {
		for _, want := range []uint16{unix.RTM_NEWROUTE, unix.RTM_NEWLINK, unix.RTM_NEWADDR, unix.RTM_NEWNEIGH} {
			_, _, _ = parseReply(b, 1, want, func(body []byte) error {
				_, _, err1 := parseRoute(body, true)
				_, err2 := parseLink(body)
				_, _, _, err3 := parseAddr(body)
				_, _, err4 := parseNeigh(body)
				_ = addrDADFailed(body)
				return errors.Join(err1, err2, err3, err4)
			})
		}
	}
	// An unaligned message length with padding after it: the kernel never
	// sends one, and nl.ParseRouteAttr panics on its last attribute.
	unaligned := msg(unix.RTM_NEWADDR, 0, 1, make([]byte, unix.SizeofIfAddrmsg), []byte{5, 0, unix.IFA_ADDRESS, 0, 7})
	parseAny(append(unaligned, 0, 0, 0))
	for _, g := range good {
		for n := range len(g) + 1 {
			parseAny(g[:n])
		}
		for i := range g {
			b := append([]byte(nil), g...)
			b[i] ^= 0xff
			parseAny(b)
		}
	}
}

func FuzzParseRtnl(f *testing.F) {
	f.Add(routeMsg(1, unix.NLM_F_MULTI, "192.0.2.0", 24, "198.51.100.1", 2))
	f.Add(errMsg(1, -int32(unix.EHOSTUNREACH)))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, want := range []uint16{unix.RTM_NEWROUTE, unix.RTM_NEWLINK, unix.RTM_NEWADDR, unix.RTM_NEWNEIGH} {
			_, _, _ = parseReply(b, 1, want, func(body []byte) error {
				_, _, _ = parseRoute(body, false)
				_, _ = parseLink(body)
				_, _, _, _ = parseAddr(body)
				_, _, _ = parseNeigh(body)
				return nil
			})
		}
	})
}

func TestParseRouteTypesAndTables(t *testing.T) {
	for _, tc := range []struct {
		name  string
		body  []byte
		keep  bool
		route netstate.Route
	}{
		{"default v6 from no RTA_DST", append(rtmsg(unix.AF_INET6, 0, 254, unix.RTN_UNICAST, 0), attr(unix.RTA_PRIORITY, u32b(1024))...), true,
			netstate.Route{Dst: netip.MustParsePrefix("::/0"), Metric: 1024, Table: 254}},
		{"table from RTA_TABLE", append(rtmsg(unix.AF_INET, 0, 252, unix.RTN_BLACKHOLE, 0), attr(unix.RTA_TABLE, u32b(1000))...), true,
			netstate.Route{Dst: netip.MustParsePrefix("0.0.0.0/0"), Type: netstate.RouteBlackhole, Table: 1000}},
		{"local table left out", rtmsg(unix.AF_INET, 32, unix.RT_TABLE_LOCAL, unix.RTN_UNICAST, 0), false, netstate.Route{}},
		{"broadcast left out", rtmsg(unix.AF_INET, 32, 254, unix.RTN_BROADCAST, 0), false, netstate.Route{}},
		{"cloned left out", rtmsg(unix.AF_INET6, 128, 254, unix.RTN_UNICAST, unix.RTM_F_CLONED), false, netstate.Route{}},
		{"MPLS family left out", rtmsg(unix.AF_MPLS, 20, 254, unix.RTN_UNICAST, 0), false, netstate.Route{}},
		{"prefix longer than the address reads /0", append(rtmsg(unix.AF_INET, 40, 254, unix.RTN_UNICAST, 0), attr(unix.RTA_DST, []byte{10, 0, 0, 0})...), true,
			netstate.Route{Dst: netip.MustParsePrefix("10.0.0.0/0"), Table: 254}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rs, keep, err := parseRoute(tc.body, false)
			if err != nil || keep != tc.keep {
				t.Fatalf("keep %v err %v, want keep %v", keep, err, tc.keep)
			}
			if keep && (len(rs) != 1 || rs[0] != tc.route) {
				t.Errorf("routes %+v, want %+v", rs, tc.route)
			}
		})
	}
}

// A read blocked on the socket, with no request outstanding, returns as
// soon as ctx is cancelled: the poller, not a blocked thread, waits.
func TestRtnlReadReturnsOnCancel(t *testing.T) {
	c := newRtnl()
	c.sem <- struct{}{} // hold the lock: exchange is driven by hand below
	if err := c.open(); err != nil {
		t.Fatal(err)
	}
	defer c.close()
	ctx, cancel := context.WithCancel(context.Background())
	f := c.f
	stop := context.AfterFunc(ctx, func() { _ = f.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()
	time.AfterFunc(50*time.Millisecond, cancel)
	t0 := time.Now()
	_, err := c.recv() // nothing was sent: only cancellation can end it
	took := time.Since(t0)
	if err == nil || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("recv = %v, want the deadline error", err)
	}
	if took < 40*time.Millisecond || took > 200*time.Millisecond {
		t.Errorf("returned after %v, want about 50 ms", took)
	}
}

// A request whose ctx ends while it waits for the socket's lock gives up
// at once, and one whose ctx is cancelled mid-read returns ctx's error and
// leaves a socket that answers the next request.
func TestRtnlRequestHonoursContext(t *testing.T) {
	netnstest.Run(t, func(t *testing.T) {
		lo, err := netlink.LinkByName("lo")
		netnstest.Must(t, "find lo", err)
		netnstest.Must(t, "lo up", netlink.LinkSetUp(lo))
		s := New().(*linuxSystem)
		s.nl.sem <- struct{}{} // another request holds the socket
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		t0 := time.Now()
		_, err = s.Routes(ctx)
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(t0) > 200*time.Millisecond {
			t.Errorf("Routes while locked = %v after %v, want the deadline within 200 ms", err, time.Since(t0))
		}
		<-s.nl.sem

		done, cancel2 := context.WithCancel(context.Background())
		cancel2()
		if _, err := s.Links(done); !errors.Is(err, context.Canceled) {
			t.Errorf("Links with a cancelled ctx = %v, want context.Canceled", err)
		}
		r, err := s.RouteTo(context.Background(), netip.MustParseAddr("127.0.0.1"))
		if err != nil || r.IfIndex != lo.Attrs().Index {
			t.Errorf("RouteTo after cancellations = %+v, %v; want via lo", r, err)
		}
	})
}

// Callers in parallel (as Collect makes them) share the one socket and
// each gets its whole answer: the same as read one at a time.
func TestRtnlConcurrentCallers(t *testing.T) {
	netnstest.Run(t, func(t *testing.T) {
		labTables(t)
		ctx := context.Background()
		s := New()
		wantL, err1 := s.Links(ctx)
		wantR, err2 := s.Routes(ctx)
		wantN, err3 := s.Neighbors(ctx)
		wantT, err4 := s.RouteTo(ctx, netip.MustParseAddr("203.0.113.5"))
		netnstest.Must(t, "sequential reads", errors.Join(err1, err2, err3, err4))
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				l, err1 := s.Links(ctx)
				r, err2 := s.Routes(ctx)
				n, err3 := s.Neighbors(ctx)
				rt, err4 := s.RouteTo(ctx, netip.MustParseAddr("203.0.113.5"))
				if err := errors.Join(err1, err2, err3, err4); err != nil {
					t.Errorf("parallel read: %v", err)
					return
				}
				for _, d := range []struct {
					what      string
					got, want any
				}{{"links", l, wantL}, {"routes", r, wantR}, {"neighbors", n, wantN}, {"lookup", rt, wantT}} {
					if !reflect.DeepEqual(d.got, d.want) {
						t.Errorf("parallel %s differ from the sequential read:\n got  %+v\n want %+v", d.what, d.got, d.want)
					}
				}
			})
		}
		wg.Wait()
	})
}

// An interrupted dump is read again from the start, never returned
// partial; after rtnlRetries interruptions the error says so (the
// library's sentinel and text, as before the move). A kernel error is
// returned at once.
func TestRetry(t *testing.T) {
	intr := netlink.ErrDumpInterrupted
	for _, tc := range []struct {
		name     string
		results  []error
		attempts int
		want     error
	}{
		{"first time", []error{nil}, 1, nil},
		{"interrupted once", []error{intr, nil}, 2, nil},
		{"truncated then fine", []error{errTruncated, nil}, 2, nil},
		{"always interrupted", []error{intr, intr, intr, nil}, 3, intr},
		{"kernel error not retried", []error{&kernelError{unix.EACCES}, nil}, 1, unix.EACCES},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resets, calls := 0, 0
			err := retry(func() { resets++ }, func() error { calls++; return tc.results[calls-1] })
			if calls != tc.attempts || resets != calls {
				t.Errorf("%d attempts, %d resets; want %d", calls, resets, tc.attempts)
			}
			if (tc.want == nil) != (err == nil) || (tc.want != nil && !errors.Is(err, tc.want)) {
				t.Errorf("err %v, want %v", err, tc.want)
			}
		})
	}
}

// negErrno is an nlmsgerr's error field: the errno, negated.
func negErrno(e unix.Errno) []byte {
	v := -int32(e)
	return binary.NativeEndian.AppendUint32(nil, uint32(v))
}

// The link-layer address as the library read it: 4 bytes are an IPv4
// tunnel's endpoint (no MAC), a zero-length one (NOARP devices) is an
// empty, non-nil MAC, 16 bytes are kept for the ip6tnl check.
func TestParseNeighLinkLayer(t *testing.T) {
	nd := func(fam byte, state uint16, flags byte) []byte {
		b := make([]byte, unix.SizeofNdMsg)
		b[0], b[10] = fam, flags
		binary.NativeEndian.PutUint32(b[4:8], 4)
		binary.NativeEndian.PutUint16(b[8:10], state)
		return b
	}
	v4 := attr(unix.NDA_DST, []byte{192, 0, 2, 1})
	for _, tc := range []struct {
		name     string
		body     []byte
		ok       bool
		mac      []byte // nil: no MAC
		lladdr16 bool
		want     netstate.NeighState
	}{
		{"ethernet", cat(nd(unix.AF_INET, unix.NUD_REACHABLE, 0), v4, attr(unix.NDA_LLADDR, []byte{2, 0, 0, 0, 0, 1})), true, []byte{2, 0, 0, 0, 0, 1}, false, netstate.NeighReachable},
		{"IPv4 tunnel endpoint", cat(nd(unix.AF_INET, unix.NUD_PERMANENT, 0), v4, attr(unix.NDA_LLADDR, []byte{198, 51, 100, 7})), true, nil, false, netstate.NeighPermanent},
		{"NOARP, empty address", cat(nd(unix.AF_INET, unix.NUD_NOARP, 0), v4, attr(unix.NDA_LLADDR, nil)), true, []byte{}, false, netstate.NeighNoARP},
		{"16 bytes", cat(nd(unix.AF_INET6, unix.NUD_STALE, unix.NTF_ROUTER), attr(unix.NDA_DST, netip.MustParseAddr("2001:db8::1").AsSlice()), attr(unix.NDA_LLADDR, make([]byte, 16))), true, make([]byte, 16), true, netstate.NeighStale},
		{"incomplete, no address", cat(nd(unix.AF_INET, unix.NUD_INCOMPLETE, 0), v4), true, nil, false, netstate.NeighIncomplete},
		{"bridge forwarding entry", cat(nd(unix.AF_BRIDGE, unix.NUD_PERMANENT, 0), attr(unix.NDA_LLADDR, []byte{2, 0, 0, 0, 0, 1})), false, nil, false, 0},
		{"no destination", nd(unix.AF_INET, unix.NUD_REACHABLE, 0), false, nil, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, ok, err := parseNeigh(tc.body)
			if err != nil || ok != tc.ok {
				t.Fatalf("ok %v err %v, want ok %v", ok, err, tc.ok)
			}
			if !ok {
				return
			}
			if (m.n.MAC == nil) != (tc.mac == nil) || !bytes.Equal(m.n.MAC, tc.mac) {
				t.Errorf("MAC %#v, want %#v", m.n.MAC, tc.mac)
			}
			if (m.lladdr16 != nil) != tc.lladdr16 || m.n.State != tc.want || m.n.IfIndex != 4 {
				t.Errorf("got %+v lladdr16 %v, want state %v on 4", m.n, m.lladdr16, tc.want)
			}
		})
	}
}

func cat(bs ...[]byte) []byte {
	var out []byte
	for _, b := range bs {
		out = append(out, b...)
	}
	return out
}

// The link classes the diagnosis reads (bridge and veth are container
// networks, a tunnel a VPN), from the type rtnetlink names and the flags.
func TestLinuxLinkKind(t *testing.T) {
	for _, tc := range []struct {
		typ   string
		flags uint32
		want  netstate.LinkKind
	}{
		{"device", unix.IFF_LOOPBACK, netstate.LinkLoopback},
		{"device", 0, netstate.LinkPhysical},
		{"device", unix.IFF_POINTOPOINT, netstate.LinkTunnel}, // a PPP-like NIC
		{"vlan", 0, netstate.LinkPhysical},
		{"bond", 0, netstate.LinkPhysical},
		{"bridge", 0, netstate.LinkBridge},
		{"openvswitch", 0, netstate.LinkBridge},
		{"veth", 0, netstate.LinkVeth},
		{"netkit", 0, netstate.LinkVeth},
		{"wireguard", unix.IFF_POINTOPOINT, netstate.LinkTunnel},
		{"tuntap", 0, netstate.LinkTunnel},
		{"vxlan", 0, netstate.LinkTunnel},
		{"gre", 0, netstate.LinkTunnel},
		{"dummy", 0, netstate.LinkVirtual},
		{"macvlan", 0, netstate.LinkVirtual},
	} {
		if got := linuxLinkKind(tc.typ, tc.flags); got != tc.want {
			t.Errorf("linuxLinkKind(%q, %#x) = %v, want %v", tc.typ, tc.flags, got, tc.want)
		}
	}
}

// TestAddrDADFailed: the flag is read from ifa_flags, and from IFA_FLAGS,
// which carries the flags above the first byte and wins when present.
func TestAddrDADFailed(t *testing.T) {
	hdr := func(flags byte) []byte {
		b := make([]byte, unix.SizeofIfAddrmsg)
		b[0], b[1], b[2] = unix.AF_INET6, 64, flags
		return b
	}
	v6 := attr(unix.IFA_ADDRESS, netip.MustParseAddr("2001:db8:3::9").AsSlice())
	flagsAttr := func(f uint32) []byte {
		v := make([]byte, 4)
		binary.NativeEndian.PutUint32(v, f)
		return attr(unix.IFA_FLAGS, v)
	}
	for _, tc := range []struct {
		name string
		body []byte
		want bool
	}{
		{"no flags", append(hdr(0), v6...), false},
		{"tentative only (DAD running)", append(hdr(unix.IFA_F_TENTATIVE), v6...), false},
		{"dadfailed in ifa_flags", append(hdr(unix.IFA_F_DADFAILED|unix.IFA_F_TENTATIVE), v6...), true},
		{"dadfailed in IFA_FLAGS", append(append(hdr(0), v6...), flagsAttr(unix.IFA_F_DADFAILED|unix.IFA_F_MANAGETEMPADDR)...), true},
		{"IFA_FLAGS wins over ifa_flags", append(append(hdr(unix.IFA_F_DADFAILED), v6...), flagsAttr(unix.IFA_F_PERMANENT)...), false},
		{"short IFA_FLAGS is ignored", append(append(hdr(unix.IFA_F_DADFAILED), v6...), attr(unix.IFA_FLAGS, []byte{0})...), true},
		{"short message", []byte{unix.AF_INET6, 64, unix.IFA_F_DADFAILED}, false},
	} {
		if got := addrDADFailed(tc.body); got != tc.want {
			t.Errorf("%s: addrDADFailed = %v, want %v", tc.name, got, tc.want)
		}
	}
}
