package sys

import (
	"bytes"
	"encoding/binary"
	"errors"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/netguard/netguard/checks/netstate"
)

// The mirrors must match the C layouts byte for byte: the API writes into
// them. Sizes and offsets are those of the Windows SDK headers (checked with
// sizeof/offsetof on x64); they hold on every GOARCH, Windows ones included.
func TestWindowsStructLayout(t *testing.T) {
	var sa windowsSockaddrInet
	var pfx windowsIPAddressPrefix
	var fwd windowsIPForwardRow2
	var fwdT windowsIPForwardTable2
	var nb windowsIPNetRow2
	var nbT windowsIPNetTable2
	checks := []struct {
		name      string
		got, want uintptr
	}{
		{"sizeof(SOCKADDR_INET)", unsafe.Sizeof(sa), 28},
		{"alignof(SOCKADDR_INET)", unsafe.Alignof(sa), 4},
		{"sizeof(IP_ADDRESS_PREFIX)", unsafe.Sizeof(pfx), 32},
		{"sizeof(MIB_IPFORWARD_ROW2)", unsafe.Sizeof(fwd), 104},
		{"MIB_IPFORWARD_ROW2.InterfaceIndex", unsafe.Offsetof(fwd.InterfaceIndex), 8},
		{"MIB_IPFORWARD_ROW2.DestinationPrefix", unsafe.Offsetof(fwd.DestinationPrefix), 12},
		{"MIB_IPFORWARD_ROW2.NextHop", unsafe.Offsetof(fwd.NextHop), 44},
		{"MIB_IPFORWARD_ROW2.SitePrefixLength", unsafe.Offsetof(fwd.SitePrefixLength), 72},
		{"MIB_IPFORWARD_ROW2.Metric", unsafe.Offsetof(fwd.Metric), 84},
		{"MIB_IPFORWARD_ROW2.Loopback", unsafe.Offsetof(fwd.Loopback), 92},
		{"MIB_IPFORWARD_ROW2.Origin", unsafe.Offsetof(fwd.Origin), 100},
		{"MIB_IPFORWARD_TABLE2.Table", unsafe.Offsetof(fwdT.Table), 8},
		{"sizeof(MIB_IPNET_ROW2)", unsafe.Sizeof(nb), 88},
		{"MIB_IPNET_ROW2.InterfaceIndex", unsafe.Offsetof(nb.InterfaceIndex), 28},
		{"MIB_IPNET_ROW2.InterfaceLuid", unsafe.Offsetof(nb.InterfaceLuid), 32},
		{"MIB_IPNET_ROW2.PhysicalAddress", unsafe.Offsetof(nb.PhysicalAddress), 40},
		{"MIB_IPNET_ROW2.PhysicalAddressLength", unsafe.Offsetof(nb.PhysicalAddressLength), 72},
		{"MIB_IPNET_ROW2.State", unsafe.Offsetof(nb.State), 76},
		{"MIB_IPNET_ROW2.Flags", unsafe.Offsetof(nb.Flags), 80},
		{"MIB_IPNET_ROW2.ReachabilityTime", unsafe.Offsetof(nb.ReachabilityTime), 84},
		{"MIB_IPNET_TABLE2.Table", unsafe.Offsetof(nbT.Table), 8},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", c.name, c.got, c.want)
		}
	}
}

func windowsTestAddr(s string) windowsSockaddrInet {
	if s == "" {
		return windowsSockaddrInet{}
	}
	return windowsSockaddrFrom(netip.MustParseAddr(s), 0)
}

func TestWindowsSockaddr(t *testing.T) {
	// Byte layouts written by hand from ws2ipdef.h, not by the code under
	// test: family 2 / 23, address at 4 (v4) or 8 (v6) from the start.
	v4 := windowsSockaddrFrom(netip.MustParseAddr("192.168.1.1"), 0)
	raw := unsafe.Slice((*byte)(unsafe.Pointer(&v4)), unsafe.Sizeof(v4))
	want4 := make([]byte, 28)
	copy(want4, []byte{2, 0, 0, 0, 192, 168, 1, 1})
	if !bytes.Equal(raw, want4) {
		t.Errorf("SOCKADDR_IN bytes = % x, want % x", raw, want4)
	}
	v6 := windowsSockaddrFrom(netip.MustParseAddr("fe80::1"), 12)
	raw = unsafe.Slice((*byte)(unsafe.Pointer(&v6)), unsafe.Sizeof(v6))
	want6 := make([]byte, 28)
	copy(want6, []byte{23, 0, 0, 0, 0, 0, 0, 0, 0xfe, 0x80})
	want6[23] = 1
	want6[24] = 12 // sin6_scope_id, little-endian
	if !bytes.Equal(raw, want6) {
		t.Errorf("SOCKADDR_IN6 bytes = % x, want % x", raw, want6)
	}

	for _, s := range []string{"10.0.0.1", "::ffff:10.0.0.1", "2001:db8::1", "fe80::1%12"} {
		a := netip.MustParseAddr(s)
		sa := windowsSockaddrFrom(a, 0)
		if got, want := sa.addr(), a.Unmap().WithZone(""); got != want {
			t.Errorf("round trip %s = %s, want %s", s, got, want)
		}
	}
	if got := (&windowsSockaddrInet{Family: 17}).addr(); got.IsValid() {
		t.Errorf("unknown family gave %s, want invalid", got)
	}
}

func windowsNetRow(ip string, ifIndex uint32, mac string, state uint32, flags uint8) windowsIPNetRow2 {
	r := windowsIPNetRow2{Address: windowsTestAddr(ip), InterfaceIndex: ifIndex, State: state, Flags: flags}
	if mac != "" {
		hw, err := net.ParseMAC(mac)
		if err != nil {
			panic(err)
		}
		r.PhysicalAddressLength = uint32(copy(r.PhysicalAddress[:], hw))
	} else {
		r.PhysicalAddressLength = 6 // Windows keeps the length, zeroes the bytes
	}
	return r
}

func TestWindowsNeighbor(t *testing.T) {
	mac := net.HardwareAddr{0x00, 0x11, 0x22, 0x33, 0x44, 0x55}
	gw := netip.MustParseAddr("192.168.1.1")
	tests := []struct {
		name   string
		row    windowsIPNetRow2
		want   netstate.Neighbor
		listed bool
	}{
		{"reachable router", windowsNetRow("192.168.1.1", 12, "00:11:22:33:44:55", windowsNlnsReachable, 1),
			netstate.Neighbor{IfIndex: 12, IP: gw, MAC: mac, State: netstate.NeighReachable, Router: true}, true},
		{"stale", windowsNetRow("192.168.1.1", 12, "00:11:22:33:44:55", windowsNlnsStale, 0),
			netstate.Neighbor{IfIndex: 12, IP: gw, MAC: mac, State: netstate.NeighStale}, true},
		{"delay", windowsNetRow("192.168.1.1", 12, "00:11:22:33:44:55", windowsNlnsDelay, 0),
			netstate.Neighbor{IfIndex: 12, IP: gw, MAC: mac, State: netstate.NeighDelay}, true},
		{"probe", windowsNetRow("192.168.1.1", 12, "00:11:22:33:44:55", windowsNlnsProbe, 0),
			netstate.Neighbor{IfIndex: 12, IP: gw, MAC: mac, State: netstate.NeighProbe}, true},
		{"unreachable keeps no MAC", windowsNetRow("192.168.1.1", 12, "00:11:22:33:44:55", windowsNlnsUnreachable, 2),
			netstate.Neighbor{IfIndex: 12, IP: gw, State: netstate.NeighFailed}, true},
		{"incomplete, zero MAC", windowsNetRow("192.168.1.1", 12, "", windowsNlnsIncomplete, 0),
			netstate.Neighbor{IfIndex: 12, IP: gw, State: netstate.NeighIncomplete}, true},
		{"static wrong entry", windowsNetRow("192.168.1.1", 12, "de:ad:be:ef:00:01", windowsNlnsPermanent, 0),
			netstate.Neighbor{IfIndex: 12, IP: gw, MAC: net.HardwareAddr{0xde, 0xad, 0xbe, 0xef, 0, 1}, State: netstate.NeighPermanent, Permanent: true}, true},
		{"point-to-point peer", windowsNetRow("10.8.0.1", 30, "", windowsNlnsPermanent, 0),
			netstate.Neighbor{IfIndex: 30, IP: netip.MustParseAddr("10.8.0.1"), State: netstate.NeighNoARP, Permanent: true}, true},
		{"IPv6 router", windowsNetRow("fe80::1", 12, "00:11:22:33:44:55", windowsNlnsStale, 1),
			netstate.Neighbor{IfIndex: 12, IP: netip.MustParseAddr("fe80::1"), MAC: mac, State: netstate.NeighStale, Router: true}, true},
		{"unknown state", windowsNetRow("192.168.1.9", 12, "00:11:22:33:44:55", 9, 0),
			netstate.Neighbor{IfIndex: 12, IP: netip.MustParseAddr("192.168.1.9"), MAC: mac, State: netstate.NeighUnknown}, true},
		{"multicast", windowsNetRow("224.0.0.22", 12, "01:00:5e:00:00:16", windowsNlnsPermanent, 0), netstate.Neighbor{}, false},
		{"IPv6 multicast", windowsNetRow("ff02::1:2", 12, "33:33:00:01:00:02", windowsNlnsPermanent, 0), netstate.Neighbor{}, false},
		{"limited broadcast", windowsNetRow("255.255.255.255", 12, "ff:ff:ff:ff:ff:ff", windowsNlnsPermanent, 0), netstate.Neighbor{}, false},
		{"directed broadcast", windowsNetRow("192.168.1.255", 12, "ff:ff:ff:ff:ff:ff", windowsNlnsPermanent, 0), netstate.Neighbor{}, false},
		{"unknown family", windowsIPNetRow2{Address: windowsSockaddrInet{Family: 17}}, netstate.Neighbor{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, listed := windowsNeighbor(&tt.row)
			if listed != tt.listed || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, %v; want %+v, %v", got, listed, tt.want, tt.listed)
			}
		})
	}
}

func windowsFwdRow(dst string, bits uint8, gw string, ifIndex, metric uint32) windowsIPForwardRow2 {
	r := windowsIPForwardRow2{InterfaceIndex: ifIndex, Metric: metric, NextHop: windowsTestAddr(gw)}
	r.DestinationPrefix.Prefix = windowsTestAddr(dst)
	r.DestinationPrefix.PrefixLength = bits
	return r
}

// A table shaped like `route print` on a laptop on Wi-Fi (interface 12)
// with a VPN (30) that adds a better default route.
func TestWindowsRoutes(t *testing.T) {
	rows := []windowsIPForwardRow2{
		windowsFwdRow("0.0.0.0", 0, "192.168.1.1", 12, 0),
		windowsFwdRow("0.0.0.0", 0, "10.8.0.1", 30, 0),
		windowsFwdRow("10.20.0.0", 16, "10.8.0.1", 30, 0),
		windowsFwdRow("203.0.113.7", 32, "192.168.1.1", 12, 0), // VPN endpoint, gatewayed host route
		windowsFwdRow("127.0.0.0", 8, "0.0.0.0", 1, 256),
		windowsFwdRow("127.0.0.1", 32, "0.0.0.0", 1, 256),
		windowsFwdRow("192.168.1.0", 24, "0.0.0.0", 12, 256),
		windowsFwdRow("192.168.1.23", 32, "0.0.0.0", 12, 256),  // own address
		windowsFwdRow("192.168.1.255", 32, "0.0.0.0", 12, 256), // subnet broadcast
		windowsFwdRow("224.0.0.0", 4, "0.0.0.0", 12, 256),
		windowsFwdRow("255.255.255.255", 32, "0.0.0.0", 12, 256),
		windowsFwdRow("::", 0, "fe80::1", 12, 256),
		windowsFwdRow("fe80::", 64, "::", 12, 256),
		windowsFwdRow("fe80::abcd", 128, "::", 12, 256),
		windowsFwdRow("ff00::", 8, "::", 12, 256),
		windowsFwdRow("::1", 128, "::", 1, 256),
		{}, // AF_UNSPEC: never produced, must not panic
	}
	metrics := map[windowsIfKey]uint32{
		{windowsAFInet, 12}: 25, {windowsAFInet, 30}: 5, {windowsAFInet6, 12}: 25,
	}
	got := windowsRoutes(rows, metrics)
	p := netip.MustParsePrefix
	a := netip.MustParseAddr
	want := []netstate.Route{
		{Dst: p("0.0.0.0/0"), Gateway: a("192.168.1.1"), IfIndex: 12, Metric: 25},
		{Dst: p("0.0.0.0/0"), Gateway: a("10.8.0.1"), IfIndex: 30, Metric: 5},
		{Dst: p("10.20.0.0/16"), Gateway: a("10.8.0.1"), IfIndex: 30, Metric: 5},
		{Dst: p("203.0.113.7/32"), Gateway: a("192.168.1.1"), IfIndex: 12, Metric: 25},
		{Dst: p("192.168.1.0/24"), IfIndex: 12, Metric: 281},
		{Dst: p("::/0"), Gateway: a("fe80::1"), IfIndex: 12, Metric: 281},
		{Dst: p("fe80::/64"), IfIndex: 12, Metric: 281},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("routes:\n got %+v\nwant %+v", got, want)
	}

	// The default the kernel uses is the lowest summed metric: the VPN's.
	var best *netstate.Route
	var defaults int
	for i, r := range got {
		if r.IsDefault() && r.Dst.Addr().Is4() {
			defaults++
			if best == nil || r.Metric < best.Metric {
				best = &got[i]
			}
		}
	}
	if defaults != 2 || best.IfIndex != 30 {
		t.Errorf("IPv4 defaults = %d, best %+v; want 2, via interface 30", defaults, best)
	}
	if r := got[5]; !r.IsDefault() || !r.Dst.Addr().Is6() {
		t.Errorf("%+v: want the IPv6 default route", r)
	}

	// RouteTo keeps what Routes leaves out: GetBestRoute2 for an own
	// address answers with its host route.
	host := windowsFwdRow("192.168.1.23", 32, "0.0.0.0", 12, 256)
	if r, ok := windowsRouteFromRow(&host, 25); !ok || r.Dst != p("192.168.1.23/32") || r.Gateway.IsValid() || r.Metric != 281 {
		t.Errorf("host route from GetBestRoute2 = %+v, %v", r, ok)
	}
}

func TestWindowsLink(t *testing.T) {
	pfx := []netip.Prefix{netip.MustParsePrefix("192.168.1.23/24"), netip.MustParsePrefix("fe80::1234/64")}
	mac := []byte{0x00, 0x11, 0x22, 0x33, 0x44, 0x55}
	tests := []struct {
		name string
		in   windowsAdapter
		want netstate.Link
	}{
		{"wi-fi up", windowsAdapter{Index: 12, Name: "Wi-Fi", MAC: mac, IfType: 71, OperStatus: 1, AdminStatus: 1, Addrs: pfx},
			netstate.Link{Index: 12, Name: "Wi-Fi", MAC: net.HardwareAddr(mac), AdminUp: true, Carrier: true, Addrs: pfx, Kind: netstate.LinkPhysical}},
		{"cable out", windowsAdapter{Index: 7, Name: "Ethernet", MAC: mac, IfType: 6, OperStatus: 2, AdminStatus: 1},
			netstate.Link{Index: 7, Name: "Ethernet", MAC: net.HardwareAddr(mac), AdminUp: true, Kind: netstate.LinkPhysical}},
		{"admin down", windowsAdapter{Index: 7, Name: "Ethernet", MAC: mac, IfType: 6, OperStatus: 2, AdminStatus: 2},
			netstate.Link{Index: 7, Name: "Ethernet", MAC: net.HardwareAddr(mac), Kind: netstate.LinkPhysical}},
		{"admin unknown, lower layer down", windowsAdapter{Index: 7, IfType: 6, OperStatus: 7},
			netstate.Link{Index: 7, AdminUp: true, Kind: netstate.LinkPhysical}},
		{"loopback", windowsAdapter{Index: 1, Name: "Loopback Pseudo-Interface 1", IfType: 24, OperStatus: 1, AdminStatus: 1},
			netstate.Link{Index: 1, Name: "Loopback Pseudo-Interface 1", AdminUp: true, Carrier: true, Loopback: true, Kind: netstate.LinkLoopback}},
		{"wireguard-nt", windowsAdapter{Index: 30, Name: "wg0", Description: "WireGuard Tunnel", IfType: 53, OperStatus: 1, AdminStatus: 1},
			netstate.Link{Index: 30, Name: "wg0", AdminUp: true, Carrier: true, Tunnel: true, Kind: netstate.LinkTunnel, Description: "WireGuard Tunnel"}},
		{"ppp", windowsAdapter{Index: 31, IfType: 23, OperStatus: 1, AdminStatus: 1},
			netstate.Link{Index: 31, AdminUp: true, Carrier: true, Tunnel: true, Kind: netstate.LinkTunnel}},
		{"teredo", windowsAdapter{Index: 14, IfType: 131, TunnelType: 14, OperStatus: 5, AdminStatus: 1},
			netstate.Link{Index: 14, AdminUp: true, Tunnel: true, Kind: netstate.LinkTunnel}},
		{"hyper-v switch", windowsAdapter{Index: 40, Name: "vEthernet (WSL)", IfType: 6, OperStatus: 1, AdminStatus: 1, MTU: 1500},
			netstate.Link{Index: 40, Name: "vEthernet (WSL)", AdminUp: true, Carrier: true, Kind: netstate.LinkBridge, MTU: 1500}},
		{"zero MAC is none", windowsAdapter{Index: 9, MAC: make([]byte, 6), IfType: 6, OperStatus: 1, AdminStatus: 1},
			netstate.Link{Index: 9, AdminUp: true, Carrier: true, Kind: netstate.LinkPhysical}},
		// IpDadStatePreferred (4) for the first, IpDadStateDuplicate (2)
		// for the second: Windows runs DAD for IPv4 too.
		{"duplicate address", windowsAdapter{Index: 12, Name: "Wi-Fi", MAC: mac, IfType: 71, OperStatus: 1, AdminStatus: 1, Addrs: pfx, DadStates: []int32{2, 4}},
			netstate.Link{Index: 12, Name: "Wi-Fi", MAC: net.HardwareAddr(mac), AdminUp: true, Carrier: true, Addrs: pfx, Kind: netstate.LinkPhysical,
				DADFailed: []netip.Addr{netip.MustParseAddr("192.168.1.23")}}},
		{"tentative is not duplicate", windowsAdapter{Index: 12, Name: "Wi-Fi", MAC: mac, IfType: 71, OperStatus: 1, AdminStatus: 1, Addrs: pfx, DadStates: []int32{1, 4}},
			netstate.Link{Index: 12, Name: "Wi-Fi", MAC: net.HardwareAddr(mac), AdminUp: true, Carrier: true, Addrs: pfx, Kind: netstate.LinkPhysical}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := windowsLink(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// Go mirrors of the owner-PID rows, field order from tcpmib.h/udpmib.h.
// Every field is 4 bytes or a byte array, so binary.Write lays them out as
// C does and the parser's offsets are checked against an independent source.
type (
	windowsTestTCP4 struct{ State, LocalAddr, LocalPort, RemoteAddr, RemotePort, PID uint32 }
	windowsTestTCP6 struct {
		LocalAddr               [16]byte
		LocalScope, LocalPort   uint32
		RemoteAddr              [16]byte
		RemoteScope, RemotePort uint32
		State, PID              uint32
	}
	windowsTestUDP4 struct{ LocalAddr, LocalPort, PID uint32 }
	windowsTestUDP6 struct {
		LocalAddr                  [16]byte
		LocalScope, LocalPort, PID uint32
	}
)

// htons as the tables store it: the port in network byte order in the low
// 16 bits of a little-endian DWORD.
func windowsTestPort(p uint16) uint32 { return uint32(p>>8 | p<<8) }

func windowsTestTable[T any](t *testing.T, rows []T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := binary.Write(&b, binary.LittleEndian, uint32(len(rows))); err != nil {
		t.Fatal(err)
	}
	if err := binary.Write(&b, binary.LittleEndian, rows); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestWindowsSockets(t *testing.T) {
	for _, c := range []struct {
		l    windowsSockLayout
		size int
	}{
		{windowsTCP4Layout, binary.Size(windowsTestTCP4{})},
		{windowsTCP6Layout, binary.Size(windowsTestTCP6{})},
		{windowsUDP4Layout, binary.Size(windowsTestUDP4{})},
		{windowsUDP6Layout, binary.Size(windowsTestUDP6{})},
	} {
		if c.l.size != c.size {
			t.Errorf("%s: layout size %d, C size %d", c.l.name, c.l.size, c.size)
		}
	}

	const estab, listen = 5, 2
	tcp4 := []windowsTestTCP4{
		{State: estab, LocalPort: windowsTestPort(50000), PID: 100},
		{State: estab, LocalPort: windowsTestPort(50001), PID: 100},
		{State: estab, LocalPort: windowsTestPort(50002), PID: 100},
		{State: listen, LocalPort: windowsTestPort(80), PID: 200},
		{State: windowsTCPStateTimeWait, LocalPort: windowsTestPort(50003), PID: 0}, // Idle owns TIME_WAIT
		{State: listen, LocalPort: windowsTestPort(55000), PID: 300},
		{State: estab, LocalPort: windowsTestPort(55000), PID: 300}, // accepted: same port
		{State: estab, LocalPort: windowsTestPort(55000), PID: 300},
	}
	tcp6 := []windowsTestTCP6{
		{State: estab, LocalPort: windowsTestPort(50004), PID: 100},
		{State: listen, LocalPort: windowsTestPort(55000), PID: 300}, // dual-stack: same port
	}
	udp4 := []windowsTestUDP4{
		{LocalPort: windowsTestPort(53), PID: 200},
		{LocalPort: windowsTestPort(60000), PID: 100},
	}
	udp6 := []windowsTestUDP6{
		{LocalPort: windowsTestPort(60000), PID: 400},
		{LocalPort: windowsTestPort(5353), PID: 400},
	}
	parse := func(buf []byte, l windowsSockLayout) []windowsSocket {
		t.Helper()
		s, err := windowsParseSockets(buf, l)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	t4 := parse(windowsTestTable(t, tcp4), windowsTCP4Layout)
	t6 := parse(windowsTestTable(t, tcp6), windowsTCP6Layout)
	u4 := parse(windowsTestTable(t, udp4), windowsUDP4Layout)
	u6 := parse(windowsTestTable(t, udp6), windowsUDP6Layout)
	if want := (windowsSocket{Port: 50004, State: estab, PID: 100}); t6[0] != want {
		t.Errorf("TCP6 row = %+v, want %+v", t6[0], want)
	}
	if want := (windowsSocket{Port: 5353, PID: 400}); u6[1] != want {
		t.Errorf("UDP6 row = %+v, want %+v", u6[1], want)
	}

	got := windowsSocketStats(append(t4, t6...), append(u4, u6...), windowsDynamicPortLow, windowsDynamicPortHigh)
	want := netstate.SocketStats{
		EphemeralLow: 49152, EphemeralHigh: 65535,
		TCPEphemeralInUse: 6, // 50000-50004 and 55000 once
		UDPEphemeralInUse: 1, // 60000, held in both families
		TCPSockets:        10, UDPSockets: 4,
		TCPTimeWait:   1,
		TopProcessPID: 100, TopProcessSockets: 5,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("stats:\n got %+v\nwant %+v", got, want)
	}

	// A tie goes to the lower PID, whatever the map order.
	tie := []windowsSocket{{Port: 1, PID: 9}, {Port: 2, PID: 7}}
	for range 20 {
		if st := windowsSocketStats(tie, nil, 1, 2); st.TopProcessPID != 7 {
			t.Fatalf("tie: top pid %d, want 7", st.TopProcessPID)
		}
	}

	// A table announcing more rows than its bytes hold is an error, never
	// a read past the buffer.
	short := windowsTestTable(t, tcp4)
	if _, err := windowsParseSockets(short[:len(short)-1], windowsTCP4Layout); err == nil {
		t.Error("truncated table: no error")
	}
	if _, err := windowsParseSockets(nil, windowsUDP4Layout); err == nil {
		t.Error("empty buffer: no error")
	}
	if s, err := windowsParseSockets([]byte{0, 0, 0, 0}, windowsUDP6Layout); err != nil || len(s) != 0 {
		t.Errorf("empty table = %v, %v", s, err)
	}
}

// TestWindows386Refused pins the choice for windows/386, where x/sys's
// MibIpInterfaceRow and MibUnicastIpAddressRow put InterfaceLuid 4 bytes
// before C does: the build refuses that target with a message naming
// why, and only that target.
func TestWindows386Refused(t *testing.T) {
	const refuser = "windows_iphlp_386.go"
	for _, tc := range []struct {
		goos, goarch string
		refused      bool
	}{
		{"windows", "386", true},
		{"windows", "amd64", false},
		{"windows", "arm64", false},
		{"linux", "386", false},
	} {
		ctx := build.Default
		ctx.GOOS, ctx.GOARCH, ctx.CgoEnabled = tc.goos, tc.goarch, false
		pkg, err := ctx.ImportDir(".", 0)
		if err != nil {
			t.Fatalf("%s/%s: %v", tc.goos, tc.goarch, err)
		}
		if got := slices.Contains(pkg.GoFiles, refuser); got != tc.refused {
			t.Errorf("%s/%s: %s in the build: %v, want %v", tc.goos, tc.goarch, refuser, got, tc.refused)
		}
	}
	f, err := parser.ParseFile(token.NewFileSet(), refuser, nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	// The file's one declaration names an identifier that exists nowhere,
	// so the compiler's error is that name: the message.
	var name string
	ast.Inspect(f, func(n ast.Node) bool {
		if vs, ok := n.(*ast.ValueSpec); ok && len(vs.Values) == 1 {
			if id, ok := vs.Values[0].(*ast.Ident); ok {
				name = id.Name
			}
		}
		return true
	})
	if !strings.HasPrefix(name, "netguard_does_not_build_for_windows_386") {
		t.Fatalf("%s does not refuse the build with a named identifier (found %q)", refuser, name)
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, fn := range files {
		b, err := os.ReadFile(fn)
		if err != nil {
			t.Fatal(err)
		}
		if fn != refuser && !strings.HasSuffix(fn, "_test.go") && bytes.Contains(b, []byte(name)) {
			t.Errorf("%s names %s: the windows/386 build might no longer fail", fn, name)
		}
	}
}

// TestWindowsTunHolderErr: the holder of a Wintun or WireGuard-NT adapter
// has no public API; the error names the adapter's driver and stays an
// ErrUnsupported.
func TestWindowsTunHolderErr(t *testing.T) {
	err := windowsTunHolderErr("wg0", "WireGuard Tunnel")
	if !errors.Is(err, netstate.ErrUnsupported) {
		t.Errorf("%v is not ErrUnsupported", err)
	}
	for _, want := range []string{"wg0", "WireGuard Tunnel", "no public API"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err, want)
		}
	}
	if e := windowsTunHolderErr("Clash", "").Error(); strings.Contains(e, "()") {
		t.Errorf("empty description rendered: %q", e)
	}
}
