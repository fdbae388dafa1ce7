//go:build linux

package watch

import (
	"encoding/binary"
	"net"
	"net/netip"
	"testing"

	"github.com/netguard/netguard/checks/netstate"
	"golang.org/x/sys/unix"
)

// nlMsg builds one netlink message: header, fixed body, attributes.
func nlMsg(typ uint16, body []byte, attrs ...nlAttr) []byte {
	ne := binary.NativeEndian
	b := append([]byte(nil), body...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	for _, a := range attrs {
		h := make([]byte, 4)
		ne.PutUint16(h, uint16(4+len(a.v)))
		ne.PutUint16(h[2:], a.t)
		b = append(b, h...)
		b = append(b, a.v...)
		for len(b)%4 != 0 {
			b = append(b, 0)
		}
	}
	h := make([]byte, unix.NLMSG_HDRLEN)
	ne.PutUint32(h, uint32(unix.NLMSG_HDRLEN+len(b)))
	ne.PutUint16(h[4:], typ)
	return append(h, b...)
}

type nlAttr struct {
	t uint16
	v []byte
}

func u32(v uint32) []byte { b := make([]byte, 4); binary.NativeEndian.PutUint32(b, v); return b }

func ndmsg(fam uint8, idx int32, state uint16, flags uint8) []byte {
	b := make([]byte, sizeofNdMsg)
	b[0] = fam
	binary.NativeEndian.PutUint32(b[4:], uint32(idx))
	binary.NativeEndian.PutUint16(b[8:], state)
	b[10] = flags
	return b
}

func ifinfomsg(idx int32, flags uint32) []byte {
	b := make([]byte, sizeofIfInfomsg)
	binary.NativeEndian.PutUint32(b[4:], uint32(idx))
	binary.NativeEndian.PutUint32(b[8:], flags)
	return b
}

func rtmsg(fam, dstLen, table, typ uint8, flags uint32) []byte {
	b := make([]byte, sizeofRtMsg)
	b[0], b[1], b[4], b[7] = fam, dstLen, table, typ
	binary.NativeEndian.PutUint32(b[8:], flags)
	return b
}

func ifaddrmsg(fam, bits uint8, idx uint32) []byte {
	b := make([]byte, sizeofIfAddrmsg)
	b[0], b[1] = fam, bits
	binary.NativeEndian.PutUint32(b[4:], idx)
	return b
}

func TestParseRtnetlink(t *testing.T) {
	mac := net.HardwareAddr{2, 0, 0, 0, 0, 1}
	gw4 := netip.MustParseAddr("198.18.3.1").As4()
	gw6 := netip.MustParseAddr("2001:db8:3::1").As16()
	var buf []byte
	for _, m := range [][]byte{
		nlMsg(unix.RTM_NEWNEIGH, ndmsg(unix.AF_INET, 11, unix.NUD_PERMANENT, 0),
			nlAttr{unix.NDA_DST, gw4[:]}, nlAttr{unix.NDA_LLADDR, mac}),
		nlMsg(unix.RTM_DELNEIGH, ndmsg(unix.AF_INET6, 11, unix.NUD_STALE, unix.NTF_ROUTER),
			nlAttr{unix.NDA_DST, gw6[:]}, nlAttr{unix.NDA_LLADDR, mac}),
		nlMsg(unix.RTM_NEWNEIGH, ndmsg(unix.AF_INET, 11, unix.NUD_FAILED, 0), nlAttr{unix.NDA_DST, gw4[:]}),
		// A bridge FDB entry on the neighbor group: skipped.
		nlMsg(unix.RTM_NEWNEIGH, ndmsg(unix.AF_BRIDGE, 5, unix.NUD_REACHABLE, 0), nlAttr{unix.NDA_LLADDR, mac}),
		nlMsg(unix.RTM_NEWLINK, ifinfomsg(11, unix.IFF_UP), nlAttr{unix.IFLA_IFNAME, []byte("ng0\x00")}),
		// Wireless extension event: skipped.
		nlMsg(unix.RTM_NEWLINK, ifinfomsg(3, unix.IFF_UP|unix.IFF_LOWER_UP), nlAttr{unix.IFLA_WIRELESS, []byte{1, 2, 3, 4}}),
		nlMsg(unix.RTM_DELROUTE, rtmsg(unix.AF_INET, 0, unix.RT_TABLE_MAIN, unix.RTN_UNICAST, 0),
			nlAttr{unix.RTA_GATEWAY, gw4[:]}, nlAttr{unix.RTA_OIF, u32(11)}),
		nlMsg(unix.RTM_NEWROUTE, rtmsg(unix.AF_INET, 32, unix.RT_TABLE_MAIN, unix.RTN_UNREACHABLE, 0),
			nlAttr{unix.RTA_DST, gw4[:]}),
		// Local table and cloned cache entries: skipped.
		nlMsg(unix.RTM_NEWROUTE, rtmsg(unix.AF_INET, 32, unix.RT_TABLE_LOCAL, unix.RTN_LOCAL, 0), nlAttr{unix.RTA_DST, gw4[:]}),
		nlMsg(unix.RTM_NEWROUTE, rtmsg(unix.AF_INET6, 128, unix.RT_TABLE_MAIN, unix.RTN_UNICAST, unix.RTM_F_CLONED), nlAttr{unix.RTA_DST, gw6[:]}),
		// A table id above 255 comes in RTA_TABLE.
		nlMsg(unix.RTM_NEWROUTE, rtmsg(unix.AF_INET, 0, 252, unix.RTN_UNICAST, 0), nlAttr{unix.RTA_TABLE, u32(1000)}),
		nlMsg(unix.RTM_NEWADDR, ifaddrmsg(unix.AF_INET, 24, 11), nlAttr{unix.IFA_LOCAL, []byte{198, 18, 3, 2}}, nlAttr{unix.IFA_ADDRESS, []byte{198, 18, 3, 2}}),
		nlMsg(unix.NLMSG_DONE, nil),
	} {
		buf = append(buf, m...)
	}
	got := parseRtnetlink(buf)
	want := []Change{
		{Kind: KindNeigh, IfIndex: 11, Neigh: netstate.Neighbor{IfIndex: 11, IP: netip.AddrFrom4(gw4), MAC: mac, State: netstate.NeighPermanent, Permanent: true},
			Detail: "neighbor new 198.18.3.1 permanent 02:00:00:00:00:01"},
		{Kind: KindNeigh, Deleted: true, IfIndex: 11, Neigh: netstate.Neighbor{IfIndex: 11, IP: netip.AddrFrom16(gw6), MAC: mac, State: netstate.NeighStale, Router: true},
			Detail: "neighbor del 2001:db8:3::1 stale 02:00:00:00:00:01"},
		{Kind: KindNeigh, IfIndex: 11, Neigh: netstate.Neighbor{IfIndex: 11, IP: netip.AddrFrom4(gw4), State: netstate.NeighFailed},
			Detail: "neighbor new 198.18.3.1 failed"},
		{Kind: KindLink, IfIndex: 11, Detail: "link ng0 no-carrier"},
		{Kind: KindRoute, Deleted: true, IfIndex: 11, Detail: "route del 0.0.0.0/0 via 198.18.3.1"},
		{Kind: KindRoute, Detail: "route new unreachable 198.18.3.1/32"},
		{Kind: KindRoute, Detail: "route new 0.0.0.0/0"},
		{Kind: KindAddr, IfIndex: 11, Addr: netip.MustParsePrefix("198.18.3.2/24"), Detail: "address new 198.18.3.2/24 on 11"},
	}
	wantChanges(t, got, want)
}

// Truncated and malformed input never panics; a datagram whose framing is
// broken asks for a resync instead of losing what it announced.
func TestParseRtnetlinkMalformed(t *testing.T) {
	gw4 := netip.MustParseAddr("198.18.3.1").As4()
	good := nlMsg(unix.RTM_NEWNEIGH, ndmsg(unix.AF_INET, 11, unix.NUD_FAILED, 0), nlAttr{unix.NDA_DST, gw4[:]})
	for n := 0; n <= len(good); n++ {
		parseRtnetlink(good[:n])
	}
	bad := append([]byte(nil), good...)
	binary.NativeEndian.PutUint32(bad, 1000) // length past the buffer
	if got := parseRtnetlink(append(append([]byte(nil), good...), bad...)); len(got) != 1 || got[0].Kind != KindResync {
		t.Errorf("got %+v, want one resync", got)
	}
	// An attribute whose length overruns its message.
	m := nlMsg(unix.RTM_NEWNEIGH, ndmsg(unix.AF_INET, 11, unix.NUD_FAILED, 0), nlAttr{unix.NDA_DST, gw4[:]})
	binary.NativeEndian.PutUint16(m[unix.NLMSG_HDRLEN+sizeofNdMsg:], 200)
	if got := parseRtnetlink(m); len(got) != 0 {
		t.Errorf("neighbor without a readable address: %+v", got)
	}
}

func FuzzParseRtnetlink(f *testing.F) {
	gw4 := netip.MustParseAddr("198.18.3.1").As4()
	f.Add(nlMsg(unix.RTM_NEWNEIGH, ndmsg(unix.AF_INET, 11, unix.NUD_FAILED, 0), nlAttr{unix.NDA_DST, gw4[:]}))
	f.Add(nlMsg(unix.RTM_NEWROUTE, rtmsg(unix.AF_INET, 0, unix.RT_TABLE_MAIN, unix.RTN_UNICAST, 0), nlAttr{unix.RTA_TABLE, u32(1000)}))
	f.Fuzz(func(t *testing.T, b []byte) { parseRtnetlink(b) })
}

// A message whose length is not 4-aligned, its last attribute unpadded,
// followed by the datagram's padding: the netlink library's attribute
// parser slices past the end here (a panic); ours reads what it can.
func TestParseRtnetlinkUnalignedLastAttribute(t *testing.T) {
	gw4 := netip.MustParseAddr("198.18.3.1").As4()
	m := nlMsg(unix.RTM_NEWNEIGH, ndmsg(unix.AF_INET, 11, unix.NUD_REACHABLE, 0), nlAttr{unix.NDA_DST, gw4[:]})
	m = append(m, 5, 0, unix.NDA_LLADDR, 0, 0xaa) // a 5-byte attribute, no padding
	binary.NativeEndian.PutUint32(m, uint32(len(m)))
	m = append(m, 0, 0, 0) // the datagram pads to 4
	got := parseRtnetlink(m)
	if len(got) != 1 || got[0].Neigh.IP != netip.AddrFrom4(gw4) {
		t.Fatalf("got %+v, want the neighbor change", got)
	}
}
