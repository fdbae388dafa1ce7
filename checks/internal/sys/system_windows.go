//go:build windows

package sys

// The Windows OS layer: the IP helper API (iphlpapi.dll), through
// golang.org/x/sys/windows where it has wrappers and through lazy procs with
// the struct mirrors of windows_iphlp.go where it does not. Nothing here
// runs netsh, arp, route or ipconfig.

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"path/filepath"
	"strconv"
	"unsafe"

	"github.com/netguard/netguard/checks/internal/wincall"
	"github.com/netguard/netguard/checks/netstate"
	"golang.org/x/sys/windows"
)

// windowsSystem holds no state: every call reads the tables afresh.
type windowsSystem struct{}

var _ netstate.System = (*windowsSystem)(nil)

// The watcher polls the gateway entry: no notification covers it.
var _ netstate.NeighborLooker = (*windowsSystem)(nil)

// New returns the OS layer for this platform.
func New() netstate.System { return &windowsSystem{} }

// Functions x/sys/windows does not wrap. All of iphlpapi's exist since
// Vista; DnsFlushResolverCache is undocumented (it is what
// `ipconfig /flushdns` calls), so it is looked up before use.
var (
	winIphlpapi = windows.NewLazySystemDLL("iphlpapi.dll")
	winDnsapi   = windows.NewLazySystemDLL("dnsapi.dll")

	winGetBestRoute2         = winIphlpapi.NewProc("GetBestRoute2")
	winGetIpNetTable2        = winIphlpapi.NewProc("GetIpNetTable2")
	winDeleteIpNetEntry2     = winIphlpapi.NewProc("DeleteIpNetEntry2")
	winGetIpNetEntry2        = winIphlpapi.NewProc("GetIpNetEntry2")
	winGetExtendedTcpTable   = winIphlpapi.NewProc("GetExtendedTcpTable")
	winGetExtendedUdpTable   = winIphlpapi.NewProc("GetExtendedUdpTable")
	winDnsFlushResolverCache = winDnsapi.NewProc("DnsFlushResolverCache")
)

// winIfRow reads one interface's MIB_IF_ROW2 without its counters.
func winIfRow(index uint32) (*windows.MibIfRow2, error) {
	row := &windows.MibIfRow2{InterfaceIndex: index}
	if err := windows.GetIfEntry2Ex(windows.MibIfEntryNormalWithoutStatistics, row); err != nil {
		return nil, err
	}
	return row, nil
}

// winIfNames caches interface aliases for one call: routes and neighbors
// carry only an index. A name that cannot be read stays empty.
type winIfNames map[int]string

func (m winIfNames) get(index int) string {
	name, ok := m[index]
	if !ok {
		if row, err := winIfRow(uint32(index)); err == nil {
			name = windows.UTF16ToString(row.Alias[:])
		}
		m[index] = name
	}
	return name
}

func (s *windowsSystem) Links(ctx context.Context) ([]netstate.Link, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	first, err := winAdapterAddresses()
	if err != nil {
		return nil, fmt.Errorf("dump links (GetAdaptersAddresses): %w", err)
	}
	var links []netstate.Link
	for aa := first; aa != nil; aa = aa.Next {
		a := windowsAdapter{
			Index:       aa.IfIndex,
			Name:        windows.UTF16PtrToString(aa.FriendlyName),
			Description: windows.UTF16PtrToString(aa.Description),
			MAC:         aa.PhysicalAddress[:min(int(aa.PhysicalAddressLength), len(aa.PhysicalAddress))],
			IfType:      aa.IfType,
			TunnelType:  aa.TunnelType,
			OperStatus:  aa.OperStatus,
			MTU:         aa.Mtu,
		}
		if a.Index == 0 { // IPv4 disabled on this adapter
			a.Index = aa.Ipv6IfIndex
		}
		// The admin state is not in IP_ADAPTER_ADDRESSES.
		if row, err := winIfRow(a.Index); err == nil {
			a.AdminStatus = row.AdminStatus
		}
		for ua := aa.FirstUnicastAddress; ua != nil; ua = ua.Next {
			ip, ok := netip.AddrFromSlice(ua.Address.IP())
			if !ok {
				continue
			}
			a.Addrs = append(a.Addrs, netip.PrefixFrom(ip.Unmap(), int(ua.OnLinkPrefixLength)))
			a.DadStates = append(a.DadStates, ua.DadState)
		}
		links = append(links, windowsLink(a))
	}
	return links, nil
}

// winAdapterAddresses returns the adapter list; the buffer it lives in stays
// alive through the returned pointer. Microsoft suggests starting at 15 KB
// and retrying with the size returned, as adapters may appear in between.
func winAdapterAddresses() (*windows.IpAdapterAddresses, error) {
	const flags = windows.GAA_FLAG_SKIP_ANYCAST | windows.GAA_FLAG_SKIP_MULTICAST | windows.GAA_FLAG_SKIP_DNS_SERVER
	size := uint32(15 << 10)
	for {
		buf := make([]byte, size)
		aa := (*windows.IpAdapterAddresses)(unsafe.Pointer(&buf[0]))
		err := windows.GetAdaptersAddresses(windows.AF_UNSPEC, flags, 0, aa, &size)
		switch {
		case err == nil:
			return aa, nil
		case errors.Is(err, windows.ERROR_NO_DATA):
			return nil, nil
		case !errors.Is(err, windows.ERROR_BUFFER_OVERFLOW) || size <= uint32(len(buf)):
			return nil, err
		}
	}
}

// winIfMetrics returns the interface metrics per family. Routes are ranked
// by route metric + interface metric; without the table (an error here)
// the route metric alone is reported.
func winIfMetrics() map[windowsIfKey]uint32 {
	var t *windows.MibIpInterfaceTable
	if err := windows.GetIpInterfaceTable(windows.AF_UNSPEC, &t); err != nil {
		return nil
	}
	defer windows.FreeMibTable(unsafe.Pointer(t))
	m := make(map[windowsIfKey]uint32, t.NumEntries)
	for _, r := range unsafe.Slice(&t.Table[0], t.NumEntries) {
		m[windowsIfKey{r.Family, r.InterfaceIndex}] = r.Metric
	}
	return m
}

func (s *windowsSystem) Routes(ctx context.Context) ([]netstate.Route, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var t *windows.MibIpForwardTable2
	if err := windows.GetIpForwardTable2(windows.AF_UNSPEC, &t); err != nil {
		if errors.Is(err, windows.ERROR_NOT_FOUND) { // no routes at all
			return nil, nil
		}
		return nil, fmt.Errorf("dump routes (GetIpForwardTable2): %w", err)
	}
	defer windows.FreeMibTable(unsafe.Pointer(t))
	// Read through our mirror: x/sys's table type places the rows at
	// offset 4 on 386, where C has them at 8.
	mt := (*windowsIPForwardTable2)(unsafe.Pointer(t))
	routes := windowsRoutes(unsafe.Slice(&mt.Table[0], mt.NumEntries), winIfMetrics())
	names := winIfNames{}
	for i := range routes {
		routes[i].IfName = names.get(routes[i].IfIndex)
	}
	return routes, nil
}

func (s *windowsSystem) RouteTo(ctx context.Context, dst netip.Addr) (netstate.Route, error) {
	if err := ctx.Err(); err != nil {
		return netstate.Route{}, err
	}
	// A link-local destination needs its scope (interface index); a zone
	// may be a number or, as net prints it, the interface's name.
	var scope uint32
	if z := dst.Zone(); z != "" {
		if n, err := strconv.ParseUint(z, 10, 32); err == nil {
			scope = uint32(n)
		} else if ifi, err := net.InterfaceByName(z); err == nil {
			scope = uint32(ifi.Index)
		}
	}
	to := windowsSockaddrFrom(dst, scope)
	var row windowsIPForwardRow2
	var src windowsSockaddrInet
	// Failures, "no route" included, are Win32 codes kept as windows.Errno
	// for errors.Is (ERROR_NETWORK_UNREACHABLE is expected for no route;
	// Wine only stubs this call, so that is unconfirmed).
	err := wincall.Call(winGetBestRoute2, 0, 0, 0, uintptr(unsafe.Pointer(&to)), 0,
		uintptr(unsafe.Pointer(&row)), uintptr(unsafe.Pointer(&src)))
	if err != nil {
		return netstate.Route{}, fmt.Errorf("route to %s (GetBestRoute2): %w", dst, err)
	}
	var ifMetric uint32
	if r, err := winIfMetric(row.DestinationPrefix.Prefix.Family, row.InterfaceIndex); err == nil {
		ifMetric = r
	}
	// The answer is the matching table entry (0.0.0.0/0 for a default
	// route), as on macOS; Linux answers with dst/32.
	r, ok := windowsRouteFromRow(&row, ifMetric)
	if !ok {
		return netstate.Route{}, fmt.Errorf("route to %s (GetBestRoute2): unknown family %d in answer", dst, row.DestinationPrefix.Prefix.Family)
	}
	r.Src = src.addr()
	r.IfName = winIfNames{}.get(r.IfIndex)
	return r, nil
}

// winIfMetric reads one interface's metric for one family.
func winIfMetric(family uint16, index uint32) (uint32, error) {
	row := windows.MibIpInterfaceRow{Family: family, InterfaceIndex: index}
	if err := windows.GetIpInterfaceEntry(&row); err != nil {
		return 0, err
	}
	return row.Metric, nil
}

func (s *windowsSystem) Neighbors(ctx context.Context) ([]netstate.Neighbor, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out, err := winNeighbors(windowsAFUnspec)
	if err == nil {
		return out, nil
	}
	// One family's table can fail alone (an IPv6 stack that is unbound, or
	// Wine, which has no IPv6 neighbor table) and take AF_UNSPEC with it:
	// read the families apart and keep what answers.
	v4, err4 := winNeighbors(windowsAFInet)
	v6, err6 := winNeighbors(windowsAFInet6)
	if err4 != nil && err6 != nil {
		return nil, err
	}
	return append(v4, v6...), nil
}

func winNeighbors(family uint16) ([]netstate.Neighbor, error) {
	var t *windowsIPNetTable2
	if err := wincall.Call(winGetIpNetTable2, uintptr(family), uintptr(unsafe.Pointer(&t))); err != nil {
		if errors.Is(err, windows.ERROR_NOT_FOUND) { // empty table
			return nil, nil
		}
		return nil, fmt.Errorf("dump neighbors (GetIpNetTable2 family %d): %w", family, err)
	}
	defer windows.FreeMibTable(unsafe.Pointer(t))
	var out []netstate.Neighbor
	names := winIfNames{}
	rows := unsafe.Slice(&t.Table[0], t.NumEntries)
	for i := range rows {
		if n, ok := windowsNeighbor(&rows[i]); ok {
			n.IfName = names.get(n.IfIndex)
			out = append(out, n)
		}
	}
	return out, nil
}

func (s *windowsSystem) Sockets(ctx context.Context) (netstate.SocketStats, error) {
	if err := ctx.Err(); err != nil {
		return netstate.SocketStats{}, err
	}
	tables := []struct {
		proc   *windows.LazyProc
		family uint16
		class  uint32
		layout windowsSockLayout
		tcp    bool
		what   string
	}{
		{winGetExtendedTcpTable, windowsAFInet, windowsTCPTableOwnerPIDAll, windowsTCP4Layout, true, "TCP/IPv4"},
		{winGetExtendedTcpTable, windowsAFInet6, windowsTCPTableOwnerPIDAll, windowsTCP6Layout, true, "TCP/IPv6"},
		{winGetExtendedUdpTable, windowsAFInet, windowsUDPTableOwnerPID, windowsUDP4Layout, false, "UDP/IPv4"},
		{winGetExtendedUdpTable, windowsAFInet6, windowsUDPTableOwnerPID, windowsUDP6Layout, false, "UDP/IPv6"},
	}
	var tcp, udp []windowsSocket
	var unknown []string
	var firstErr error
	for _, tb := range tables {
		socks, err := winExtendedTable(tb.proc, tb.family, tb.class, tb.layout)
		if err != nil {
			// One family failing (IPv6 removed, say) leaves the others
			// worth reporting.
			err = fmt.Errorf("dump %s sockets: %w", tb.what, err)
			firstErr = cmp.Or(firstErr, err)
			unknown = append(unknown, err.Error())
			continue
		}
		if tb.tcp {
			tcp = append(tcp, socks...)
		} else {
			udp = append(udp, socks...)
		}
	}
	if len(unknown) == len(tables) {
		return netstate.SocketStats{}, firstErr
	}
	st := windowsSocketStats(tcp, udp, windowsDynamicPortLow, windowsDynamicPortHigh)
	st.Unknown = append(unknown,
		"EphemeralLow/EphemeralHigh: Windows has no documented API for the dynamic port range; assumed the default 49152-65535 (check: netsh int ipv4 show dynamicport tcp)",
		"OpenFiles/OpenFilesLimit: Windows has no per-process open-file limit (handles are bounded by memory)",
		"SystemFiles/SystemFilesMax: Windows publishes no system-wide handle limit",
	)
	if st.TopProcessPID != 0 {
		name, err := winProcessName(uint32(st.TopProcessPID))
		if err != nil {
			// Another user's or an elevated process, seen from a normal
			// token.
			st.Unknown = append(st.Unknown, fmt.Sprintf("TopProcess: name of pid %d: %v", st.TopProcessPID, err))
		}
		st.TopProcess = name
	}
	return st, nil
}

// winExtendedTable reads one owner-PID table. The first call asks for the
// size; the table may grow before the next, hence the slack and retries.
func winExtendedTable(p *windows.LazyProc, family uint16, class uint32, l windowsSockLayout) ([]windowsSocket, error) {
	var size uint32
	for range 5 {
		buf := make([]byte, size)
		var ptr unsafe.Pointer
		if size > 0 {
			ptr = unsafe.Pointer(&buf[0])
		}
		// Arguments: table, size, bOrder (FALSE: sorting costs time),
		// family, class, reserved.
		err := wincall.Call(p, uintptr(ptr), uintptr(unsafe.Pointer(&size)), 0, uintptr(family), uintptr(class), 0)
		switch {
		case err == nil:
			return windowsParseSockets(buf[:min(int(size), len(buf))], l)
		case errors.Is(err, windows.ERROR_INSUFFICIENT_BUFFER):
			size += size/8 + 1024
		default:
			return nil, err
		}
	}
	return nil, windows.ERROR_INSUFFICIENT_BUFFER
}

// winProcessName is the executable's base name. PID 4 is the kernel, which
// has no image to query.
func winProcessName(pid uint32) (string, error) {
	if pid == 4 {
		return "System", nil
	}
	h, err := windows.OpenProcess(windows.PROCESS_QUERY_LIMITED_INFORMATION, false, pid)
	if err != nil {
		return "", err
	}
	defer windows.CloseHandle(h)
	buf := make([]uint16, windows.MAX_LONG_PATH)
	n := uint32(len(buf))
	if err := windows.QueryFullProcessImageName(h, 0, &buf[0], &n); err != nil {
		return "", err
	}
	return filepath.Base(windows.UTF16ToString(buf[:n])), nil
}

// LookupNeighbor reads the one neighbor entry for ip on ifIndex with
// GetIpNetEntry2 (no table dump, no resolution started): the watcher's
// gateway poll (watch.NeighborLooker), since Windows has no neighbor
// change notification. found is false when there is no entry.
func (s *windowsSystem) LookupNeighbor(ctx context.Context, ifIndex int, ip netip.Addr) (netstate.Neighbor, bool, error) {
	if err := ctx.Err(); err != nil {
		return netstate.Neighbor{}, false, err
	}
	ip = ip.WithZone("").Unmap()
	var scope uint32
	if ip.IsLinkLocalUnicast() {
		scope = uint32(ifIndex)
	}
	// Keyed by address and interface index, as for DeleteIpNetEntry2.
	row := windowsIPNetRow2{Address: windowsSockaddrFrom(ip, scope), InterfaceIndex: uint32(ifIndex)}
	err := wincall.Call(winGetIpNetEntry2, uintptr(unsafe.Pointer(&row)))
	if errors.Is(err, windows.ERROR_NOT_FOUND) || errors.Is(err, windows.ERROR_FILE_NOT_FOUND) {
		return netstate.Neighbor{}, false, nil
	}
	if err != nil {
		return netstate.Neighbor{}, false, fmt.Errorf("look up neighbor %s dev %d (GetIpNetEntry2): %w", ip, ifIndex, err)
	}
	n, ok := windowsNeighbor(&row)
	if !ok {
		return netstate.Neighbor{}, false, nil
	}
	n.IfName = winIfNames{}.get(n.IfIndex)
	return n, true, nil
}

// DeleteNeighbor needs an elevated token: otherwise DeleteIpNetEntry2 says
// ERROR_ACCESS_DENIED, which errors.Is(err, os.ErrPermission) recognises.
func (s *windowsSystem) DeleteNeighbor(ctx context.Context, n netstate.Neighbor) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if n.IfIndex <= 0 || !n.IP.IsValid() {
		return fmt.Errorf("delete neighbor %v dev %d: need an interface index and an address: %w", n.IP, n.IfIndex, windows.ERROR_INVALID_PARAMETER)
	}
	// The row is keyed by address and interface index (a zero LUID makes
	// Windows use the index); the other fields are ignored.
	var scope uint32
	if n.IP.IsLinkLocalUnicast() {
		scope = uint32(n.IfIndex)
	}
	row := windowsIPNetRow2{
		Address:        windowsSockaddrFrom(n.IP, scope),
		InterfaceIndex: uint32(n.IfIndex),
	}
	err := wincall.Call(winDeleteIpNetEntry2, uintptr(unsafe.Pointer(&row)))
	// ERROR_NOT_FOUND is documented for a missing interface, whose entries
	// are gone with it, and is what a missing row is expected to give too;
	// ERROR_FILE_NOT_FOUND is accepted as well because NSI-backed calls use
	// it for absent objects. Either way nothing is left to delete.
	// TODO(windows): confirm on a real machine which one a missing row gives.
	if err == nil || errors.Is(err, windows.ERROR_NOT_FOUND) || errors.Is(err, windows.ERROR_FILE_NOT_FOUND) {
		return nil
	}
	return fmt.Errorf("delete neighbor %s dev %s (DeleteIpNetEntry2): %w", n.IP, cmp.Or(n.IfName, strconv.Itoa(n.IfIndex)), err)
}

// SetLinkUp is unsupported: enabling an adapter disabled in Settings or
// with Disable-NetAdapter is a device (PnP) operation reached through WMI
// (MSFT_NetAdapter.Enable) or netsh, not the IP helper API. The legacy
// SetIfEntry only flips the IP interface's admin status, which does not
// bring back a disabled device, and such an adapter is not listed by
// GetAdaptersAddresses anyway.
func (s *windowsSystem) SetLinkUp(ctx context.Context, ifIndex int) error {
	return netstate.ErrUnsupported
}

// FlushDNSCache empties the DNS Client service's cache. It needs no
// elevation; it fails when the service (Dnscache) is stopped.
func (s *windowsSystem) FlushDNSCache(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := winDnsFlushResolverCache.Find(); err != nil {
		return fmt.Errorf("flush DNS cache: %w: %w", netstate.ErrUnsupported, err)
	}
	// BOOL DnsFlushResolverCache(void); the reason is in GetLastError.
	if ok, _, lastErr := winDnsFlushResolverCache.Call(); ok == 0 {
		if errno, isErrno := lastErr.(windows.Errno); isErrno && errno != 0 {
			return fmt.Errorf("flush DNS cache (DnsFlushResolverCache): %w", errno)
		}
		return errors.New("flush DNS cache (DnsFlushResolverCache): failed without an error code")
	}
	return nil
}

// ReapplyInterface is unsupported: Windows has no network manager with a
// "reapply" verb; renewing DHCP (IpRenewAddress) is a different repair.
func (s *windowsSystem) ReapplyInterface(ctx context.Context, ifName string) error {
	return netstate.ErrUnsupported
}
