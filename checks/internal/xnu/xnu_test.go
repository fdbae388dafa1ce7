package xnu

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"reflect"
	"testing"
)

// Sockaddrs below are written the way XNU writes them (sa_len first,
// little endian host fields, addresses in network order); netmasks are
// trimmed after their last non-zero byte (rtm_scrub/sa_trim) and carry a
// meaningless family byte.

// sockaddr is an n-byte sockaddr (sa_len n) of family fam, data at off.
func sockaddr(n int, fam byte, off int, data ...byte) []byte {
	sa := make([]byte, n)
	sa[0], sa[1] = byte(n), fam
	copy(sa[off:], data)
	return sa
}

func sin(ip string) []byte {
	a := netip.MustParseAddr(ip).As4()
	return sockaddr(SizeofSockaddrIn, AFInet, 4, a[:]...)
}

// sin6 writes ip with embed as the KAME scope in bytes 2-3 of the address
// and scopeID as sin6_scope_id.
func sin6(ip string, embed uint16, scopeID uint32) []byte {
	a := netip.MustParseAddr(ip).As16()
	if embed != 0 {
		binary.BigEndian.PutUint16(a[2:], embed)
	}
	sa := sockaddr(SizeofSockaddrIn6, AFInet6, 8, a[:]...)
	binary.LittleEndian.PutUint32(sa[24:], scopeID)
	return sa
}

// sdl writes a sockaddr_dl of IFT_ETHER, at least the 20-byte struct.
func sdl(index uint16, name string, mac net.HardwareAddr) []byte {
	data := []byte{byte(index), byte(index >> 8), 6, byte(len(name)), byte(len(mac)), 0}
	data = append(append(data, name...), mac...)
	return sockaddr(max(SizeofSockaddrDl, 2+len(data)), AFLink, 2, data...)
}

func TestRoundup(t *testing.T) {
	for in, want := range map[int]int{0: 4, 1: 4, 4: 4, 5: 8, 14: 16, 16: 16, 28: 28, 20: 20} {
		if got := Roundup(in); got != want {
			t.Errorf("roundup(%d) = %d, want %d", in, got, want)
		}
	}
}

func TestSplit(t *testing.T) {
	a := []byte{6, 0, RTMVersion, RTMAdd, 0xaa, 0xbb}
	b := []byte{4, 0, RTMVersion, RTMIfInfo}
	m, rest, err := Split(append(append([]byte{}, a...), b...))
	if err != nil || !reflect.DeepEqual(m, a) || !reflect.DeepEqual(rest, b) {
		t.Fatalf("Split = % x, % x, %v", m, rest, err)
	}
	if m, rest, err = Split(rest); err != nil || !reflect.DeepEqual(m, b) || len(rest) != 0 {
		t.Fatalf("Split last = % x, % x, %v", m, rest, err)
	}
	for name, b := range map[string][]byte{
		"empty":           nil,
		"three bytes":     {4, 0, 5},
		"length below 4":  {2, 0, 5, 4},
		"length zero":     make([]byte, 8),
		"length overruns": {9, 0, 5, 4, 0, 0, 0, 0},
	} {
		if _, _, err := Split(b); !errors.Is(err, ErrTruncated) {
			t.Errorf("%s: %v, want ErrTruncated", name, err)
		}
	}
}

func TestIsRtMsg(t *testing.T) {
	for typ, want := range map[uint8]bool{0: false, RTMAdd: true, RTMGet: true, RTMResolve: true,
		RTMNewAddr: false, RTMDelAddr: false, RTMIfInfo: false, 0x10: false, RTMGet2: true} {
		if got := IsRtMsg(typ); got != want {
			t.Errorf("IsRtMsg(%#x) = %v", typ, got)
		}
	}
}

func TestParseRtMsghdr(t *testing.T) {
	le := binary.LittleEndian
	m := make([]byte, SizeofRtMsghdr)
	m[2], m[3] = RTMVersion, RTMGet
	le.PutUint16(m[4:], 7)
	le.PutUint32(m[8:], RTFUp|RTFHost)
	le.PutUint32(m[12:], RTADst|RTAIfp)
	le.PutUint32(m[16:], 321)
	le.PutUint32(m[20:], 9)
	le.PutUint32(m[24:], 3)
	le.PutUint32(m[RtmExpireOff:], 1_750_000_000)
	want := RtMsghdr{Type: RTMGet, Index: 7, Flags: RTFUp | RTFHost, Addrs: RTADst | RTAIfp,
		Pid: 321, Seq: 9, Errno: 3, Expire: 1_750_000_000}
	if got, err := ParseRtMsghdr(m); err != nil || got != want {
		t.Errorf("rt_msghdr: %+v, %v", got, err)
	}
	// rt_msghdr2 has refcnt and parentflags where pid and seq are.
	m[3] = RTMGet2
	want.Type, want.Pid, want.Seq, want.Errno = RTMGet2, 0, 0, 0
	if got, err := ParseRtMsghdr(m); err != nil || got != want {
		t.Errorf("rt_msghdr2: %+v, %v", got, err)
	}
	if _, err := ParseRtMsghdr(m[:SizeofRtMsghdr-1]); !errors.Is(err, ErrTruncated) {
		t.Errorf("short header: %v", err)
	}
}

func TestParseIfaIfMsghdr(t *testing.T) {
	le := binary.LittleEndian
	m := make([]byte, SizeofIfaMsghdr)
	m[2], m[3] = RTMVersion, RTMDelAddr
	le.PutUint32(m[4:], RTANetmask|RTAIfa)
	le.PutUint32(m[8:], 0x41)
	le.PutUint16(m[12:], 4)
	if got, err := ParseIfaMsghdr(m); err != nil || got != (IfaMsghdr{Type: RTMDelAddr, Addrs: RTANetmask | RTAIfa, Flags: 0x41, Index: 4}) {
		t.Errorf("ifa_msghdr: %+v, %v", got, err)
	}
	if _, err := ParseIfaMsghdr(m[:SizeofIfaMsghdr-1]); !errors.Is(err, ErrTruncated) {
		t.Errorf("short ifa_msghdr: %v", err)
	}
	if got, err := ParseIfMsghdr(m[:IfmIndexOff+2]); err != nil || got != (IfMsghdr{Flags: 0x41, Index: 4}) {
		t.Errorf("if_msghdr: %+v, %v", got, err)
	}
	if _, err := ParseIfMsghdr(m[:IfmIndexOff+1]); !errors.Is(err, ErrTruncated) {
		t.Errorf("short if_msghdr: %v", err)
	}
}

func TestSplitSockaddrs(t *testing.T) {
	dst, gw := sin("10.0.0.0"), sdl(4, "en0", nil) // a 20-byte sockaddr_dl
	nm := []byte{6, 0xff, 0, 0, 0xff, 0xff}        // a trimmed /16: 6 bytes, padded to 8
	ifp := sdl(4, "en0", net.HardwareAddr{2, 0, 0, 0, 0, 1})[:17]
	ifp[0] = 17
	var b []byte
	for _, sa := range [][]byte{dst, gw, nm, {}} { // and a /0 mask of sa_len 0 as RTA_GENMASK
		b = append(b, sa...)
		b = append(b, make([]byte, Roundup(len(sa))-len(sa))...)
	}
	b = append(b, ifp...) // the last one without its padding (golang/go#44740)
	sas, err := SplitSockaddrs(RTADst|RTAGateway|RTANetmask|1<<3|RTAIfp, b)
	if err != nil {
		t.Fatal(err)
	}
	want := Sockaddrs{dst, gw, nm, {}, ifp, nil, nil, nil}
	if !reflect.DeepEqual(sas, want) {
		t.Errorf("got %x\nwant %x", sas, want)
	}
	if sas[3] == nil || sas[5] != nil {
		t.Error("sa_len 0 must be present and empty, a missing bit nil")
	}

	// rt_msg1 writes nothing for trailing sockaddrs of sa_len 0: their
	// bits are set, their bytes missing. They are empty, not an error.
	sas, err = SplitSockaddrs(RTADst|RTAGateway|RTANetmask, sin("1.2.3.4"))
	if err != nil || sas[RTAXGateway] == nil || len(sas[RTAXGateway]) != 0 || sas[RTAXNetmask] == nil || len(sas[RTAXNetmask]) != 0 {
		t.Errorf("trailing sockaddrs missing: %x, %v; want empty gateway and netmask", sas, err)
	}

	for name, tc := range map[string]struct {
		addrs uint32
		b     []byte
	}{
		"sa_len overruns":    {RTADst, sin("1.2.3.4")[:10]},
		"last one cut short": {RTADst | RTAGateway, append(sin("1.2.3.4"), 16, AFInet, 0)},
	} {
		if _, err := SplitSockaddrs(tc.addrs, tc.b); !errors.Is(err, ErrTruncated) {
			t.Errorf("%s: %v, want ErrTruncated", name, err)
		}
	}
}

func TestMediaCarrier(t *testing.T) {
	// _IOWR('i', 56, struct ifmediareq): the size sits in bits 16-28 and
	// must be the struct's (#pragma pack(4): 16 + 5*4 + an 8-byte pointer).
	if n := (SIOCGIFMEDIA >> 16) & 0x1fff; n != SizeofIfmediareq || SizeofIfmediareq != 16+5*4+8 || IfmediaStatusOff != 16+2*4 {
		t.Errorf("SIOCGIFMEDIA encodes %d bytes, ifmediareq is %d, ifm_status at %d", n, SizeofIfmediareq, IfmediaStatusOff)
	}
	req := func(status uint32) []byte {
		b := make([]byte, SizeofIfmediareq)
		copy(b, "en0")
		binary.LittleEndian.PutUint32(b[IfmediaStatusOff:], status)
		return b
	}
	for _, tc := range []struct {
		status         uint32
		carrier, valid bool
	}{
		{IFMAvalid | IFMActive, true, true}, // ifconfig: status: active
		{IFMAvalid, false, true},            // status: inactive (cable out, Wi-Fi off)
		{0, false, false},                   // the driver reports no link state
	} {
		c, v, err := MediaCarrier(req(tc.status))
		if err != nil || c != tc.carrier || v != tc.valid {
			t.Errorf("status %#x: carrier %v valid %v err %v, want %v %v", tc.status, c, v, err, tc.carrier, tc.valid)
		}
	}
	if _, _, err := MediaCarrier(make([]byte, IfmediaStatusOff+3)); !errors.Is(err, ErrTruncated) {
		t.Errorf("short ifmediareq: %v", err)
	}
}

func TestFamily(t *testing.T) {
	if Family(nil) != 0 || Family([]byte{16}) != 0 || Family(sin("1.2.3.4")) != AFInet || Family(sdl(1, "", nil)) != AFLink {
		t.Error("Family")
	}
}

func TestInet(t *testing.T) {
	a := netip.MustParseAddr
	for name, tc := range map[string]struct {
		sa    []byte
		want  netip.Addr
		scope int
	}{
		"inet":               {sin("192.168.1.1"), a("192.168.1.1"), 0},
		"inet, sa_len 8":     {sin("10.1.0.0")[:8], a("10.1.0.0"), 0},
		"inet, sa_len 6":     {sin("10.1.2.3")[:6], a("10.1.0.0"), 0},
		"inet, sa_len 2":     {sin("10.1.2.3")[:2], a("0.0.0.0"), 0},
		"inet6":              {sin6("2001:db8::5", 0, 0), a("2001:db8::5"), 0},
		"inet6, short":       {sin6("2001:db8::5", 0, 0)[:12], a("2001:db8::"), 0},
		"link-local, KAME":   {sin6("fe80::1", 4, 0), a("fe80::1"), 4},
		"link-local, id":     {sin6("fe80::1", 0, 7), a("fe80::1"), 7},
		"link-local, both":   {sin6("fe80::1", 4, 7), a("fe80::1"), 4},
		"ll multicast, KAME": {sin6("ff02::fb", 4, 0), a("ff02::fb"), 4},
		"if-local mcast":     {sin6("ff01::1", 1, 0), a("ff01::1"), 1},
		"global keeps bytes": {sin6("2001:db8::5", 4, 0), a("2001:4::5"), 0},
		"link":               {sdl(4, "en0", nil), netip.Addr{}, 0},
		"empty":              {nil, netip.Addr{}, 0},
	} {
		got, scope := Inet(tc.sa)
		if got != tc.want || scope != tc.scope {
			t.Errorf("%s: %v scope %d, want %v scope %d", name, got, scope, tc.want, tc.scope)
		}
	}
}

// mask writes a netmask of bits for an address of bitLen bits, trimmed
// after its last non-zero byte; the family byte is 0xff, to prove it is
// ignored.
func mask(bitLen, bits int) []byte {
	off := 4
	if bitLen == 128 {
		off = 8
	}
	m := net.CIDRMask(bits, bitLen)
	n := len(m)
	for n > 0 && m[n-1] == 0 {
		n--
	}
	if n == 0 {
		return []byte{} // sa_len 0
	}
	return sockaddr(off+n, 0xff, off, m[:n]...)
}

func TestMaskBits(t *testing.T) {
	v4, v6 := netip.MustParseAddr("10.0.0.0"), netip.MustParseAddr("2001:db8::")
	for _, bits := range []int{0, 1, 8, 16, 23, 24, 31, 32} {
		if got := MaskBits(v4, mask(32, bits)); got != bits {
			t.Errorf("inet /%d: got %d", bits, got)
		}
	}
	for _, bits := range []int{0, 10, 32, 48, 64, 127, 128} {
		if got := MaskBits(v6, mask(128, bits)); got != bits {
			t.Errorf("inet6 /%d: got %d", bits, got)
		}
	}
	if got := MaskBits(v4, []byte{8, 2, 0, 0, 0xff, 0x0f, 0xff, 0}); got != 8 {
		t.Errorf("non-contiguous: got %d, want the leading 8", got)
	}
	if got := MaskBits(netip.Addr{}, mask(32, 24)); got != -1 {
		t.Errorf("no address: got %d, want -1", got)
	}
}

func TestParseLink(t *testing.T) {
	mac := net.HardwareAddr{0xaa, 0xbb, 0xcc, 0, 0, 1}
	got, err := ParseLink(sdl(4, "en0", mac))
	if err != nil || !reflect.DeepEqual(got, Link{Index: 4, Name: "en0", Addr: mac}) {
		t.Errorf("resolved: %+v, %v", got, err)
	}
	got, err = ParseLink(sdl(12, "", nil)[:8]) // sdl_len shorter than the struct
	if err != nil || !reflect.DeepEqual(got, Link{Index: 12}) || got.Addr != nil {
		t.Errorf("unresolved: %+v, %v", got, err)
	}
	overrun := sdl(4, "", mac)
	overrun[6] = 40 // sdl_alen beyond sdl_len
	for name, sa := range map[string][]byte{"short": sdl(4, "", nil)[:7], "overrun": overrun} {
		if _, err := ParseLink(sa); !errors.Is(err, ErrTruncated) {
			t.Errorf("%s: %v, want ErrTruncated", name, err)
		}
	}
	if _, err := ParseLink(sin("1.2.3.4")); err == nil {
		t.Error("sockaddr_in accepted as a sockaddr_dl")
	}
}

// FuzzSockaddrs feeds arbitrary bytes to every decoder: none may panic,
// and what they return must stay inside what they were given.
func FuzzSockaddrs(f *testing.F) {
	f.Add(uint32(RTADst|RTAGateway|RTANetmask), append(append(sin("10.0.0.0"), sdl(4, "en0", nil)...), 6, 0xff, 0, 0, 0xff, 0xff))
	f.Add(uint32(RTADst|RTAGateway), append(sin6("fe80::1", 4, 0), sdl(4, "", net.HardwareAddr{1, 2, 3, 4, 5, 6})...))
	f.Add(uint32(0xff), []byte{0, 0, 0, 0, 28, 30})
	f.Fuzz(func(t *testing.T, addrs uint32, b []byte) {
		_, _, _ = Split(b)
		_, _ = ParseRtMsghdr(b)
		_, _ = ParseIfaMsghdr(b)
		_, _ = ParseIfMsghdr(b)
		sas, err := SplitSockaddrs(addrs, b)
		if err != nil {
			return
		}
		for _, sa := range sas {
			ip, _ := Inet(sa)
			if ip.IsValid() && ip.Zone() != "" {
				t.Fatalf("zone in %v", ip)
			}
			if bits := MaskBits(ip, sa); bits > ip.BitLen() {
				t.Fatalf("mask /%d for %v", bits, ip)
			}
			if l, err := ParseLink(sa); err == nil && 8+len(l.Name)+len(l.Addr) > len(sa) {
				t.Fatalf("link %+v out of %d bytes", l, len(sa))
			}
		}
	})
}

func TestIn6Ifreq(t *testing.T) {
	// _IOWR('i', 73, struct in6_ifreq): the size in bits 16-28 must be the
	// struct's, 16 + 34 u_quad_t of icmp6_ifstat.
	if n := (SIOCGIFAFLAG_IN6 >> 16) & 0x1fff; n != SizeofIn6Ifreq || SizeofIn6Ifreq != 16+34*8 || SIOCGIFAFLAG_IN6&0xffff != 'i'<<8|73 {
		t.Errorf("SIOCGIFAFLAG_IN6 %#x encodes %d bytes, in6_ifreq is %d", uint64(SIOCGIFAFLAG_IN6), n, SizeofIn6Ifreq)
	}
	b := In6Ifreq("en0", netip.MustParseAddr("fe80::1"), 4)
	want := make([]byte, 44)
	copy(want, "en0")
	copy(want[16:], []byte{28, 30, 0, 0, 0, 0, 0, 0, 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 4, 0, 0, 0})
	if !bytes.Equal(b[:44], want) || !bytes.Equal(b[44:], make([]byte, SizeofIn6Ifreq-44)) {
		t.Errorf("in6_ifreq = % x", b[:44])
	}
	long := In6Ifreq("a-very-long-interface-name", netip.MustParseAddr("2001:db8::9"), 0)
	if long[15] != 0 {
		t.Errorf("name not NUL-terminated: % x", long[:16])
	}
	// The kernel writes ifru_flags6 over the sockaddr.
	binary.LittleEndian.PutUint32(b[In6IfreqUnionOff:], IN6IFFDuplicated|IN6IFFTentative)
	if f, err := In6IfreqFlags(b[:]); err != nil || f&IN6IFFDuplicated == 0 {
		t.Errorf("flags %#x, %v", f, err)
	}
	if _, err := In6IfreqFlags(b[:19]); !errors.Is(err, ErrTruncated) {
		t.Errorf("short in6_ifreq: %v", err)
	}
}
