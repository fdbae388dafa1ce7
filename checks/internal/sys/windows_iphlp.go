package sys

// Conversions from the rows of the Windows IP helper API (netioapi.h,
// iphlpapi.h) to netguard's types. This file has no build tag on purpose:
// the Go mirrors of the C structs and the pure conversions are unit-tested
// on any CI (windows_iphlp_test.go); only the calls live in
// system_windows.go.
//
// The mirrors use fixed-width fields only, so their layout is the same on
// every GOARCH; the test pins sizes and offsets to the C ones.

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"

	"github.com/netguard/netguard/checks/netstate"
)

// Address families as Windows numbers them (ws2def.h). AF_INET6 is 23, not
// Linux's 10: a mirror filled with syscall.AF_INET6 from another OS would be
// silently wrong.
const (
	windowsAFUnspec = 0
	windowsAFInet   = 2
	windowsAFInet6  = 23
)

// NL_NEIGHBOR_STATE (nldef.h), RFC 2461 section 7.3.2 order.
const (
	windowsNlnsUnreachable = 0
	windowsNlnsIncomplete  = 1
	windowsNlnsProbe       = 2
	windowsNlnsDelay       = 3
	windowsNlnsStale       = 4
	windowsNlnsReachable   = 5
	windowsNlnsPermanent   = 6
)

// Interface types (ipifcons.h) and operational/administrative states
// (ifdef.h) read by windowsLink.
const (
	windowsIfTypeEthernet = 6
	windowsIfTypeWiFi     = 71
	windowsIfTypePPP      = 23
	windowsIfTypeLoopback = 24
	// IF_TYPE_PROP_VIRTUAL is what Wintun (WireGuard, Tailscale) and
	// several VPN clients register as.
	windowsIfTypePropVirtual = 53
	windowsIfTypeTunnel      = 131

	windowsIfOperStatusUp    = 1
	windowsIfAdminStatusDown = 2

	// windowsIPDadStateDuplicate is IpDadStateDuplicate (nldef.h
	// NL_DAD_STATE): duplicate address detection, which Windows runs for
	// IPv4 (ARP) as well as IPv6, found the address in use elsewhere.
	windowsIPDadStateDuplicate = 2
)

// Table classes for GetExtendedTcpTable/GetExtendedUdpTable (iprtrmib.h)
// and the one TCP state we count (MIB_TCP_STATE, tcpmib.h).
const (
	windowsTCPTableOwnerPIDAll = 5
	windowsUDPTableOwnerPID    = 1
	windowsTCPStateTimeWait    = 11
)

// Windows has no documented API for its dynamic port range (only
// `netsh int ipv4 show dynamicport`, backed by an undocumented NSI store);
// this is the documented default since Vista (IPPORT_DYNAMIC_MIN/MAX, KB
// 929851), used as an assumption and reported in SocketStats.Unknown.
const (
	windowsDynamicPortLow  = 49152
	windowsDynamicPortHigh = 65535
)

// windowsSockaddrInet mirrors SOCKADDR_INET (ws2ipdef.h): a union of
// SOCKADDR_IN and SOCKADDR_IN6 tagged by the family both start with.
// 28 bytes, 4-aligned (sin6_flowinfo is a ULONG): the zero-size [0]uint32
// gives the Go struct that alignment without changing its size.
type windowsSockaddrInet struct {
	_      [0]uint32
	Family uint16
	Port   uint16 // network byte order
	// SOCKADDR_IN: sin_addr in [0:4]. SOCKADDR_IN6: sin6_flowinfo [0:4],
	// sin6_addr [4:20], sin6_scope_id [20:24] (little-endian).
	Data [24]byte
}

// addr returns the address without a zone: neighbors and routes carry the
// interface in IfIndex, and a zone would make fe80::1 from the route table
// differ from fe80::1 in the neighbor table.
func (s *windowsSockaddrInet) addr() netip.Addr {
	switch s.Family {
	case windowsAFInet:
		return netip.AddrFrom4([4]byte(s.Data[0:4]))
	case windowsAFInet6:
		return netip.AddrFrom16([16]byte(s.Data[4:20]))
	}
	return netip.Addr{}
}

// windowsSockaddrFrom fills a SOCKADDR_INET for a; scope is the IPv6 scope
// id (interface index) for link-local destinations, else 0.
func windowsSockaddrFrom(a netip.Addr, scope uint32) windowsSockaddrInet {
	var s windowsSockaddrInet
	a = a.Unmap()
	switch {
	case a.Is4():
		s.Family = windowsAFInet
		b := a.As4()
		copy(s.Data[0:4], b[:])
	case a.Is6():
		s.Family = windowsAFInet6
		b := a.As16()
		copy(s.Data[4:20], b[:])
		binary.LittleEndian.PutUint32(s.Data[20:24], scope)
	}
	return s
}

// windowsIPAddressPrefix mirrors IP_ADDRESS_PREFIX (netioapi.h): 32 bytes.
type windowsIPAddressPrefix struct {
	Prefix       windowsSockaddrInet
	PrefixLength uint8
}

// windowsIPForwardRow2 mirrors MIB_IPFORWARD_ROW2 (netioapi.h): 104 bytes,
// DestinationPrefix at 12, NextHop at 44, Metric at 84.
type windowsIPForwardRow2 struct {
	InterfaceLuid        uint64
	InterfaceIndex       uint32
	DestinationPrefix    windowsIPAddressPrefix
	NextHop              windowsSockaddrInet
	SitePrefixLength     uint8
	ValidLifetime        uint32
	PreferredLifetime    uint32
	Metric               uint32 // offset added to the interface metric
	Protocol             uint32
	Loopback             uint8
	AutoconfigureAddress uint8
	Publish              uint8
	Immortal             uint8
	Age                  uint32
	Origin               uint32
}

// windowsIPForwardTable2 mirrors MIB_IPFORWARD_TABLE2. The explicit pad puts
// the rows at offset 8 as in C (their NET_LUID is 8-aligned there); Go on
// 386 aligns uint64 to 4 and would put them at 4.
type windowsIPForwardTable2 struct {
	NumEntries uint32
	_          uint32
	Table      [1]windowsIPForwardRow2
}

// windowsIPNetRow2 mirrors MIB_IPNET_ROW2 (netioapi.h): 88 bytes,
// InterfaceLuid at 32, PhysicalAddress at 40, State at 76, Flags at 80.
type windowsIPNetRow2 struct {
	Address               windowsSockaddrInet
	InterfaceIndex        uint32
	InterfaceLuid         uint64
	PhysicalAddress       [32]byte // IF_MAX_PHYS_ADDRESS_LENGTH
	PhysicalAddressLength uint32
	State                 uint32 // NL_NEIGHBOR_STATE
	// Bit 0 IsRouter, bit 1 IsUnreachable (C bit-fields in a UCHAR union).
	Flags            uint8
	ReachabilityTime uint32 // LastReachable / LastUnreachable, ms
}

// windowsIPNetTable2 mirrors MIB_IPNET_TABLE2; pad as for the route table.
type windowsIPNetTable2 struct {
	NumEntries uint32
	_          uint32
	Table      [1]windowsIPNetRow2
}

const (
	windowsNeighIsRouter = 1 << 0
)

// windowsMAC returns the first n bytes of b as a MAC, nil when there is
// none: Windows reports unresolved entries and tunnels with an all-zero
// address rather than an empty one.
func windowsMAC(b []byte, n uint32) net.HardwareAddr {
	if int(n) > len(b) {
		n = uint32(len(b))
	}
	mac := b[:n]
	if !slices.ContainsFunc(mac, func(c byte) bool { return c != 0 }) {
		return nil
	}
	return net.HardwareAddr(slices.Clone(mac))
}

func windowsIsBroadcastMAC(mac net.HardwareAddr) bool {
	return len(mac) > 0 && !slices.ContainsFunc(mac, func(c byte) bool { return c != 0xff })
}

// windowsNeighState maps NL_NEIGHBOR_STATE. Windows' Unreachable is the end
// of failed resolution, Linux's FAILED.
func windowsNeighState(s uint32) (state netstate.NeighState, permanent bool) {
	switch s {
	case windowsNlnsUnreachable:
		return netstate.NeighFailed, false
	case windowsNlnsIncomplete:
		return netstate.NeighIncomplete, false
	case windowsNlnsProbe:
		return netstate.NeighProbe, false
	case windowsNlnsDelay:
		return netstate.NeighDelay, false
	case windowsNlnsStale:
		return netstate.NeighStale, false
	case windowsNlnsReachable:
		return netstate.NeighReachable, false
	case windowsNlnsPermanent:
		return netstate.NeighPermanent, true
	}
	return netstate.NeighUnknown, false
}

var windowsLimitedBroadcast = netip.AddrFrom4([4]byte{255, 255, 255, 255})

// windowsNeighbor converts one MIB_IPNET_ROW2. ok is false for the entries
// the stack itself keeps for multicast and broadcast (static, ff-ff-ff-ff-
// ff-ff or 01-00-5e-…): Linux does not list them and they are never a
// gateway, but they are "permanent" and would look like an admin's doing.
func windowsNeighbor(r *windowsIPNetRow2) (n netstate.Neighbor, ok bool) {
	ip := r.Address.addr()
	if !ip.IsValid() || ip.IsUnspecified() || ip.IsMulticast() || ip.IsLoopback() || ip == windowsLimitedBroadcast {
		return netstate.Neighbor{}, false
	}
	mac := windowsMAC(r.PhysicalAddress[:], r.PhysicalAddressLength)
	if windowsIsBroadcastMAC(mac) { // a subnet's directed broadcast
		return netstate.Neighbor{}, false
	}
	n = netstate.Neighbor{
		IfIndex: int(r.InterfaceIndex),
		IP:      ip,
		MAC:     mac,
		Router:  r.Flags&windowsNeighIsRouter != 0,
	}
	n.State, n.Permanent = windowsNeighState(r.State)
	switch {
	case n.State == netstate.NeighFailed || n.State == netstate.NeighIncomplete:
		// An unreachable entry may still hold the last MAC; the contract
		// is nil while unresolved.
		n.MAC = nil
	case n.State == netstate.NeighPermanent && mac == nil:
		// Interfaces without neighbor discovery (Wintun, PPP) list their
		// peers as permanent with no address: Linux's NOARP, resolved.
		n.State = netstate.NeighNoARP
	}
	return n, true
}

// windowsRouteFromRow converts a MIB_IPFORWARD_ROW2 as it is, the answer of
// GetBestRoute2 included. ifMetric is the interface metric of the row's
// family (MIB_IPINTERFACE_ROW.Metric): Windows ranks routes by the sum.
// Windows has no reject route types, so every route is unicast.
func windowsRouteFromRow(r *windowsIPForwardRow2, ifMetric uint32) (netstate.Route, bool) {
	a := r.DestinationPrefix.Prefix.addr()
	if !a.IsValid() {
		return netstate.Route{}, false
	}
	dst, err := a.Prefix(int(r.DestinationPrefix.PrefixLength))
	if err != nil {
		return netstate.Route{}, false
	}
	gw := r.NextHop.addr()
	if gw.IsUnspecified() { // on-link: Windows writes 0.0.0.0 or ::
		gw = netip.Addr{}
	}
	return netstate.Route{
		Dst:     dst,
		Gateway: gw,
		IfIndex: int(r.InterfaceIndex),
		Type:    netstate.RouteUnicast,
		Metric:  int(r.Metric) + int(ifMetric),
	}, true
}

// windowsRouteListed reports whether a route belongs in Routes. Windows
// keeps in one table what Linux splits into main and local: host routes to
// each own address and to each subnet's broadcast (both on-link /32 or
// /128), loopback, limited broadcast and multicast. Those are left out, as
// the System contract asks.
func windowsRouteListed(r netstate.Route) bool {
	a := r.Dst.Addr()
	switch {
	case a.IsMulticast(), a.IsLoopback():
		return false
	case r.Dst.IsSingleIP() && (a == windowsLimitedBroadcast || !r.Gateway.IsValid()):
		return false
	}
	return true
}

// windowsIfKey keys interface metrics, which Windows keeps per family.
type windowsIfKey struct {
	Family uint16
	Index  uint32
}

// windowsRoutes converts a whole forwarding table.
func windowsRoutes(rows []windowsIPForwardRow2, ifMetric map[windowsIfKey]uint32) []netstate.Route {
	var out []netstate.Route
	for i := range rows {
		r := &rows[i]
		k := windowsIfKey{r.DestinationPrefix.Prefix.Family, r.InterfaceIndex}
		if rt, ok := windowsRouteFromRow(r, ifMetric[k]); ok && windowsRouteListed(rt) {
			out = append(out, rt)
		}
	}
	return out
}

// windowsAdapter is what Links learns about one adapter from
// IP_ADAPTER_ADDRESSES and MIB_IF_ROW2, before conversion.
type windowsAdapter struct {
	Index uint32
	Name  string // FriendlyName ("Wi-Fi"): what netsh and users call it
	// Description is the driver's ("WireGuard Tunnel", "Intel(R) Wi-Fi 6
	// AX201 160MHz").
	Description string
	MAC         []byte
	IfType      uint32
	TunnelType  uint32 // TUNNEL_TYPE; nonzero for Teredo, 6to4, IP-HTTPS…
	OperStatus  uint32
	// AdminStatus is NET_IF_ADMIN_STATUS from GetIfEntry2Ex, 0 if that
	// failed.
	AdminStatus uint32
	Addrs       []netip.Prefix
	MTU         uint32
	// DadStates are the DadState of each of Addrs
	// (IP_ADAPTER_UNICAST_ADDRESS), when read.
	DadStates []int32
}

func windowsLink(a windowsAdapter) netstate.Link {
	return netstate.Link{
		Index: int(a.Index),
		Name:  a.Name,
		MAC:   windowsMAC(a.MAC, uint32(len(a.MAC))),
		// GetAdaptersAddresses lists only adapters bound to TCP/IP, so an
		// unknown admin status is taken as up rather than inventing a
		// down link the engine would try to raise.
		AdminUp:  a.AdminStatus != windowsIfAdminStatusDown,
		Carrier:  a.OperStatus == windowsIfOperStatusUp,
		Loopback: a.IfType == windowsIfTypeLoopback,
		Tunnel: a.TunnelType != 0 || a.IfType == windowsIfTypeTunnel ||
			a.IfType == windowsIfTypePPP || a.IfType == windowsIfTypePropVirtual,
		Addrs:       a.Addrs,
		Kind:        windowsLinkKind(a),
		MTU:         int(a.MTU),
		DADFailed:   windowsDuplicates(a.Addrs, a.DadStates),
		Description: a.Description,
	}
}

// windowsDuplicates returns the addresses whose DAD state is duplicate.
func windowsDuplicates(addrs []netip.Prefix, states []int32) []netip.Addr {
	var out []netip.Addr
	for i, st := range states {
		if st == windowsIPDadStateDuplicate && i < len(addrs) {
			out = append(out, addrs[i].Addr())
		}
	}
	return out
}

// windowsLinkKind maps IfType (and the tunnel type) to a LinkKind.
// Hyper-V's virtual switch adapters (WSL, Docker Desktop) are Ethernet to
// IfType; the switch names them "vEthernet (…)".
func windowsLinkKind(a windowsAdapter) netstate.LinkKind {
	switch {
	case a.IfType == windowsIfTypeLoopback:
		return netstate.LinkLoopback
	case a.TunnelType != 0 || a.IfType == windowsIfTypeTunnel ||
		a.IfType == windowsIfTypePPP || a.IfType == windowsIfTypePropVirtual:
		return netstate.LinkTunnel
	case strings.HasPrefix(a.Name, "vEthernet"):
		return netstate.LinkBridge
	case a.IfType == windowsIfTypeEthernet || a.IfType == windowsIfTypeWiFi:
		return netstate.LinkPhysical
	}
	return netstate.LinkVirtual
}

// windowsSocket is one row of an owner-PID TCP or UDP table.
type windowsSocket struct {
	Port  uint16
	State uint32 // MIB_TCP_STATE; 0 for UDP
	PID   uint32
}

// windowsSockLayout locates the fields of one owner-PID row. The tables are
// a DWORD count followed by rows, all 4-aligned, so no padding.
type windowsSockLayout struct {
	name                   string
	size, port, state, pid int // state < 0: UDP has none
}

var (
	// MIB_TCPROW_OWNER_PID holds dwState, dwLocalAddr, dwLocalPort,
	// dwRemoteAddr, dwRemotePort, dwOwningPid.
	windowsTCP4Layout = windowsSockLayout{"MIB_TCPROW_OWNER_PID", 24, 8, 0, 20}
	// MIB_TCP6ROW_OWNER_PID holds ucLocalAddr[16], dwLocalScopeId, dwLocalPort,
	// ucRemoteAddr[16], dwRemoteScopeId, dwRemotePort, dwState,
	// dwOwningPid.
	windowsTCP6Layout = windowsSockLayout{"MIB_TCP6ROW_OWNER_PID", 56, 20, 48, 52}
	// MIB_UDPROW_OWNER_PID holds dwLocalAddr, dwLocalPort, dwOwningPid.
	windowsUDP4Layout = windowsSockLayout{"MIB_UDPROW_OWNER_PID", 12, 4, -1, 8}
	// MIB_UDP6ROW_OWNER_PID holds ucLocalAddr[16], dwLocalScopeId, dwLocalPort,
	// dwOwningPid.
	windowsUDP6Layout = windowsSockLayout{"MIB_UDP6ROW_OWNER_PID", 28, 20, -1, 24}
)

// windowsParseSockets reads a table filled by GetExtendedTcpTable or
// GetExtendedUdpTable. Ports are DWORDs holding the port in network byte
// order in their low 16 bits, i.e. big-endian in the first two bytes.
func windowsParseSockets(buf []byte, l windowsSockLayout) ([]windowsSocket, error) {
	if len(buf) < 4 {
		return nil, fmt.Errorf("%s table: %d bytes, no count", l.name, len(buf))
	}
	n := int(binary.LittleEndian.Uint32(buf))
	if rows := buf[4:]; n > len(rows)/l.size {
		return nil, fmt.Errorf("%s table: %d rows announced, %d bytes hold %d", l.name, n, len(rows), len(rows)/l.size)
	}
	out := make([]windowsSocket, n)
	for i := range out {
		row := buf[4+i*l.size : 4+(i+1)*l.size]
		s := &out[i]
		s.Port = binary.BigEndian.Uint16(row[l.port:])
		s.PID = binary.LittleEndian.Uint32(row[l.pid:])
		if l.state >= 0 {
			s.State = binary.LittleEndian.Uint32(row[l.state:])
		}
	}
	return out, nil
}

// windowsSocketStats sums TCP and UDP rows of both families. Ephemeral use
// counts distinct local ports, not rows: the port is what runs out, and
// many accepted connections share a server's port. PID 0 is left out of
// the attribution because Windows gives TIME_WAIT rows to the Idle process.
// TopProcess (the name) is filled by the caller.
func windowsSocketStats(tcp, udp []windowsSocket, low, high int) netstate.SocketStats {
	st := netstate.SocketStats{
		EphemeralLow: low, EphemeralHigh: high,
		TCPSockets: len(tcp), UDPSockets: len(udp),
	}
	inRange := func(socks []windowsSocket) int {
		seen := make(map[uint16]bool)
		for _, s := range socks {
			if int(s.Port) >= low && int(s.Port) <= high {
				seen[s.Port] = true
			}
		}
		return len(seen)
	}
	st.TCPEphemeralInUse = inRange(tcp)
	st.UDPEphemeralInUse = inRange(udp)

	perPID := make(map[uint32]int)
	for _, s := range tcp {
		if s.State == windowsTCPStateTimeWait {
			st.TCPTimeWait++
		}
		if s.PID != 0 {
			perPID[s.PID]++
		}
	}
	for _, s := range udp {
		if s.PID != 0 {
			perPID[s.PID]++
		}
	}
	for pid, n := range perPID {
		// Lowest PID on a tie, so the result does not depend on map order.
		if n > st.TopProcessSockets || n == st.TopProcessSockets && int(pid) < st.TopProcessPID {
			st.TopProcessPID, st.TopProcessSockets = int(pid), n
		}
	}
	return st
}

// windowsTunHolderErr says why the process holding a tunnel adapter
// cannot be named on Windows: Wintun and WireGuard-NT hand their adapter
// to a process through a driver handle that no public API lists (unlike
// Linux's /proc fdinfo), so only the adapter and its driver can be named.
func windowsTunHolderErr(iface, description string) error {
	what := iface
	if description != "" {
		what += " (" + description + ")"
	}
	return fmt.Errorf("%s: Windows has no public API naming the process that holds a Wintun or WireGuard-NT adapter; its VPN or proxy app's own window tells: %w", what, netstate.ErrUnsupported)
}
