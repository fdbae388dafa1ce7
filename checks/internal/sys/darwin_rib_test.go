package sys

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"net"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/netguard/netguard/checks/internal/xnu"
	"github.com/netguard/netguard/checks/netstate"
)

// The messages below are built byte by byte from XNU's layouts (xnu-11417,
// little endian), the way the kernel writes them:
//
//	rt_msghdr, 92 bytes (bsd/net/route.h):
//	   0 u16 rtm_msglen   2 u8 rtm_version (5)   3 u8 rtm_type   4 u16 rtm_index
//	   8 i32 rtm_flags   12 i32 rtm_addrs   16 i32 rtm_pid   20 i32 rtm_seq
//	  24 i32 rtm_errno   28 i32 rtm_use     32 u32 rtm_inits
//	  36 struct rt_metrics (56): locks mtu hopcount expire(@48) recvpipe
//	     sendpipe ssthresh rtt rttvar pksent filler[4]
//	then one sockaddr per rtm_addrs bit, in bit order (DST GATEWAY NETMASK
//	GENMASK IFP IFA AUTHOR BRD), each padded to 4 bytes; sa_len 0 takes 4.
//	sockaddr_in  (16): len fam=2  port[2] addr[4] zero[8]
//	sockaddr_in6 (28): len fam=30 port[2] flowinfo[4] addr[16] scope_id[4]
//	sockaddr_dl  (20+): len fam=18 index[2] type nlen alen slen name+lladdr
//	netmasks: trimmed after the last non-zero byte (rtm_scrub/sa_trim), the
//	family byte unreliable (we write 0xff to prove it is ignored).

var drtNow = time.Unix(1_750_000_000, 0)

type drtMsg struct {
	typ                     uint8
	index                   uint16
	flags                   uint32
	pid, seq, errno, expire int32
	dst, gw, mask, ifp, ifa []byte
	cutLastPad, badVersion  bool // garbage: no padding after the last sockaddr, version 4
	lenDelta                int  // garbage: added to rtm_msglen
}

func (m drtMsg) bytes() []byte {
	le := binary.LittleEndian
	b := make([]byte, xnu.SizeofRtMsghdr)
	typ := m.typ
	if typ == 0 {
		typ = xnu.RTMGet
	}
	b[2], b[3] = xnu.RTMVersion, typ
	if m.badVersion {
		b[2] = 4
	}
	le.PutUint16(b[4:], m.index)
	le.PutUint32(b[8:], m.flags)
	le.PutUint32(b[16:], uint32(m.pid))
	le.PutUint32(b[20:], uint32(m.seq))
	le.PutUint32(b[24:], uint32(m.errno))
	le.PutUint32(b[48:], uint32(m.expire))
	var addrs uint32
	last := 0
	for i, sa := range [][]byte{m.dst, m.gw, m.mask, nil, m.ifp, m.ifa} {
		if sa == nil {
			continue
		}
		addrs |= 1 << i
		last = len(b) + len(sa)
		b = append(b, sa...)
		b = append(b, make([]byte, xnu.Roundup(len(sa))-len(sa))...)
	}
	le.PutUint32(b[12:], addrs)
	if m.cutLastPad {
		b = b[:last]
	}
	le.PutUint16(b[0:], uint16(len(b)+m.lenDelta))
	return b
}

func drtDump(ms ...drtMsg) []byte {
	var b []byte
	for _, m := range ms {
		b = append(b, m.bytes()...)
	}
	return b
}

func drtSin(ip string) []byte {
	sa := make([]byte, xnu.SizeofSockaddrIn)
	sa[0], sa[1] = xnu.SizeofSockaddrIn, xnu.AFInet
	a := netip.MustParseAddr(ip).As4()
	copy(sa[4:], a[:])
	return sa
}

// drtSin6 writes ip with the KAME embedded scope in bytes 2-3, as XNU
// reports link-local gateways and neighbors.
func drtSin6(ip string, embed uint16) []byte {
	sa := make([]byte, xnu.SizeofSockaddrIn6)
	sa[0], sa[1] = xnu.SizeofSockaddrIn6, xnu.AFInet6
	a := netip.MustParseAddr(ip).As16()
	copy(sa[8:], a[:])
	if embed != 0 {
		binary.BigEndian.PutUint16(sa[10:], embed)
	}
	return sa
}

func drtSdl(index uint16, name, mac string) []byte {
	var hw net.HardwareAddr
	if mac != "" {
		hw, _ = net.ParseMAC(mac)
	}
	n := max(xnu.SizeofSockaddrDl, 8+len(name)+len(hw))
	sa := make([]byte, n)
	sa[0], sa[1] = byte(n), xnu.AFLink
	binary.LittleEndian.PutUint16(sa[2:], index)
	sa[4], sa[5], sa[6] = 6, byte(len(name)), byte(len(hw)) // IFT_ETHER
	copy(sa[8:], name)
	copy(sa[8+len(name):], hw)
	return sa
}

// drtMask writes a trimmed netmask: off is 4 (inet) or 8 (inet6).
func drtMask(off, bits int) []byte {
	sa := make([]byte, off+16)
	for i := 0; i < bits; i++ {
		sa[off+i/8] |= 0x80 >> (i % 8)
	}
	n := len(sa)
	for n > off && sa[n-1] == 0 {
		n--
	}
	if n == off {
		return []byte{} // sa_len 0: a /0 mask, still 4 bytes on the wire
	}
	sa = sa[:n]
	sa[0], sa[1] = byte(n), 0xff
	return sa
}

const (
	drtHostLL = xnu.RTFUp | xnu.RTFHost | xnu.RTFLLInfo
	drtClone  = 0x20000 // RTF_WASCLONED
	drtStatic = 0x800
)

// drtARPDump is an ARP table as NET_RT_FLAGS/RTF_LLINFO returns it on a Mac
// with en0 (index 4) and en1 (index 5) on the same LAN.
func drtARPDump() []byte {
	future, past := int32(drtNow.Unix()+600), int32(drtNow.Unix()-10)
	return drtDump(
		// the gateway, scoped to en0, marked as a router
		drtMsg{index: 4, flags: drtHostLL | drtClone | xnu.RTFIfScope | xnu.RTFRouter, expire: future,
			dst: drtSin("192.168.1.1"), gw: drtSdl(4, "", "aa:bb:cc:00:00:01")},
		// its interface-scoped duplicate on en1, expired (stale)
		drtMsg{index: 5, flags: drtHostLL | drtClone | xnu.RTFIfScope, expire: past,
			dst: drtSin("192.168.1.1"), gw: drtSdl(5, "", "aa:bb:cc:00:00:01")},
		// a static entry (arp -s): no expiry
		drtMsg{index: 4, flags: drtHostLL | drtStatic, expire: 0,
			dst: drtSin("192.168.1.50"), gw: drtSdl(4, "", "00:11:22:33:44:55")},
		// incomplete: no link-layer address yet
		drtMsg{index: 4, flags: drtHostLL | drtClone | xnu.RTFIfScope, expire: future,
			dst: drtSin("192.168.1.77"), gw: drtSdl(4, "", "")},
		// failed: arp_maxtries unanswered, RTF_REJECT
		drtMsg{index: 4, flags: drtHostLL | drtClone | xnu.RTFReject, expire: future,
			dst: drtSin("192.168.1.78"), gw: drtSdl(4, "", "")},
		// failed re-resolution of an expired entry: RTF_REJECT and a
		// fresh expiry (+arpt_down) while the old MAC is still there
		// (in_arp.c); failed, not reachable
		drtMsg{index: 4, flags: drtHostLL | drtClone | xnu.RTFReject, expire: future,
			dst: drtSin("192.168.1.79"), gw: drtSdl(4, "", "aa:bb:cc:00:00:79")},
		// not neighbors: broadcast, multicast, our own address
		drtMsg{index: 4, flags: drtHostLL | xnu.RTFBroadcast, expire: future,
			dst: drtSin("192.168.1.255"), gw: drtSdl(4, "", "ff:ff:ff:ff:ff:ff")},
		drtMsg{index: 4, flags: drtHostLL | xnu.RTFMulticast,
			dst: drtSin("224.0.0.251"), gw: drtSdl(4, "", "01:00:5e:00:00:fb")},
		drtMsg{index: 1, flags: drtHostLL | xnu.RTFLocal,
			dst: drtSin("192.168.1.20"), gw: drtSdl(4, "", "a4:83:e7:00:00:20")},
	)
}

func drtNDPDump() []byte {
	return drtDump(
		drtMsg{index: 4, flags: drtHostLL | drtClone | xnu.RTFIfScope | xnu.RTFRouter,
			dst: drtSin6("fe80::1", 4), gw: drtSdl(4, "", "aa:bb:cc:00:00:01")},
		drtMsg{index: 4, flags: drtHostLL | drtClone,
			dst: drtSin6("2001:db8::5", 0), gw: drtSdl(4, "", "")},
		drtMsg{index: 4, flags: drtHostLL | xnu.RTFMulticast,
			dst: drtSin6("ff02::fb", 4), gw: drtSdl(4, "", "33:33:00:00:00:fb")},
	)
}

func drtMAC(s string) net.HardwareAddr { m, _ := net.ParseMAC(s); return m }

func TestDarwinParseNeighbors(t *testing.T) {
	got, err := darwinParseNeighbors(append(drtARPDump(), drtNDPDump()...), drtNow)
	if err != nil {
		t.Fatal(err)
	}
	want := []netstate.Neighbor{
		{IfIndex: 4, IP: netip.MustParseAddr("192.168.1.1"), MAC: drtMAC("aa:bb:cc:00:00:01"), State: netstate.NeighReachable, Router: true},
		{IfIndex: 5, IP: netip.MustParseAddr("192.168.1.1"), MAC: drtMAC("aa:bb:cc:00:00:01"), State: netstate.NeighStale},
		{IfIndex: 4, IP: netip.MustParseAddr("192.168.1.50"), MAC: drtMAC("00:11:22:33:44:55"), State: netstate.NeighPermanent, Permanent: true},
		{IfIndex: 4, IP: netip.MustParseAddr("192.168.1.77"), State: netstate.NeighIncomplete},
		{IfIndex: 4, IP: netip.MustParseAddr("192.168.1.78"), State: netstate.NeighFailed},
		{IfIndex: 4, IP: netip.MustParseAddr("192.168.1.79"), State: netstate.NeighFailed},
		// NDP: rmx_expire is always 0, which must not read as permanent;
		// the embedded scope is stripped from the address.
		{IfIndex: 4, IP: netip.MustParseAddr("fe80::1"), MAC: drtMAC("aa:bb:cc:00:00:01"), State: netstate.NeighReachable, Router: true},
		{IfIndex: 4, IP: netip.MustParseAddr("2001:db8::5"), State: netstate.NeighIncomplete},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("neighbors:\n got %+v\nwant %+v", got, want)
	}
}

func TestDarwinApplyND6(t *testing.T) {
	mac := drtMAC("aa:bb:cc:00:00:01")
	for _, tc := range []struct {
		name                 string
		mac                  net.HardwareAddr
		state, rtr, exp      int32
		wantState            netstate.NeighState
		wantPerm, wantRouter bool
	}{
		{"stale", mac, darwinND6Stale, 0, 1_750_000_100, netstate.NeighStale, false, false},
		{"reachable router", mac, darwinND6Reachable, 1, 1_750_000_100, netstate.NeighReachable, false, true},
		{"delay", mac, darwinND6Delay, 0, 5, netstate.NeighDelay, false, false},
		{"probe", mac, darwinND6Probe, 0, 5, netstate.NeighProbe, false, false},
		{"static (ndp -s)", mac, darwinND6Reachable, 0, 0, netstate.NeighPermanent, true, false},
		{"purge", mac, darwinND6Purge, 0, 5, netstate.NeighFailed, false, false},
		{"nostate", mac, darwinND6NoState, 0, 5, netstate.NeighUnknown, false, false},
		{"no MAC stays incomplete", nil, darwinND6Reachable, 0, 0, netstate.NeighIncomplete, false, false},
	} {
		n := netstate.Neighbor{MAC: tc.mac, State: netstate.NeighReachable}
		if tc.mac == nil {
			n.State = netstate.NeighIncomplete
		}
		darwinApplyND6(&n, tc.state, tc.rtr, tc.exp)
		if n.State != tc.wantState || n.Permanent != tc.wantPerm || n.Router != tc.wantRouter {
			t.Errorf("%s: got %v permanent=%v router=%v", tc.name, n.State, n.Permanent, n.Router)
		}
	}
}

func drtRouteDump() []byte {
	m4, m6 := drtMask(4, 0), drtMask(8, 0)
	return drtDump(
		// a scoped default route (second service, en1) listed first
		drtMsg{index: 5, flags: xnu.RTFUp | xnu.RTFGateway | drtStatic | xnu.RTFIfScope,
			dst: drtSin("0.0.0.0"), gw: drtSin("10.0.0.1"), mask: m4, ifa: drtSin("10.0.0.7")},
		// the primary default route: mask of sa_len 0
		drtMsg{index: 4, flags: xnu.RTFUp | xnu.RTFGateway | drtStatic,
			dst: drtSin("0.0.0.0"), gw: drtSin("192.168.1.1"), mask: m4, ifa: drtSin("192.168.1.20")},
		// the on-link subnet: gateway is the interface (sockaddr_dl)
		drtMsg{index: 4, flags: xnu.RTFUp | 0x100, // RTF_CLONING
			dst: drtSin("192.168.1.0"), gw: drtSdl(4, "", ""), mask: drtMask(4, 24), ifa: drtSin("192.168.1.20")},
		// route add -reject / -blackhole
		drtMsg{index: 1, flags: xnu.RTFUp | xnu.RTFGateway | drtStatic | xnu.RTFReject,
			dst: drtSin("203.0.113.0"), gw: drtSin("127.0.0.1"), mask: drtMask(4, 24)},
		drtMsg{index: 1, flags: xnu.RTFUp | xnu.RTFGateway | drtStatic | xnu.RTFBlackhole,
			dst: drtSin("198.51.100.0"), gw: drtSin("127.0.0.1"), mask: drtMask(4, 24)},
		// left out: a clone, an ARP entry, multicast
		drtMsg{index: 4, flags: xnu.RTFUp | xnu.RTFGateway | xnu.RTFHost | drtClone,
			dst: drtSin("198.51.100.1"), gw: drtSin("192.168.1.1")},
		drtMsg{index: 4, flags: drtHostLL | drtClone, dst: drtSin("192.168.1.1"), gw: drtSdl(4, "", "aa:bb:cc:00:00:01")},
		drtMsg{index: 4, flags: xnu.RTFUp | xnu.RTFMulticast,
			dst: drtSin("224.0.0.0"), gw: drtSdl(4, "", ""), mask: drtMask(4, 4)},
		// IPv6 default via a link-local router (embedded scope 4)
		drtMsg{index: 4, flags: xnu.RTFUp | xnu.RTFGateway | drtStatic,
			dst: drtSin6("::", 0), gw: drtSin6("fe80::1", 4), mask: m6},
		// a scoped link-local prefix on a VPN tunnel
		drtMsg{index: 12, flags: xnu.RTFUp | xnu.RTFIfScope,
			dst: drtSin6("fe80::", 12), gw: drtSdl(12, "", ""), mask: drtMask(8, 64)},
	)
}

func TestDarwinParseRoutes(t *testing.T) {
	got, err := darwinParseRoutes(drtRouteDump())
	if err != nil {
		t.Fatal(err)
	}
	p, a := netip.MustParsePrefix, netip.MustParseAddr
	want := []netstate.Route{
		{Dst: p("0.0.0.0/0"), Gateway: a("192.168.1.1"), IfIndex: 4, Src: a("192.168.1.20")},
		{Dst: p("192.168.1.0/24"), IfIndex: 4, Src: a("192.168.1.20")},
		{Dst: p("203.0.113.0/24"), Gateway: a("127.0.0.1"), IfIndex: 1, Type: netstate.RouteUnreachable},
		{Dst: p("198.51.100.0/24"), Gateway: a("127.0.0.1"), IfIndex: 1, Type: netstate.RouteBlackhole},
		{Dst: p("::/0"), Gateway: a("fe80::1"), IfIndex: 4},
		// scoped routes last: the engine takes the first of equal metrics
		{Dst: p("0.0.0.0/0"), Gateway: a("10.0.0.1"), IfIndex: 5, Src: a("10.0.0.7"), Scoped: true},
		{Dst: p("fe80::/64"), IfIndex: 12, Scoped: true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("routes:\n got %+v\nwant %+v", got, want)
	}
	if d := pickDefaultDarwinTest(got); d == nil || d.IfIndex != 4 {
		t.Errorf("first default route = %+v, want the unscoped one on en0", d)
	}
}

// pickDefaultDarwinTest mirrors what any "lowest metric, first wins" pick
// does, without depending on the engine's code.
func pickDefaultDarwinTest(rs []netstate.Route) *netstate.Route {
	for i := range rs {
		if rs[i].IsDefault() && rs[i].Dst.Addr().Is4() && rs[i].Type == netstate.RouteUnicast {
			return &rs[i]
		}
	}
	return nil
}

func TestDarwinRouteGetReply(t *testing.T) {
	// route -n get 198.51.100.1: the default route, with a named RTA_IFP, our
	// pid and seq; its last sockaddr (a 17-byte sockaddr_dl) without
	// padding, as golang/go#44740 saw from a routing socket.
	ifp := drtSdl(4, "en0", "a4:83:e7:00:00:20")[:17]
	ifp[0] = 17
	reply := drtMsg{index: 4, flags: xnu.RTFUp | xnu.RTFGateway | drtStatic | 0x40, pid: 321, seq: 7,
		dst: drtSin("0.0.0.0"), gw: drtSin("192.168.1.1"), mask: drtMask(4, 0), ifp: ifp, cutLastPad: true}
	b := reply.bytes()
	if len(b)%4 == 0 {
		t.Fatalf("test message should end unpadded, is %d bytes", len(b))
	}
	msgs, err := darwinParseRtMsgs(b)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("parse: %v, %d messages", err, len(msgs))
	}
	m := msgs[0]
	if m.Pid != 321 || m.Seq != 7 || m.Type != xnu.RTMGet {
		t.Errorf("header: %+v", m)
	}
	r, ok := darwinRoute(m, true)
	want := netstate.Route{Dst: netip.MustParsePrefix("0.0.0.0/0"), Gateway: netip.MustParseAddr("192.168.1.1"),
		IfIndex: 4, IfName: "en0"}
	if !ok || !reflect.DeepEqual(r, want) {
		t.Errorf("route: got %+v, want %+v", r, want)
	}

	// An on-link destination's answer is its ARP entry: kept for RouteTo.
	ll := drtMsg{index: 4, flags: drtHostLL | drtClone | xnu.RTFIfScope, pid: 321, seq: 8,
		dst: drtSin("192.168.1.1"), gw: drtSdl(4, "", "aa:bb:cc:00:00:01"), ifp: drtSdl(4, "en0", "")}
	msgs, err = darwinParseRtMsgs(ll.bytes())
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := darwinRoute(msgs[0], true); !ok || r.Dst != netip.MustParsePrefix("192.168.1.1/32") || r.Gateway.IsValid() || !r.Scoped || r.IfName != "en0" {
		t.Errorf("on-link answer: %+v %v", r, ok)
	}
	if _, ok := darwinRoute(msgs[0], false); ok {
		t.Error("ARP entry must not be listed by Routes")
	}
}

func TestDarwinBuildRtMsg(t *testing.T) {
	b := darwinBuildRtMsg(xnu.RTMGet, xnu.RTFUp|xnu.RTFHost, 0, false, 9, netip.MustParseAddr("198.51.100.1"))
	if len(b) != xnu.SizeofRtMsghdr+xnu.SizeofSockaddrIn+xnu.SizeofSockaddrDl {
		t.Fatalf("RTM_GET inet is %d bytes", len(b))
	}
	le := binary.LittleEndian
	if int(le.Uint16(b)) != len(b) || b[2] != xnu.RTMVersion || b[3] != xnu.RTMGet || le.Uint16(b[4:]) != 0 ||
		le.Uint32(b[8:]) != xnu.RTFUp|xnu.RTFHost || le.Uint32(b[12:]) != xnu.RTADst|xnu.RTAIfp || le.Uint32(b[20:]) != 9 {
		t.Errorf("header % x", b[:24])
	}
	msgs, err := darwinParseRtMsgs(b)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("round trip: %v", err)
	}
	if m := msgs[0]; m.Dst != netip.MustParseAddr("198.51.100.1") || m.Seq != 9 || m.Ifp == nil || m.Flags&xnu.RTFIfScope != 0 {
		t.Errorf("round trip: %+v", m)
	}

	// Deleting the en0 copy of a link-local neighbor: scoped, KAME scope
	// embedded, no RTA_IFP.
	b = darwinBuildRtMsg(xnu.RTMDelete, xnu.RTFHost|xnu.RTFLLInfo, 4, true, 10, netip.MustParseAddr("fe80::1%en0"))
	if len(b) != xnu.SizeofRtMsghdr+xnu.SizeofSockaddrIn6 {
		t.Fatalf("RTM_DELETE inet6 is %d bytes", len(b))
	}
	if got := b[xnu.SizeofRtMsghdr+10 : xnu.SizeofRtMsghdr+12]; got[0] != 0 || got[1] != 4 {
		t.Errorf("embedded scope % x", got)
	}
	// The unscoped copy: no RTF_IFSCOPE, but a link-local key still needs
	// its interface.
	u := darwinBuildRtMsg(xnu.RTMDelete, xnu.RTFHost|xnu.RTFLLInfo, 4, false, 11, netip.MustParseAddr("fe80::1"))
	if got := u[xnu.SizeofRtMsghdr+10 : xnu.SizeofRtMsghdr+12]; got[1] != 4 || binary.LittleEndian.Uint32(u[8:])&xnu.RTFIfScope != 0 || u[4] != 0 {
		t.Errorf("unscoped link-local delete: % x", u)
	}
	msgs, err = darwinParseRtMsgs(b)
	if err != nil {
		t.Fatal(err)
	}
	m := msgs[0]
	if m.Type != xnu.RTMDelete || m.Index != 4 || m.Flags != xnu.RTFHost|xnu.RTFLLInfo|xnu.RTFIfScope ||
		m.Dst != netip.MustParseAddr("fe80::1") || m.DstScope != 4 || m.Ifp != nil {
		t.Errorf("round trip: %+v", m)
	}
}

func TestDarwinParseSkipsOtherMessages(t *testing.T) {
	// The 50-byte RTM_DELMADDR (ifma_msghdr) of golang/go#44740, which
	// x/net/route once rejected, between two route messages.
	ifma, _ := hex.DecodeString(strings.ReplaceAll("32 00 05 10 30 00 00 00 00 00 00 00 04 00 00 00 14 12 04 00 06 03 06 00 65 6e 30 ac 87 a3 19 7f 82 00 00 00 0e 12 00 00 00 00 06 00 91 e0 f0 01 00 00", " ", ""))
	r := drtMsg{index: 4, flags: xnu.RTFUp | xnu.RTFGateway, dst: drtSin("0.0.0.0"), gw: drtSin("192.168.1.1"), mask: drtMask(4, 0)}.bytes()
	b := append(append(append([]byte{}, r...), ifma...), r...)
	msgs, err := darwinParseRtMsgs(b)
	if err != nil || len(msgs) != 2 {
		t.Fatalf("got %d messages, %v", len(msgs), err)
	}
}

// drtGarbage are messages that must be refused with an error, never a
// panic or a silently wrong entry.
func drtGarbage() map[string][]byte {
	ok := drtMsg{index: 4, flags: drtHostLL, dst: drtSin("192.168.1.1"), gw: drtSdl(4, "", "aa:bb:cc:00:00:01")}
	full := ok.bytes()
	badDl := ok
	badDl.gw = drtSdl(4, "", "aa:bb:cc:00:00:01")
	badDl.gw[6] = 40 // sdl_alen beyond sdl_len
	overrun := ok
	overrun.dst = drtSin("192.168.1.1")
	overrun.dst[0] = 200
	// A last sockaddr cut inside its own length (not missing: rt_msg1
	// leaves out only a whole last sockaddr of sa_len 0).
	cutB := ok.bytes()
	cutB = append(cutB[:len(cutB)-xnu.Roundup(len(ok.gw))], ok.gw[:6]...)
	binary.LittleEndian.PutUint16(cutB, uint16(len(cutB)))
	return map[string][]byte{
		"truncated message":         full[:len(full)-6],
		"length beyond buffer":      drtMsg{lenDelta: 40, dst: drtSin("1.2.3.4")}.bytes(),
		"length below 4":            {2, 0, 5, 4},
		"three stray bytes":         append(append([]byte{}, full...), 1, 2, 3),
		"header cut short":          {40, 0, 5, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
		"wrong version":             drtMsg{badVersion: true, dst: drtSin("1.2.3.4")}.bytes(),
		"sockaddr_dl overrun":       badDl.bytes(),
		"sockaddr beyond message":   overrun.bytes(),
		"last sockaddr cut short":   cutB,
		"garbage":                   []byte("this is not a routing message at all, just text"),
		"zero length in a sequence": append(append([]byte{}, full...), make([]byte, 8)...),
	}
}

func TestDarwinParseGarbage(t *testing.T) {
	for name, b := range drtGarbage() {
		if _, err := darwinParseRtMsgs(b); err == nil {
			t.Errorf("%s: no error", name)
		}
		if _, err := darwinParseRoutes(b); err == nil {
			t.Errorf("%s: routes: no error", name)
		}
		if _, err := darwinParseNeighbors(b, drtNow); err == nil {
			t.Errorf("%s: neighbors: no error", name)
		}
	}
	// Every prefix of a real dump either parses or fails; none panics.
	for _, dump := range [][]byte{drtRouteDump(), drtARPDump(), drtNDPDump()} {
		for i := range dump {
			_, _ = darwinParseRoutes(dump[:i])
			_, _ = darwinParseNeighbors(dump[:i], drtNow)
		}
	}
	if _, err := darwinParseRtMsgs(nil); err != nil {
		t.Errorf("empty dump: %v", err)
	}
}

// pcblist_n records, built from xnu's #pragma pack(4) structs (see
// darwin_rib.go): xinpgen(24), then per socket xinpcb_n(104),
// xsocket_n(104), xsockbuf_n(32) x2, xsockstat_n, [xtcpcb_n], each item
// {u32 len; u32 kind; ...} padded to 8 bytes; then a closing xinpgen.
type drtPcb struct {
	proto         int32 // xso_protocol
	lport         uint16
	state         int32 // TCP t_state
	lastPID, ePID int32
	gencnt        uint64
	shortSocket   bool // garbage: an xsocket_n of 40 bytes
}

func drtItem(kind uint32, n int, set func([]byte)) []byte {
	b := make([]byte, darwinRoundup64(n))
	binary.LittleEndian.PutUint32(b, uint32(n))
	binary.LittleEndian.PutUint32(b[4:], kind)
	if set != nil {
		set(b)
	}
	return b
}

func drtPcblist(tcp bool, gen uint64, ps ...drtPcb) []byte {
	le := binary.LittleEndian
	xig := func() []byte {
		b := make([]byte, darwinSizeofXinpgen)
		le.PutUint32(b, darwinSizeofXinpgen)
		le.PutUint32(b[4:], uint32(len(ps)))
		le.PutUint64(b[8:], gen)
		return b
	}
	b := xig()
	for _, p := range ps {
		b = append(b, drtItem(0x10, 104, func(x []byte) {
			binary.BigEndian.PutUint16(x[18:], p.lport)
			le.PutUint64(x[28:], p.gencnt)
			x[44] = 1 // INP_IPV4
		})...)
		n := 104
		if p.shortSocket {
			n = 40
		}
		b = append(b, drtItem(0x01, n, func(x []byte) {
			if len(x) < 76 {
				return
			}
			le.PutUint32(x[36:], uint32(p.proto))
			le.PutUint32(x[40:], xnu.AFInet)
			le.PutUint32(x[68:], uint32(p.lastPID))
			le.PutUint32(x[72:], uint32(p.ePID))
		})...)
		b = append(b, drtItem(0x02, 32, nil)...)
		b = append(b, drtItem(0x04, 32, nil)...)
		b = append(b, drtItem(0x08, 136, nil)...)
		if tcp {
			b = append(b, drtItem(0x20, 220, func(x []byte) { le.PutUint32(x[36:], uint32(p.state)) })...)
		}
	}
	return append(b, xig()...)
}

func drtTCPList() []byte {
	return drtPcblist(true, 100,
		drtPcb{proto: 6, lport: 50000, state: 4, lastPID: 100, gencnt: 90},           // ESTABLISHED
		drtPcb{proto: 6, lport: 50001, state: 10, lastPID: 100, gencnt: 91},          // TIME_WAIT
		drtPcb{proto: 6, lport: 8080, state: 1, lastPID: 200, gencnt: 92},            // LISTEN, low port
		drtPcb{proto: 6, lport: 55555, state: 1, lastPID: 200, gencnt: 93},           // LISTEN in the range: not in use
		drtPcb{proto: 6, lport: 50002, state: 4, lastPID: 300, gencnt: 101},          // freed during the copy
		drtPcb{proto: 6, lport: 50003, state: 2, lastPID: 50, ePID: 400, gencnt: 94}, // SYN_SENT for an app (e_pid)
	)
}

func TestDarwinParsePcblist(t *testing.T) {
	got, err := darwinParsePcblist(drtTCPList(), 6, 49152, 65535)
	if err != nil {
		t.Fatal(err)
	}
	want := darwinPcbStats{Listed: 6, Records: 6, Sockets: 5, EphemeralInUse: 3, TimeWait: 1, ByPID: map[int]int{100: 2, 200: 2, 400: 1},
		Listeners: map[int]int{8080: 200, 55555: 200}} // the taken ports' owners
	if !reflect.DeepEqual(got, want) {
		t.Errorf("tcp: got %+v, want %+v", got, want)
	}

	udp := drtPcblist(false, 10,
		drtPcb{proto: 17, lport: 5353, lastPID: 77, gencnt: 1},
		drtPcb{proto: 17, lport: 60000, lastPID: 77, gencnt: 2},
		drtPcb{proto: 17, lport: 0, gencnt: 3}, // unbound, kernel-owned
	)
	got, err = darwinParsePcblist(udp, 17, 49152, 65535)
	want = darwinPcbStats{Listed: 3, Records: 3, Sockets: 3, EphemeralInUse: 1, ByPID: map[int]int{77: 2}, Listeners: map[int]int{}} // UDP has no listeners
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("udp: got %+v, %v; want %+v", got, err, want)
	}

	empty := drtPcblist(true, 1)
	if got, err := darwinParsePcblist(empty, 6, 49152, 65535); err != nil || got.Sockets != 0 {
		t.Errorf("empty list: %+v, %v", got, err)
	}
}

// TestDarwinPcblistShortfall checks that a list the kernel cut short without
// an error (only the headers and our own sockets, as osfacts reports for
// processes with an ad-hoc-signed ancestor) must not read as "0 in use".
func TestDarwinPcblistShortfall(t *testing.T) {
	le := binary.LittleEndian
	withCount := func(b []byte, open, closing uint32) []byte {
		b = append([]byte(nil), b...)
		le.PutUint32(b[4:], open)
		le.PutUint32(b[len(b)-darwinSizeofXinpgen+4:], closing)
		return b
	}
	own := drtPcb{proto: 6, lport: 50000, state: 4, lastPID: 100, gencnt: 1}
	for _, tc := range []struct {
		name          string
		b             []byte
		short         bool
		listed, recds int
	}{
		// 48 bytes: the two headers, xig_count 37 (the measured shape)
		{"headers only", withCount(drtPcblist(true, 10), 37, 37), true, 37, 0},
		{"only our own socket", withCount(drtPcblist(true, 10, own), 37, 37), true, 37, 1},
		// churn during the copy: a few more or fewer than counted
		{"sockets closed during the copy", withCount(drtPcblist(true, 10, own), 6, 5), false, 5, 1},
		{"a small machine", withCount(drtPcblist(true, 10), 8, 8), false, 8, 0},
		{"complete", drtTCPList(), false, 6, 6},
	} {
		st, err := darwinParsePcblist(tc.b, 6, 49152, 65535)
		if got := errors.Is(err, errDarwinPcblistShort); got != tc.short || st.Listed != tc.listed || st.Records != tc.recds {
			t.Errorf("%s: listed %d records %d err %v; want listed %d records %d short %v", tc.name, st.Listed, st.Records, err, tc.listed, tc.recds, tc.short)
		}
		if tc.short && !strings.Contains(err.Error(), "of the 37 sockets") {
			t.Errorf("%s: the error does not give the counts: %v", tc.name, err)
		}
	}
}

func TestDarwinCarrier(t *testing.T) {
	media := func(status uint32) []byte {
		b := make([]byte, xnu.SizeofIfmediareq)
		le := binary.LittleEndian
		le.PutUint32(b[xnu.IfmediaStatusOff:], status)
		return b
	}
	for _, tc := range []struct {
		name    string
		running bool
		ifmr    []byte
		err     error
		want    bool
	}{
		// ifconfig on a real Mac: "flags=...<UP,...,RUNNING,...>" with
		// "status: inactive" (Stack Overflow q. 29958143): no carrier.
		{"running, media inactive", true, media(xnu.IFMAvalid), nil, false},
		{"running, media active", true, media(xnu.IFMAvalid | xnu.IFMActive), nil, true},
		{"not running, media active", false, media(xnu.IFMAvalid | xnu.IFMActive), nil, true},
		// no link state from the driver: IFF_RUNNING decides
		{"no IFM_AVALID, running", true, media(xnu.IFMActive), nil, true},
		{"no IFM_AVALID, not running", false, media(0), nil, false},
		// lo0, utun: no media (EINVAL); IFF_RUNNING decides
		{"no media, running", true, nil, errors.New("invalid argument"), true},
		{"no media, not running", false, nil, errors.New("invalid argument"), false},
		{"short answer", true, make([]byte, 8), nil, true},
	} {
		if got := darwinCarrier(tc.running, tc.ifmr, tc.err); got != tc.want {
			t.Errorf("%s: carrier %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestDarwinParsePcblistGarbage(t *testing.T) {
	tcp := drtTCPList()
	badState := drtPcblist(true, 100, drtPcb{proto: 6, lport: 50000, state: 99, gencnt: 1})
	short := drtPcblist(true, 100, drtPcb{proto: 6, lport: 50000, state: 4, gencnt: 1, shortSocket: true})
	for name, tc := range map[string]struct {
		b     []byte
		proto int
	}{
		"truncated":               {tcp[:len(tcp)-200], 6},
		"cut inside an item":      {tcp[:darwinSizeofXinpgen+4], 6},
		"too short for xinpgen":   {tcp[:10], 6},
		"TCP state out of range":  {badState, 6},
		"item shorter than xnu's": {short, 6},
		"wrong protocol layout":   {tcp, 17},
	} {
		if _, err := darwinParsePcblist(tc.b, tc.proto, 49152, 65535); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	for i := range tcp {
		_, _ = darwinParsePcblist(tcp[:i], 6, 49152, 65535)
	}
}

func TestDarwinRoundup(t *testing.T) {
	for in, want := range map[int]int{0: 4, 1: 4, 4: 4, 5: 8, 14: 16, 16: 16, 28: 28, 20: 20} {
		if got := xnu.Roundup(in); got != want {
			t.Errorf("roundup(%d) = %d, want %d", in, got, want)
		}
	}
	if !errors.Is(func() error { _, err := darwinParseRtMsgs([]byte{1}); return err }(), xnu.ErrTruncated) {
		t.Error("a 1-byte buffer is not reported as truncated")
	}
}
