package watch

import (
	"encoding/binary"
	"net/netip"
	"testing"

	"github.com/netguard/netguard/checks/internal/xnu"
	"github.com/netguard/netguard/checks/internal/xnu/xnucapture"
)

// Notifications as a Mac's routing socket delivers them: real ones from
// public bug reports and upstream tests (each names its source), and ones
// synthesized from xnu's rt_msg1 (bsd/net/rtsock.c), which ends a message
// right after the last sockaddr's sa_len bytes and writes nothing at all
// for a last sockaddr of sa_len 0.

// notifUtunNewAddr6 is synthesized: the RTM_NEWADDR (or DELADDR) xnu sends
// when an IPv6 address is added to a utun, as a VPN does. rt_newaddrmsg
// announces NETMASK, IFP, IFA and BRD (the ifa_dstaddr); on point-to-point
// and loopback interfaces an IPv6 address's ifa_dstaddr is AF_UNSPEC with
// sa_len 0 (bsd/netinet6/in6.c), so rt_msg1 sets RTA_BRD and writes no
// byte for it: the message ends with the IFA.
func notifUtunNewAddr6(typ uint8) []byte {
	mask := []byte{16, xnu.AFInet6, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff} // a /64, trimmed by rtm_scrub
	ifp := make([]byte, xnu.SizeofSockaddrDl)                                                         // utun4, index 21, no link-layer address
	ifp[0], ifp[1], ifp[2], ifp[4], ifp[5] = xnu.SizeofSockaddrDl, xnu.AFLink, 21, 0xff, 5
	copy(ifp[xnu.SdlDataOff:], "utun4")
	ifa := make([]byte, xnu.SizeofSockaddrIn6)
	ifa[0], ifa[1] = xnu.SizeofSockaddrIn6, xnu.AFInet6
	a := netip.MustParseAddr("fd7a:115c:a1e0::1").As16()
	copy(ifa[xnu.Sin6AddrOff:], a[:])
	h := make([]byte, xnu.SizeofIfaMsghdr)
	h[2], h[3] = xnu.RTMVersion, typ
	binary.LittleEndian.PutUint32(h[xnu.IfamAddrsOff:], xnu.RTANetmask|xnu.RTAIfp|xnu.RTAIfa|xnu.RTABrd)
	binary.LittleEndian.PutUint16(h[xnu.IfamIndexOff:], 21)
	m := append(append(append(h, mask...), ifp...), ifa...)
	binary.LittleEndian.PutUint16(m, uint16(len(m)))
	return m
}

// notifDefaultAdd is synthesized: `route add default 192.168.1.1` as every
// routing socket hears it. The /0 netmask has sa_len 0 and is the last
// sockaddr, so rt_msg1 writes no byte for it.
func notifDefaultAdd() []byte {
	h := make([]byte, xnu.SizeofRtMsghdr)
	h[2], h[3] = xnu.RTMVersion, xnu.RTMAdd
	binary.LittleEndian.PutUint16(h[xnu.RtmIndexOff:], 4)
	binary.LittleEndian.PutUint32(h[xnu.RtmFlagsOff:], xnu.RTFUp|xnu.RTFGateway|0x800)
	binary.LittleEndian.PutUint32(h[xnu.RtmAddrsOff:], xnu.RTADst|xnu.RTAGateway|xnu.RTANetmask)
	m := append(append(h, xSin("0.0.0.0")...), xSin("192.168.1.1")...)
	binary.LittleEndian.PutUint16(m, uint16(len(m)))
	return m
}

func TestParseRouteSocketCaptures(t *testing.T) {
	ula := netip.MustParsePrefix("fd7a:115c:a1e0::1/64")
	for _, tc := range []struct {
		name string
		b    []byte
		want []Change
	}{
		{"tailscale#1416 RTM_DELMADDR: not ours, skipped", xnucapture.DelMaddr(), nil},
		{"x/net PR 220 utun RTM_ADD", xnucapture.UtunAdd(),
			[]Change{{Kind: KindRoute, Detail: "route new 100.113.0.0/16"}}},
		// Were the missing RTA_BRD an error, the change would come
		// without an address: the Filter could not tell a new address
		// from a re-announced one and every announcement would re-check.
		{"utun IPv6 RTM_NEWADDR without its RTA_BRD bytes", notifUtunNewAddr6(xnu.RTMNewAddr),
			[]Change{{Kind: KindAddr, IfIndex: 21, Addr: ula, Detail: "address new fd7a:115c:a1e0::1/64 on 21"}}},
		{"utun IPv6 RTM_DELADDR without its RTA_BRD bytes", notifUtunNewAddr6(xnu.RTMDelAddr),
			[]Change{{Kind: KindAddr, Deleted: true, IfIndex: 21, Addr: ula, Detail: "address del fd7a:115c:a1e0::1/64 on 21"}}},
		{"default route whose /0 mask has no bytes", notifDefaultAdd(),
			[]Change{{Kind: KindRoute, IfIndex: 4, Detail: "route new 0.0.0.0/0 via 192.168.1.1"}}},
		// One read may hold several messages; unpadded ends must not
		// shift the next one.
		{"DELMADDR, then NEWADDR, then the utun route, in one read",
			append(append(xnucapture.DelMaddr(), notifUtunNewAddr6(xnu.RTMNewAddr)...), xnucapture.UtunAdd()...),
			[]Change{{Kind: KindAddr, IfIndex: 21, Addr: ula, Detail: "address new fd7a:115c:a1e0::1/64 on 21"},
				{Kind: KindRoute, Detail: "route new 100.113.0.0/16"}}},
	} {
		got := parseRouteSocket(tc.b, bsdNow)
		if len(got) != len(tc.want) {
			t.Errorf("%s: %d changes %+v, want %+v", tc.name, len(got), got, tc.want)
			continue
		}
		for i, w := range tc.want {
			g := got[i]
			if g.Kind != w.Kind || g.Deleted != w.Deleted || g.IfIndex != w.IfIndex || g.Addr != w.Addr || g.Detail != w.Detail {
				t.Errorf("%s: change %d\n got %+v\nwant %+v", tc.name, i, g, w)
			}
		}
	}

	// The address is what lets the Filter drop a re-announcement.
	var f Filter
	f.Seed(nil, []int{21}, nil, nil)
	c := parseRouteSocket(notifUtunNewAddr6(xnu.RTMNewAddr), bsdNow)[0]
	if !f.Relevant(c) {
		t.Error("a new address on the default interface is not relevant")
	}
	if f.Relevant(c) {
		t.Error("the same address announced again re-checks")
	}
}

func BenchmarkParseRouteSocketCaptures(b *testing.B) {
	buf := append(append(xnucapture.DelMaddr(), notifUtunNewAddr6(xnu.RTMNewAddr)...), xnucapture.UtunAdd()...)
	for b.Loop() {
		parseRouteSocket(buf, bsdNow)
	}
}
