package watch

import (
	"encoding/binary"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/netguard/netguard/checks/internal/xnu"
	"github.com/netguard/netguard/checks/netstate"
)

// XNU sockaddrs, as the kernel writes them (sa_len first, padded to 4).
func xSin(a string) []byte {
	ip := netip.MustParseAddr(a).As4()
	return append([]byte{16, xnu.AFInet, 0, 0}, append(ip[:], make([]byte, 8)...)...)
}

func xSin6(a string, scope uint16) []byte {
	ip := netip.MustParseAddr(a).As16()
	if scope != 0 { // KAME: the scope embedded in bytes 2-3
		binary.BigEndian.PutUint16(ip[2:], scope)
	}
	b := []byte{28, xnu.AFInet6, 0, 0, 0, 0, 0, 0}
	b = append(b, ip[:]...)
	return append(b, 0, 0, 0, 0)
}

func xSdl(idx uint16, name string, mac net.HardwareAddr) []byte {
	b := []byte{0, xnu.AFLink, 0, 0, 6, byte(len(name)), byte(len(mac)), 0}
	binary.LittleEndian.PutUint16(b[2:], idx)
	b = append(b, name...)
	b = append(b, mac...)
	for len(b) < 20 {
		b = append(b, 0)
	}
	b[0] = byte(len(b))
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

// xMask is a netmask sockaddr trimmed the way XNU trims it.
func xMask(bits int) []byte {
	m := net.CIDRMask(bits, 32)
	n := 4
	for i, c := range m {
		if c != 0 {
			n = 4 + i + 1
		}
	}
	b := append([]byte{byte(n), 0, 0, 0}, m[:n-4]...)
	if bits == 0 {
		b = []byte{0}
	}
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

func xRtMsg(typ uint8, idx uint16, flags uint32, expire int32, sas map[int][]byte) []byte {
	h := make([]byte, xnu.SizeofRtMsghdr)
	h[2], h[3] = xnu.RTMVersion, typ
	binary.LittleEndian.PutUint16(h[4:], idx)
	binary.LittleEndian.PutUint32(h[8:], flags)
	binary.LittleEndian.PutUint32(h[xnu.RtmExpireOff:], uint32(expire))
	h, addrs := appendSockaddrs(h, sas)
	binary.LittleEndian.PutUint32(h[12:], addrs)
	binary.LittleEndian.PutUint16(h, uint16(len(h)))
	return h
}

func xIfaMsg(typ uint8, idx uint16, sas map[int][]byte) []byte {
	h := make([]byte, xnu.SizeofIfaMsghdr)
	h[2], h[3] = xnu.RTMVersion, typ
	binary.LittleEndian.PutUint16(h[12:], idx)
	h, addrs := appendSockaddrs(h, sas)
	binary.LittleEndian.PutUint32(h[4:], addrs)
	binary.LittleEndian.PutUint16(h, uint16(len(h)))
	return h
}

// appendSockaddrs appends sas (by RTAX_ index) to h in index order and
// returns h with the rtm_addrs bitmap that announces them.
func appendSockaddrs(h []byte, sas map[int][]byte) ([]byte, uint32) {
	var addrs uint32
	for i := 0; i < xnu.RTAXMax; i++ {
		if sa, ok := sas[i]; ok {
			addrs |= 1 << i
			h = append(h, sa...)
		}
	}
	return h, addrs
}

func xIfMsg(idx uint16, flags uint32) []byte {
	h := make([]byte, 112) // if_msghdr with if_data
	h[2], h[3] = xnu.RTMVersion, xnu.RTMIfInfo
	binary.LittleEndian.PutUint32(h[8:], flags)
	binary.LittleEndian.PutUint16(h[xnu.IfmIndexOff:], idx)
	binary.LittleEndian.PutUint16(h, uint16(len(h)))
	return h
}

// bsdNow is before the expiries below: dynamic entries read reachable.
var bsdNow = time.Unix(1_600_000_000, 0)

func TestParseRouteSocket(t *testing.T) {
	mac := net.HardwareAddr{2, 0, 0, 0, 0, 1}
	const llinfo = xnu.RTFLLInfo | 0x1 | 0x4 // + RTF_UP, RTF_HOST
	var buf []byte
	for _, m := range [][]byte{
		// ARP entry for the gateway: resolved, expiring (dynamic).
		xRtMsg(xnu.RTMAdd, 4, llinfo|xnu.RTFWasCloned, 1_700_000_000, map[int][]byte{
			xnu.RTAXDst: xSin("192.168.1.1"), xnu.RTAXGateway: xSdl(4, "en0", mac)}),
		// Static ARP entry (no expiry).
		xRtMsg(xnu.RTMChange, 4, llinfo, 0, map[int][]byte{
			xnu.RTAXDst: xSin("192.168.1.1"), xnu.RTAXGateway: xSdl(4, "en0", mac)}),
		// ARP gave up: no MAC, RTF_REJECT.
		xRtMsg(xnu.RTMChange, 4, llinfo|xnu.RTFReject, 1, map[int][]byte{
			xnu.RTAXDst: xSin("192.168.1.1"), xnu.RTAXGateway: xSdl(4, "en0", nil)}),
		// A failed re-resolution: RTF_REJECT while the old MAC is kept.
		xRtMsg(xnu.RTMChange, 4, llinfo|xnu.RTFReject, 1_700_000_020, map[int][]byte{
			xnu.RTAXDst: xSin("192.168.1.1"), xnu.RTAXGateway: xSdl(4, "en0", mac)}),
		// NDP entry for a link-local router, KAME scope embedded.
		xRtMsg(xnu.RTMDelete, 4, llinfo, 0, map[int][]byte{
			xnu.RTAXDst: xSin6("fe80::1", 4), xnu.RTAXGateway: xSdl(0, "en0", mac)}),
		// A per-destination clone: skipped.
		xRtMsg(xnu.RTMAdd, 4, 0x1|0x2|0x4|xnu.RTFWasCloned, 0, map[int][]byte{
			xnu.RTAXDst: xSin("93.184.216.34"), xnu.RTAXGateway: xSin("192.168.1.1")}),
		// Broadcast entry: skipped.
		xRtMsg(xnu.RTMAdd, 4, llinfo|xnu.RTFBroadcast, 0, map[int][]byte{
			xnu.RTAXDst: xSin("192.168.1.255"), xnu.RTAXGateway: xSdl(4, "en0", mac)}),
		// The default route goes away; its mask is a 0-length sockaddr.
		xRtMsg(xnu.RTMDelete, 4, 0x1|0x2, 0, map[int][]byte{
			xnu.RTAXDst: xSin("0.0.0.0"), xnu.RTAXGateway: xSin("192.168.1.1"), xnu.RTAXNetmask: xMask(0)}),
		xRtMsg(xnu.RTMAdd, 4, 0x1, 0, map[int][]byte{
			xnu.RTAXDst: xSin("10.8.0.0"), xnu.RTAXGateway: xSdl(9, "utun3", nil), xnu.RTAXNetmask: xMask(16)}),
		// Answers to lookups (RTM_GET) are skipped.
		xRtMsg(0x4, 4, 0x1, 0, map[int][]byte{xnu.RTAXDst: xSin("198.51.100.1")}),
		xIfaMsg(xnu.RTMNewAddr, 4, map[int][]byte{xnu.RTAXNetmask: xMask(24), 4: xSdl(4, "en0", mac), xnu.RTAXIfa: xSin("192.168.1.20")}),
		xIfMsg(4, xnu.IFFUp|xnu.IFFRunning),
		xIfMsg(5, xnu.IFFUp),
		xIfMsg(6, xnu.IFFRunning),
	} {
		buf = append(buf, m...)
	}
	got := parseRouteSocket(buf, bsdNow)
	gw := netip.MustParseAddr("192.168.1.1")
	want := []Change{
		{Kind: KindNeigh, IfIndex: 4, Neigh: netstate.Neighbor{IfIndex: 4, IP: gw, MAC: mac, State: netstate.NeighReachable}, Detail: "neighbor new 192.168.1.1 reachable 02:00:00:00:00:01"},
		{Kind: KindNeigh, IfIndex: 4, Neigh: netstate.Neighbor{IfIndex: 4, IP: gw, MAC: mac, State: netstate.NeighPermanent, Permanent: true}, Detail: "neighbor new 192.168.1.1 permanent 02:00:00:00:00:01"},
		{Kind: KindNeigh, IfIndex: 4, Neigh: netstate.Neighbor{IfIndex: 4, IP: gw, State: netstate.NeighFailed}, Detail: "neighbor new 192.168.1.1 failed"},
		{Kind: KindNeigh, IfIndex: 4, Neigh: netstate.Neighbor{IfIndex: 4, IP: gw, State: netstate.NeighFailed}, Detail: "neighbor new 192.168.1.1 failed"},
		{Kind: KindNeigh, Deleted: true, IfIndex: 4, Neigh: netstate.Neighbor{IfIndex: 4, IP: netip.MustParseAddr("fe80::1"), MAC: mac, State: netstate.NeighReachable}, Detail: "neighbor del fe80::1 reachable 02:00:00:00:00:01"},
		{Kind: KindRoute, Deleted: true, IfIndex: 4, Detail: "route del 0.0.0.0/0 via 192.168.1.1"},
		{Kind: KindRoute, IfIndex: 4, Detail: "route new 10.8.0.0/16"},
		{Kind: KindAddr, IfIndex: 4, Addr: netip.MustParsePrefix("192.168.1.20/24"), Detail: "address new 192.168.1.20/24 on 4"},
		{Kind: KindLink, IfIndex: 4, Detail: "link 4 up"},
		// IFF_UP without IFF_RUNNING: RTM_IFINFO says nothing of carrier.
		{Kind: KindLink, IfIndex: 5, Detail: "link 5 up"},
		{Kind: KindLink, IfIndex: 6, Detail: "link 6 down"},
	}
	wantChanges(t, got, want)
}

// wantChanges fails t unless got holds want's changes in order, compared
// field by field (a MAC by its text, so nil and empty agree).
func wantChanges(t *testing.T, got, want []Change) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d changes, want %d:\n%+v", len(got), len(want), got)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Kind != w.Kind || g.Deleted != w.Deleted || g.IfIndex != w.IfIndex || g.Addr != w.Addr || g.Detail != w.Detail ||
			g.Neigh.IP != w.Neigh.IP || g.Neigh.State != w.Neigh.State || g.Neigh.Permanent != w.Neigh.Permanent ||
			g.Neigh.Router != w.Neigh.Router || g.Neigh.MAC.String() != w.Neigh.MAC.String() || g.Neigh.IfIndex != w.Neigh.IfIndex {
			t.Errorf("change %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
}

func TestParseRouteSocketMalformed(t *testing.T) {
	m := xRtMsg(xnu.RTMAdd, 4, xnu.RTFLLInfo, 0, map[int][]byte{
		xnu.RTAXDst: xSin("192.168.1.1"), xnu.RTAXGateway: xSdl(4, "en0", net.HardwareAddr{2, 0, 0, 0, 0, 1})})
	for n := 0; n <= len(m); n++ {
		b := append([]byte(nil), m[:n]...)
		if len(b) >= 2 {
			binary.LittleEndian.PutUint16(b, uint16(len(b))) // a consistent but short message
		}
		parseRouteSocket(b, bsdNow)
	}
	bad := append([]byte(nil), m...)
	bad[2] = 4 // another version: skipped, the next message still read
	if got := parseRouteSocket(append(bad, m...), bsdNow); len(got) != 1 {
		t.Errorf("got %d changes, want 1", len(got))
	}
}

func FuzzParseRouteSocket(f *testing.F) {
	f.Add(xRtMsg(xnu.RTMAdd, 4, xnu.RTFLLInfo, 0, map[int][]byte{
		xnu.RTAXDst: xSin("192.168.1.1"), xnu.RTAXGateway: xSdl(4, "en0", net.HardwareAddr{2, 0, 0, 0, 0, 1})}))
	f.Add(xIfaMsg(xnu.RTMNewAddr, 4, map[int][]byte{xnu.RTAXNetmask: xMask(24), xnu.RTAXIfa: xSin("192.168.1.20")}))
	f.Fuzz(func(t *testing.T, b []byte) { parseRouteSocket(b, bsdNow) })
}
