package sys

import (
	"net/netip"
	"syscall"
	"testing"

	"github.com/netguard/netguard/checks/internal/xnu"
	"github.com/netguard/netguard/checks/internal/xnu/xnucapture"
	"github.com/netguard/netguard/checks/netstate"
)

// Real routing messages from macOS machines, as published in bug reports
// and upstream tests; each names where its bytes come from. Where only
// the sockaddrs were published, the header is rebuilt from what the
// report printed, and the test says so.

// captureHeader builds an rt_msghdr for sockaddrs published without one.
func captureHeader(typ uint8, index uint16, flags, addrs uint32, pid, seq int32, sas []byte) []byte {
	m := drtMsg{typ: typ, index: index, flags: flags, pid: pid, seq: seq}.bytes()
	le := func(b []byte, off int, v uint32) {
		b[off], b[off+1], b[off+2], b[off+3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
	}
	le(m, xnu.RtmAddrsOff, addrs)
	m = append(m, sas...)
	m[0], m[1] = byte(len(m)), byte(len(m)>>8)
	return m
}

// captureGetEcho is the 132-byte RTM_GET reply with rtm_errno 3 (ESRCH),
// pid 283, seq 23285, a netmask of sa_len 0 and an empty RTA_IFP, from
// golang/go#70528 (comment 2498692877; in x/net's
// route/address_darwin_test.go). x/net reads its error from rtm_use and
// reports none.
const captureGetEcho = `84 00 05 04 01 00 00 00 03 08 00 01 15 00 00 00
	1b 01 00 00 f5 5a 00 00 03 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
	00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
	00 00 00 00 00 00 00 00 00 00 00 00 10 02 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 02 00 00
	14 12 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00`

// captureULASas are the sockaddrs of `route -n add -inet6 fd84:1b4e:6281::
// -prefixlen 48 fe80::f22f:4bff:fe09:3bff%utun4319` (x/net
// route/address_darwin_test.go): the gateway carries the KAME scope 33
// (0x21) in bytes 2-3, the /48 mask is trimmed to 14 bytes.
const captureULASas = `1c 1e 00 00 00 00 00 00 fd 84 1b 4e 62 81 00 00 00 00 00 00 00 00 00 00 00 00 00 00
	1c 1e 00 00 00 00 00 00 fe 80 00 21 00 00 00 00 f2 2f 4b ff fe 09 3b ff 00 00 00 00
	0e 1e 00 00 00 00 00 00 ff ff ff ff ff ff 00 00`

// captureScopedDefaultSas are the sockaddrs of `sudo route -n add -inet6
// -ifscope en11 -net :: -netmask :: fe80::2d0:4cff:fe10:15d2` (x/net commit
// 2dab271f, route/address_darwin_test.go): the ::/0 mask is "02 1e 00 00".
// route monitor printed "RTM_ADD: len 152, pid: 81198, seq 1, errno 0,
// ifscope 13, flags:<UP,GATEWAY,DONE,STATIC,IFSCOPE>", from which the
// header is rebuilt.
const captureScopedDefaultSas = `1c 1e 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
	1c 1e 00 00 00 00 00 00 fe 80 00 00 00 00 00 00 02 d0 4c ff fe 10 15 d2 00 00 00 00
	02 1e 00 00`

// captureZeroDstSas holds a destination of sa_len 0 (golang/go#70528, x/net
// route/address_darwin_test.go; probably reduced by hand from a real one).
const captureZeroDstSas = `00 1e 00 00
	1c 1e 00 00 00 00 00 00 fe 80 00 21 00 00 00 00 f2 2f 4b ff fe 09 3b ff 00 00 00 00
	0e 1e 00 00 00 00 00 00 ff ff ff ff ff ff 00 00`

const (
	rtfDone   = 0x40
	rtfStatic = 0x800
)

func TestDarwinCaptures(t *testing.T) {
	for _, c := range []struct {
		b []byte
		n int
	}{{xnucapture.DelMaddr(), 50}, {xnucapture.UtunAdd(), 136}, {xnucapture.Decode(captureGetEcho), 132}} {
		if got := len(c.b); got != c.n {
			t.Fatalf("a capture decodes to %d bytes, its report says %d", got, c.n)
		}
	}
	dstGwMask := uint32(xnu.RTADst | xnu.RTAGateway | xnu.RTANetmask)
	for _, tc := range []struct {
		name   string
		b      []byte
		routes []netstate.Route
	}{
		// Not a route message: skipped by its length, the next one read.
		{"golang/go#44740 RTM_DELMADDR", xnucapture.DelMaddr(), nil},
		{"x/net PR 220 utun RTM_ADD", xnucapture.UtunAdd(), []netstate.Route{
			{Dst: netip.MustParsePrefix("100.113.0.0/16"), IfIndex: 33},
		}},
		{"x/net fd84::/48 via link-local (header rebuilt)",
			captureHeader(xnu.RTMAdd, 33, xnu.RTFUp|xnu.RTFGateway|rtfDone|rtfStatic, dstGwMask, 1, 1, xnucapture.Decode(captureULASas)),
			[]netstate.Route{{Dst: netip.MustParsePrefix("fd84:1b4e:6281::/48"), Gateway: netip.MustParseAddr("fe80::f22f:4bff:fe09:3bff"), IfIndex: 33}}},
		{"x/net 2dab271f scoped ::/0 (header rebuilt)",
			captureHeader(xnu.RTMAdd, 13, xnu.RTFUp|xnu.RTFGateway|rtfDone|rtfStatic|xnu.RTFIfScope, dstGwMask, 81198, 1, xnucapture.Decode(captureScopedDefaultSas)),
			[]netstate.Route{{Dst: netip.MustParsePrefix("::/0"), Gateway: netip.MustParseAddr("fe80::2d0:4cff:fe10:15d2"), IfIndex: 13, Scoped: true}}},
		// A destination without bytes is no destination: dropped.
		{"golang/go#70528 sa_len 0 destination (header synthesized)",
			captureHeader(xnu.RTMAdd, 33, xnu.RTFUp|xnu.RTFGateway, dstGwMask, 1, 1, xnucapture.Decode(captureZeroDstSas)), nil},
	} {
		// Each capture alone, then followed by a known message: framing
		// must hold either way.
		tail := drtMsg{typ: xnu.RTMAdd, index: 4, flags: xnu.RTFUp | xnu.RTFGateway,
			dst: drtSin("0.0.0.0"), gw: drtSin("192.168.1.1"), mask: drtMask(4, 0)}.bytes()
		def := netstate.Route{Dst: netip.MustParsePrefix("0.0.0.0/0"), Gateway: netip.MustParseAddr("192.168.1.1"), IfIndex: 4}
		for _, withTail := range []bool{false, true} {
			b, want := tc.b, tc.routes
			if withTail {
				b = append(append([]byte(nil), b...), tail...)
				// Unscoped routes come first (darwinParseRoutes).
				var scoped []netstate.Route
				want = nil
				for _, r := range append(append([]netstate.Route(nil), tc.routes...), def) {
					if r.Scoped {
						scoped = append(scoped, r)
					} else {
						want = append(want, r)
					}
				}
				want = append(want, scoped...)
			}
			got, err := darwinParseRoutes(b)
			if err != nil {
				t.Errorf("%s (tail %v): %v", tc.name, withTail, err)
				continue
			}
			if len(got) != len(want) {
				t.Errorf("%s (tail %v): routes %+v, want %+v", tc.name, withTail, got, want)
				continue
			}
			for i := range want {
				if got[i] != want[i] {
					t.Errorf("%s (tail %v): route %d\n got %+v\nwant %+v", tc.name, withTail, i, got[i], want[i])
				}
			}
		}
	}
}

// The RTM_GET echo of golang/go#70528 is the kernel's answer to pid 283's
// request 23285, and it says ESRCH: RouteTo must fail with that errno (the
// "findsaddr: write: No such process" of traceroute), never succeed.
func TestDarwinCaptureGetEcho(t *testing.T) {
	b := xnucapture.Decode(captureGetEcho)
	if len(b) != 132 {
		t.Fatalf("capture is %d bytes, want 132", len(b))
	}
	m, ok, err := darwinReply(b, xnu.RTMGet, 283, 23285)
	if !ok || err != syscall.Errno(3) {
		t.Fatalf("reply: ok %v err %v, want ok and errno 3 (ESRCH)", ok, err)
	}
	r, ok := darwinRoute(m, true)
	want := netstate.Route{Dst: netip.MustParsePrefix("0.0.0.0/0"), IfIndex: 1, Scoped: true}
	if !ok || r != want {
		t.Errorf("route %+v (%v), want %+v", r, ok, want)
	}
	if m.Ifp == nil || m.Ifp.Name != "" || m.Ifp.Addr != nil {
		t.Errorf("RTA_IFP: %+v, want an empty sockaddr_dl", m.Ifp)
	}
	// Another process's request, or another of ours: not our answer.
	for _, other := range []struct{ pid, seq int32 }{{284, 23285}, {283, 23286}} {
		if _, ok, _ := darwinReply(b, xnu.RTMGet, other.pid, other.seq); ok {
			t.Errorf("pid %d seq %d took the echo of pid 283 seq 23285", other.pid, other.seq)
		}
	}
}
