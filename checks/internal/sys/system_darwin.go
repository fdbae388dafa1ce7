//go:build darwin

package sys

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"github.com/netguard/netguard/checks/internal/xnu"
	"github.com/netguard/netguard/checks/netstate"
	"golang.org/x/net/route"
	"golang.org/x/sys/unix"
)

// darwinSystem is the macOS OS layer. Tables come from sysctl (NET_RT_DUMP,
// NET_RT_FLAGS, pcblist_n) and the routing socket, decoded by darwin_rib.go;
// the few mutations go through the routing socket and interface ioctls. No
// ping, arp, route, netstat or ifconfig: their output is localized, slow,
// and loses the errno.
type darwinSystem struct{}

var _ netstate.System = (*darwinSystem)(nil)

// The watcher polls the gateway entry: no notification covers it.
var _ netstate.NeighborLooker = (*darwinSystem)(nil)

// New returns the OS layer for this platform.
func New() netstate.System { return &darwinSystem{} }

// darwinTunnelPrefixes name virtual point-to-point devices a VPN owns:
// utun (WireGuard/Tailscale/IKEv2 apps), tun (OpenVPN), ppp (L2TP/PPTP),
// ipsec (built-in IPSec), wg (wireguard-go with a chosen name).
var darwinTunnelPrefixes = []string{"utun", "tun", "ppp", "ipsec", "wg"}

// darwinKindPrefixes are the interface families macOS names by driver:
// bridge (Internet Sharing, Docker Desktop, UTM, OrbStack's bridge100),
// vmenet/feth (a VM's or container's end of a virtual cable), and Apple's
// own software links (AirDrop awdl, llw, anpi, ap, gif, stf).
var darwinKindPrefixes = []struct {
	prefix string
	kind   netstate.LinkKind
}{
	{"bridge", netstate.LinkBridge},
	{"vmenet", netstate.LinkVeth}, {"feth", netstate.LinkVeth},
	{"gif", netstate.LinkTunnel}, {"stf", netstate.LinkTunnel},
	{"awdl", netstate.LinkVirtual}, {"llw", netstate.LinkVirtual}, {"anpi", netstate.LinkVirtual}, {"ap", netstate.LinkVirtual},
	{"en", netstate.LinkPhysical},
}

func darwinLinkKind(l netstate.Link) netstate.LinkKind {
	switch {
	case l.Loopback:
		return netstate.LinkLoopback
	case l.Tunnel:
		return netstate.LinkTunnel
	}
	for _, p := range darwinKindPrefixes {
		if strings.HasPrefix(l.Name, p.prefix) {
			return p.kind
		}
	}
	return netstate.LinkVirtual
}

func (*darwinSystem) Links(ctx context.Context) ([]netstate.Link, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, fmt.Errorf("list interfaces: %w", err)
	}
	links := make([]netstate.Link, 0, len(ifs))
	mediaFd, in6Fd := -1, -1
	defer func() {
		if mediaFd >= 0 {
			unix.Close(mediaFd)
		}
		if in6Fd >= 0 {
			unix.Close(in6Fd)
		}
	}()
	for _, ifi := range ifs {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("list interfaces: %w", err)
		}
		l := netstate.Link{
			Index:    ifi.Index,
			Name:     ifi.Name,
			MAC:      ifi.HardwareAddr,
			AdminUp:  ifi.Flags&net.FlagUp != 0,
			Carrier:  darwinMediaCarrier(&mediaFd, ifi.Name, ifi.Flags&net.FlagRunning != 0),
			Loopback: ifi.Flags&net.FlagLoopback != 0,
			Tunnel:   ifi.Flags&net.FlagPointToPoint != 0,
		}
		for _, p := range darwinTunnelPrefixes {
			l.Tunnel = l.Tunnel || strings.HasPrefix(ifi.Name, p)
		}
		l.Kind, l.MTU = darwinLinkKind(l), ifi.MTU
		addrs, err := ifi.Addrs()
		if err != nil {
			return nil, fmt.Errorf("addresses of %s: %w", ifi.Name, err)
		}
		for _, a := range addrs {
			ipn, ok := a.(*net.IPNet)
			if !ok {
				continue
			}
			ip, ok := netip.AddrFromSlice(ipn.IP)
			if !ok {
				continue
			}
			ones, _ := ipn.Mask.Size()
			l.Addrs = append(l.Addrs, netip.PrefixFrom(ip.Unmap(), ones))
			if ip.Is6() && !ip.Is4In6() && darwinDuplicated(&in6Fd, ifi.Name, ifi.Index, ip) {
				l.DADFailed = append(l.DADFailed, ip)
			}
		}
		links = append(links, l)
	}
	return links, nil
}

// darwinMediaCarrier asks SIOCGIFMEDIA for ifName's carrier, as ifconfig's
// "status: active/inactive" does (darwinCarrier decides). *fd is a datagram
// socket opened on first use and shared by one Links call; where it cannot
// be opened the IFF_RUNNING fallback stays.
func darwinMediaCarrier(fd *int, ifName string, running bool) bool {
	if *fd < 0 {
		s, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM, 0)
		if err != nil {
			return darwinCarrier(running, nil, err)
		}
		*fd = s
	}
	var ifmr [xnu.SizeofIfmediareq]byte
	copy(ifmr[:unix.IFNAMSIZ-1], ifName)
	err := xnu.Ioctl(*fd, xnu.SIOCGIFMEDIA, unsafe.Pointer(&ifmr[0]))
	return darwinCarrier(running, ifmr[:], err)
}

// darwinDuplicated asks SIOCGIFAFLAG_IN6 whether duplicate address
// detection found a (an address of ifName) in use elsewhere
// (IN6_IFF_DUPLICATED, which ifconfig prints as "duplicated"). *fd is an
// AF_INET6 datagram socket opened on first use and shared by one Links
// call; where the question cannot be asked, the address counts as fine.
func darwinDuplicated(fd *int, ifName string, ifIndex int, a netip.Addr) bool {
	if *fd < 0 {
		s, err := unix.Socket(unix.AF_INET6, unix.SOCK_DGRAM, 0)
		if err != nil {
			return false
		}
		*fd = s
	}
	var scope uint32
	if a.IsLinkLocalUnicast() {
		scope = uint32(ifIndex)
	}
	req := xnu.In6Ifreq(ifName, a, scope)
	if xnu.Ioctl(*fd, xnu.SIOCGIFAFLAG_IN6, unsafe.Pointer(&req[0])) != nil {
		return false
	}
	flags, err := xnu.In6IfreqFlags(req[:])
	return err == nil && flags&xnu.IN6IFFDuplicated != 0
}

// darwinIfNames maps interface indexes to names: routing messages carry
// only the index unless RTA_IFP was asked for.
func darwinIfNames() map[int]string {
	names := map[int]string{}
	if ifs, err := net.Interfaces(); err == nil {
		for _, ifi := range ifs {
			names[ifi.Index] = ifi.Name
		}
	}
	return names
}

var darwinFamilies = []struct {
	af   int
	name string
}{{unix.AF_INET, "IPv4"}, {unix.AF_INET6, "IPv6"}}

func (*darwinSystem) Routes(ctx context.Context) ([]netstate.Route, error) {
	var all []netstate.Route
	for _, f := range darwinFamilies {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("dump routes: %w", err)
		}
		// route.FetchRIB is only the sysctl (with the ENOMEM retry for a
		// table that grew between sizing and reading); parsing is ours.
		b, err := route.FetchRIB(f.af, route.RIBTypeRoute, 0)
		if err != nil {
			return nil, fmt.Errorf("dump %s routes: %w", f.name, err)
		}
		rs, err := darwinParseRoutes(b)
		if err != nil {
			return nil, fmt.Errorf("parse %s routes: %w", f.name, err)
		}
		all = append(all, rs...)
	}
	names := darwinIfNames()
	for i := range all {
		if all[i].IfName == "" {
			all[i].IfName = names[all[i].IfIndex]
		}
	}
	return all, nil
}

// RouteTo asks the kernel with RTM_GET, as route(8) get and traceroute's
// findsaddr do. The lookup itself never fails for a reject or blackhole
// route: the matched route comes back with that Type and a nil error (a
// connect() to it would get EHOSTUNREACH). ESRCH means no route matched at
// this instant (traceroute's "findsaddr: write: No such process").
func (*darwinSystem) RouteTo(ctx context.Context, dst netip.Addr) (netstate.Route, error) {
	// A zone (fe80::1%en0) scopes the lookup to that interface.
	ifIndex := 0
	if z := dst.Zone(); z != "" {
		if ifi, err := net.InterfaceByName(z); err == nil {
			ifIndex = ifi.Index
		} else if n, err := strconv.Atoi(z); err == nil {
			ifIndex = n
		}
	}
	m, err := darwinRouteRequest(ctx, xnu.RTMGet, xnu.RTFUp|xnu.RTFHost, ifIndex, ifIndex > 0, dst)
	if err != nil {
		return netstate.Route{}, fmt.Errorf("route get %s: %w", dst, err)
	}
	r, ok := darwinRoute(m, true)
	if !ok {
		return netstate.Route{}, fmt.Errorf("route get %s: reply names no destination", dst)
	}
	if r.IfName == "" {
		r.IfName = darwinIfNames()[r.IfIndex]
	}
	return r, nil
}

func (*darwinSystem) Neighbors(ctx context.Context) ([]netstate.Neighbor, error) {
	var all []netstate.Neighbor
	now := time.Now()
	for _, f := range darwinFamilies {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("dump neighbors: %w", err)
		}
		// NET_RT_FLAGS with RTF_LLINFO: the link-layer host entries of
		// this family, as arp -a and ndp -a read them.
		b, err := route.FetchRIB(f.af, route.RIBType(unix.NET_RT_FLAGS), unix.RTF_LLINFO)
		if err != nil {
			return nil, fmt.Errorf("dump %s neighbors: %w", f.name, err)
		}
		ns, err := darwinParseNeighbors(b, now)
		if err != nil {
			return nil, fmt.Errorf("parse %s neighbors: %w", f.name, err)
		}
		all = append(all, ns...)
	}
	names := darwinIfNames()
	for i := range all {
		if all[i].IfName == "" {
			all[i].IfName = names[all[i].IfIndex]
		}
	}
	darwinRefineND6(all)
	return all, nil
}

// darwinRefineND6 fills in NDP state, which lives outside the route (see
// darwinNeighbor), asking SIOCGNBRINFO_IN6 per entry as ndp -a does. Any
// user may ask. Where it fails the coarse state from the dump stays.
func darwinRefineND6(ns []netstate.Neighbor) {
	fd := -1
	for i := range ns {
		n := &ns[i]
		if !n.IP.Is6() || n.IfName == "" {
			continue
		}
		if fd < 0 {
			var err error
			if fd, err = unix.Socket(unix.AF_INET6, unix.SOCK_DGRAM, 0); err != nil {
				return
			}
			defer unix.Close(fd)
		}
		if st, rtr, exp, err := darwinND6Info(fd, n.IfName, n.IP); err == nil {
			darwinApplyND6(n, st, rtr, exp)
		}
	}
}

// darwinSIOCGNBRINFOIN6 is _IOWR('i', 78, struct in6_nbrinfo) for 64-bit
// processes: struct in6_nbrinfo { char ifname[16]; struct in6_addr addr;
// long asked; int isrouter; int state; int expire; } is 56 bytes, isrouter
// at 40, state at 44, expire at 48. x/sys/unix does not define it.
const darwinSIOCGNBRINFOIN6 = 0xc038694e

func darwinND6Info(fd int, ifName string, ip netip.Addr) (state, isRouter, expire int32, err error) {
	var nbi [56]byte
	copy(nbi[:unix.IFNAMSIZ-1], ifName)
	a := ip.As16() // no embedded scope: nd6_ioctl embeds ifname's index itself
	copy(nbi[16:32], a[:])
	if err := xnu.Ioctl(fd, darwinSIOCGNBRINFOIN6, unsafe.Pointer(&nbi[0])); err != nil {
		return 0, 0, 0, err
	}
	le := binary.LittleEndian
	return int32(le.Uint32(nbi[44:])), int32(le.Uint32(nbi[40:])), int32(le.Uint32(nbi[48:])), nil
}

// darwinProcName is a process's command name from its kinfo_proc, which
// any user may read (ps does); "" when the process is gone.
func darwinProcName(pid int) string {
	kp, err := unix.SysctlKinfoProc("kern.proc.pid", pid)
	if err != nil {
		return ""
	}
	c := kp.Proc.P_comm[:]
	if i := bytes.IndexByte(c, 0); i >= 0 {
		c = c[:i]
	}
	return string(c)
}

// darwinPortOwner finds the listener of a TCP port in pcblist_n: xsocket_n
// carries the owning pid (e_pid, else last_pid), so no libproc (cgo) is
// needed. A list macOS cut short may lack the listener: then the owner is
// not named, and the finding's steps name lsof.
func darwinPortOwner(port uint16) (netstate.PortOwner, error) {
	b, err := darwinSysctlRaw("net.inet.tcp.pcblist_n")
	if err != nil {
		return netstate.PortOwner{}, fmt.Errorf("read TCP sockets: %w", err)
	}
	ps, err := darwinParsePcblist(b, 6, 0, 0)
	pid := ps.Listeners[int(port)]
	if pid == 0 {
		if err == nil {
			err = fmt.Errorf("no listener on port %d in the socket list", port)
		}
		return netstate.PortOwner{}, fmt.Errorf("owner of port %d: %w (lsof -nP -iTCP:%d -sTCP:LISTEN names it)", port, err, port)
	}
	return netstate.PortOwner{PID: pid, Name: darwinProcName(pid)}, nil
}

func (*darwinSystem) Sockets(ctx context.Context) (netstate.SocketStats, error) {
	var st netstate.SocketStats
	lo, err1 := unix.SysctlUint32("net.inet.ip.portrange.first")
	hi, err2 := unix.SysctlUint32("net.inet.ip.portrange.last")
	if err := errors.Join(err1, err2); err != nil {
		st.Unknown = append(st.Unknown, "ephemeral port range: sysctl net.inet.ip.portrange: "+err.Error())
	} else {
		st.EphemeralLow, st.EphemeralHigh = int(lo), int(hi)
	}

	byPID := map[int]int{}
	for _, p := range []struct {
		mib    string
		proto  int
		fields string
	}{
		{"net.inet.tcp.pcblist_n", 6, "TCP sockets, TIME_WAIT and ephemeral ports"},
		{"net.inet.udp.pcblist_n", 17, "UDP sockets and ephemeral ports"},
	} {
		if err := ctx.Err(); err != nil {
			return st, fmt.Errorf("read sockets: %w", err)
		}
		b, err := darwinSysctlRaw(p.mib)
		var ps darwinPcbStats
		if err == nil {
			ps, err = darwinParsePcblist(b, p.proto, st.EphemeralLow, st.EphemeralHigh)
		}
		if err != nil {
			st.Unknown = append(st.Unknown, p.fields+": "+err.Error())
			// Zero counts from a list we could not read, or that macOS
			// cut short (errDarwinPcblistShort), would read "0 in use".
			st.PortsUnknown = cmp.Or(st.PortsUnknown, p.fields+": "+err.Error())
			continue
		}
		if p.proto == 6 {
			st.TCPSockets, st.TCPEphemeralInUse, st.TCPTimeWait = ps.Sockets, ps.EphemeralInUse, ps.TimeWait
		} else {
			st.UDPSockets, st.UDPEphemeralInUse = ps.Sockets, ps.EphemeralInUse
		}
		for pid, n := range ps.ByPID {
			byPID[pid] += n
		}
	}
	for pid, n := range byPID {
		if n > st.TopProcessSockets || n == st.TopProcessSockets && pid < st.TopProcessPID {
			st.TopProcessPID, st.TopProcessSockets = pid, n
		}
	}
	if st.TopProcessPID > 0 {
		st.TopProcess = darwinProcName(st.TopProcessPID)
	}

	// Go raises its own soft RLIMIT_NOFILE to the hard limit at start-up
	// and restores the original one in children it execs, so this is our
	// limit, which may be above what `guard run`'s child gets.
	var rl unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &rl); err == nil {
		st.OpenFilesLimit = int(min(rl.Cur, math.MaxInt))
	} else {
		st.Unknown = append(st.Unknown, "open-file limit: getrlimit: "+err.Error())
	}
	// fdesc lists our descriptors, the one reading it included.
	if ents, err := os.ReadDir("/dev/fd"); err == nil {
		st.OpenFiles = max(len(ents)-1, 0)
	} else {
		st.Unknown = append(st.Unknown, "open files: "+err.Error())
	}
	nf, err1 := unix.SysctlUint32("kern.num_files")
	mf, err2 := unix.SysctlUint32("kern.maxfiles")
	if err := errors.Join(err1, err2); err != nil {
		st.Unknown = append(st.Unknown, "system files: sysctl kern.num_files/kern.maxfiles: "+err.Error())
	} else {
		st.SystemFiles, st.SystemFilesMax = int(nf), int(mf)
	}
	return st, nil
}

// darwinSysctlRaw reads a variable-size sysctl, retrying when it grew
// between sizing and reading (ENOMEM), as netstat users see under churn.
func darwinSysctlRaw(name string) ([]byte, error) {
	for try := 1; ; try++ {
		b, err := unix.SysctlRaw(name)
		if errors.Is(err, unix.ENOMEM) && try < 3 {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("sysctl %s: %w", name, err)
		}
		return b, nil
	}
}

// DeleteNeighbor removes the ARP/NDP entry for n.IP on n.IfIndex with
// RTM_DELETE, never a flush: `arp -d -a` cannot remove what is wrong
// (static entries survive it) and `route flush` takes the default route
// with it.
//
// An RTM_DELETE removes whatever route has that key, so each copy is first
// looked up with RTM_GET and deleted only if it is a link-layer host entry
// for exactly this IP on this interface (arp(8) checks the same): a host
// route to the gateway is never touched. macOS keeps an RTF_IFSCOPE copy
// per interface and may also hold an unscoped one on the same interface; a
// Neighbor cannot tell those two apart, so both are removed here, at most
// one of each kind, and never a copy on another interface.
func (*darwinSystem) DeleteNeighbor(ctx context.Context, n netstate.Neighbor) error {
	ip := n.IP.WithZone("").Unmap()
	name := n.IfName
	if name == "" {
		name = strconv.Itoa(n.IfIndex)
	}
	if !ip.IsValid() || n.IfIndex <= 0 {
		return fmt.Errorf("delete neighbor %s dev %s: %w", ip, name, unix.EINVAL)
	}
	var done [2]bool // by kind: unscoped, scoped
	for _, scoped := range []bool{true, false, true} {
		m, err := darwinRouteRequest(ctx, xnu.RTMGet, xnu.RTFUp|xnu.RTFHost, n.IfIndex, scoped, ip)
		if errors.Is(err, unix.ESRCH) {
			continue
		}
		if err != nil {
			return fmt.Errorf("delete neighbor %s dev %s: look up: %w", ip, name, err)
		}
		e, ok := darwinNeighbor(m, time.Now())
		kind := 0
		if m.Flags&xnu.RTFIfScope != 0 {
			kind = 1
		}
		if !ok || e.IP != ip || e.IfIndex != n.IfIndex || done[kind] {
			continue
		}
		_, err = darwinRouteRequest(ctx, xnu.RTMDelete, xnu.RTFHost|xnu.RTFLLInfo, n.IfIndex, kind == 1, ip)
		if err != nil && !errors.Is(err, unix.ESRCH) { // ESRCH: gone meanwhile
			return fmt.Errorf("delete neighbor %s dev %s: %w", ip, name, err)
		}
		done[kind] = true
	}
	return nil
}

// LookupNeighbor reads the one ARP/NDP entry for ip on ifIndex with RTM_GET
// (no dump), first scoped to the interface, then unscoped, as
// DeleteNeighbor finds copies: the watcher's gateway poll
// (watch.NeighborLooker), since XNU announces no resolution, refresh or
// expiry of an entry. found is false when what the kernel matches is not a
// link-layer entry for exactly ip on ifIndex (no entry: the subnet route
// answers). RTM_GET reads; it never creates an entry.
func (*darwinSystem) LookupNeighbor(ctx context.Context, ifIndex int, ip netip.Addr) (netstate.Neighbor, bool, error) {
	ip = ip.WithZone("").Unmap()
	for _, scoped := range []bool{true, false} {
		m, err := darwinRouteRequest(ctx, xnu.RTMGet, xnu.RTFUp|xnu.RTFHost, ifIndex, scoped, ip)
		if errors.Is(err, unix.ESRCH) {
			continue
		}
		if err != nil {
			return netstate.Neighbor{}, false, fmt.Errorf("look up neighbor %s dev %d: %w", ip, ifIndex, err)
		}
		n, ok := darwinNeighbor(m, time.Now())
		if !ok || n.IP != ip || n.IfIndex != ifIndex {
			continue
		}
		if n.IfName == "" && m.Ifp != nil {
			n.IfName = m.Ifp.Name
		}
		ns := []netstate.Neighbor{n}
		darwinRefineND6(ns)
		return ns[0], true, nil
	}
	return netstate.Neighbor{}, false, nil
}

var darwinRtmSeq atomic.Int32

// darwinRouteRequest sends one request (darwinBuildRtMsg) on a fresh
// routing socket and, for RTM_GET, returns the kernel's reply to it, matched
// by our pid and sequence number. Errors keep the errno: the
// write itself fails with ESRCH (no match), EPERM (RTM_DELETE unprivileged),
// EINVAL. The socket is bound to ctx through a deadline, so a reply that
// never comes cannot hang a check.
func darwinRouteRequest(ctx context.Context, typ uint8, flags uint32, ifIndex int, scoped bool, dst netip.Addr) (darwinRtMsg, error) {
	dst = dst.Unmap()
	af := unix.AF_INET6
	if dst.Is4() {
		af = unix.AF_INET
	}
	// The protocol argument filters the socket to this family's messages,
	// fewer to skip while waiting for our reply.
	syscall.ForkLock.RLock()
	fd, err := unix.Socket(unix.AF_ROUTE, unix.SOCK_RAW, af)
	if err == nil {
		unix.CloseOnExec(fd)
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return darwinRtMsg{}, fmt.Errorf("routing socket: %w", err)
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return darwinRtMsg{}, fmt.Errorf("routing socket: %w", err)
	}
	// A non-blocking fd handed to os.NewFile joins the runtime poller, so
	// deadlines work on it.
	f := os.NewFile(uintptr(fd), "route")
	defer f.Close()
	if d, ok := ctx.Deadline(); ok {
		_ = f.SetDeadline(d)
	}
	defer context.AfterFunc(ctx, func() { _ = f.SetDeadline(time.Unix(1, 0)) })()

	seq := darwinRtmSeq.Add(1)
	if _, err := f.Write(darwinBuildRtMsg(typ, flags, ifIndex, scoped, seq, dst)); err != nil {
		return darwinRtMsg{}, darwinSockErr(ctx, err)
	}
	if typ != xnu.RTMGet {
		return darwinRtMsg{}, nil // the write's result is the answer
	}
	pid := int32(os.Getpid())
	buf := make([]byte, 2048)
	for {
		n, err := f.Read(buf)
		if err != nil {
			return darwinRtMsg{}, darwinSockErr(ctx, err)
		}
		if m, ok, err := darwinReply(buf[:n], typ, pid, seq); ok {
			return m, err
		}
	}
}

// darwinSockErr unwraps os.File's PathError to the errno, and reports a
// deadline the context set as the context's error.
func darwinSockErr(ctx context.Context, err error) error {
	if errors.Is(err, os.ErrDeadlineExceeded) && ctx.Err() != nil {
		return ctx.Err()
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}

// SetLinkUp sets IFF_UP with SIOCSIFFLAGS, as `ifconfig IF up` does, and
// only when the flag is clear: an interface that is up is never written to.
func (*darwinSystem) SetLinkUp(ctx context.Context, ifIndex int) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("set link %d up: %w", ifIndex, err)
	}
	ifi, err := net.InterfaceByIndex(ifIndex)
	if err != nil {
		return fmt.Errorf("set link %d up: %w", ifIndex, err)
	}
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM, 0)
	if err != nil {
		return fmt.Errorf("set link %s up: socket: %w", ifi.Name, err)
	}
	defer unix.Close(fd)
	// struct ifreq: char ifr_name[16], then a union whose short ifru_flags
	// is at offset 16; 32 bytes in all (the size SIOC[GS]IFFLAGS encode).
	var ifr [32]byte
	copy(ifr[:unix.IFNAMSIZ-1], ifi.Name)
	if err := xnu.Ioctl(fd, unix.SIOCGIFFLAGS, unsafe.Pointer(&ifr[0])); err != nil {
		return fmt.Errorf("set link %s up: get flags: %w", ifi.Name, err)
	}
	flags := binary.LittleEndian.Uint16(ifr[16:])
	if flags&unix.IFF_UP != 0 {
		return nil
	}
	binary.LittleEndian.PutUint16(ifr[16:], flags|unix.IFF_UP)
	if err := xnu.Ioctl(fd, unix.SIOCSIFFLAGS, unsafe.Pointer(&ifr[0])); err != nil {
		return fmt.Errorf("set link %s up: %w", ifi.Name, err)
	}
	return nil
}

// darwinFlushDNS are fixed commands with absolute paths, never a shell
// string: the documented way to empty the macOS resolver caches
// (Directory Services, then mDNSResponder on SIGHUP).
var darwinFlushDNS = [][]string{
	{"/usr/bin/dscacheutil", "-flushcache"},
	{"/usr/bin/killall", "-HUP", "mDNSResponder"},
}

func (*darwinSystem) FlushDNSCache(ctx context.Context) error {
	if os.Geteuid() != 0 {
		// mDNSResponder runs as _mdnsresponder: only root may signal it,
		// and killall would say so only in text. Fail with the errno the
		// engine escalates on, before flushing half the caches.
		return fmt.Errorf("flush DNS cache: signal mDNSResponder: %w", unix.EPERM)
	}
	for _, c := range darwinFlushDNS {
		out, err := exec.CommandContext(ctx, c[0], c[1:]...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("flush DNS cache: %s: %w: %s", strings.Join(c, " "), err, bytes.TrimSpace(out))
		}
	}
	return nil
}

// ReapplyInterface is unsupported: configd offers no command that applies
// one network service's configuration again without changing or bouncing
// it. `ipconfig set IF DHCP` replaces a manual configuration with DHCP, and
// `networksetup -setnetworkserviceenabled SERVICE off/on` takes a working
// link down, which the repair ladder must never do. The manual steps
// (System Settings › Network › Details › Renew DHCP Lease) cover it.
func (*darwinSystem) ReapplyInterface(_ context.Context, ifName string) error {
	return fmt.Errorf("reapply %s: %w", ifName, netstate.ErrUnsupported)
}
