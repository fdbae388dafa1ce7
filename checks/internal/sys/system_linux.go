//go:build linux

package sys

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/netguard/netguard/checks"
	"github.com/netguard/netguard/checks/safepath"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// linuxSystem reads the kernel's tables over rtnetlink and procfs.
type linuxSystem struct{}

var _ checks.System = linuxSystem{}

// New returns the OS layer for this platform.
func New() checks.System { return linuxSystem{} }

// dumpRetries bounds retries of a dump the kernel interrupted because the
// table changed under it (NLM_F_DUMP_INTR): a partial dump must never be
// read as "entry absent".
const dumpRetries = 3

func retryDump[T any](op string, f func() ([]T, error)) ([]T, error) {
	var err error
	for range dumpRetries {
		var out []T
		out, err = f()
		if err == nil {
			return out, nil
		}
		if !errors.Is(err, netlink.ErrDumpInterrupted) {
			break
		}
	}
	return nil, fmt.Errorf("%s: %w", op, err)
}

func (linuxSystem) Links(ctx context.Context) ([]checks.Link, error) {
	links, err := retryDump("dump links", netlink.LinkList)
	if err != nil {
		return nil, err
	}
	addrs, err := retryDump("dump addresses", func() ([]netlink.Addr, error) {
		return netlink.AddrList(nil, netlink.FAMILY_ALL)
	})
	if err != nil {
		return nil, err
	}
	byIndex := map[int][]netip.Prefix{}
	for _, a := range addrs {
		if a.IPNet == nil {
			continue
		}
		ip, ok := netip.AddrFromSlice(a.IP)
		if !ok {
			continue
		}
		ones, _ := a.Mask.Size()
		byIndex[a.LinkIndex] = append(byIndex[a.LinkIndex], netip.PrefixFrom(ip.Unmap(), ones))
	}
	out := make([]checks.Link, 0, len(links))
	for _, l := range links {
		a := l.Attrs()
		out = append(out, checks.Link{
			Index:    a.Index,
			Name:     a.Name,
			MAC:      a.HardwareAddr,
			AdminUp:  a.Flags&net.FlagUp != 0,
			Carrier:  a.RawFlags&unix.IFF_LOWER_UP != 0,
			Loopback: a.Flags&net.FlagLoopback != 0,
			Tunnel:   isTunnel(l),
			Kind:     linuxLinkKind(l),
			MTU:      a.MTU,
			Addrs:    byIndex[a.Index],
		})
	}
	return out, nil
}

// linuxLinkKind maps the kernel's link kind (IFLA_INFO_KIND, which
// vishvananda reports as Type) to a LinkKind. A plain NIC has no kind
// ("device").
func linuxLinkKind(l netlink.Link) checks.LinkKind {
	switch {
	case l.Attrs().Flags&net.FlagLoopback != 0:
		return checks.LinkLoopback
	case isTunnel(l):
		return checks.LinkTunnel
	}
	switch l.Type() {
	case "bridge", "openvswitch":
		return checks.LinkBridge
	case "veth", "netkit":
		return checks.LinkVeth
	case "vxlan", "geneve", "gretap", "ip6gretap", "bareudp":
		return checks.LinkTunnel
	case "device", "bond", "team", "vlan", "macsec":
		return checks.LinkPhysical
	}
	return checks.LinkVirtual
}

func isTunnel(l netlink.Link) bool {
	switch l.Type() {
	case "tuntap", "wireguard", "ipip", "gre", "ip6tnl", "sit", "vti", "vti6", "ppp", "ip6gre", "xfrm":
		return true
	}
	return l.Attrs().Flags&net.FlagPointToPoint != 0
}

func (linuxSystem) Routes(ctx context.Context) ([]checks.Route, error) {
	// Every table, not just main: the default route can live in a table
	// chosen by policy routing (VPN clients, tailscale's table 52).
	rs, err := retryDump("dump routes", func() ([]netlink.Route, error) {
		return netlink.RouteListFiltered(netlink.FAMILY_ALL, &netlink.Route{Table: unix.RT_TABLE_UNSPEC}, netlink.RT_FILTER_TABLE)
	})
	if err != nil {
		return nil, err
	}
	out := make([]checks.Route, 0, len(rs))
	for _, r := range rs {
		if r.Table == unix.RT_TABLE_LOCAL {
			continue
		}
		t, ok := RouteTypeFromRTN(r.Type)
		if !ok {
			continue
		}
		out = append(out, fromNetlinkRoute(r, t)...)
	}
	return out, nil
}

// RouteTypeFromRTN maps a kernel route type (RTN_*) to a RouteType; false
// for the types checks ignore (local, broadcast, multicast, ...). Exported
// for the watcher, which decodes the same rtnetlink messages.
func RouteTypeFromRTN(t int) (checks.RouteType, bool) {
	switch t {
	case unix.RTN_UNICAST:
		return checks.RouteUnicast, true
	case unix.RTN_UNREACHABLE:
		return checks.RouteUnreachable, true
	case unix.RTN_PROHIBIT:
		return checks.RouteProhibit, true
	case unix.RTN_BLACKHOLE:
		return checks.RouteBlackhole, true
	case unix.RTN_THROW:
		return checks.RouteThrow, true
	}
	return 0, false
}

// fromNetlinkRoute flattens a multipath route into one Route per next hop.
// Interface names are left to the engine (nameInterfaces): looking them up
// here would cost a link dump per call.
func fromNetlinkRoute(r netlink.Route, t checks.RouteType) []checks.Route {
	base := checks.Route{
		Dst:    prefixOf(r.Dst, r.Family),
		Type:   t,
		Metric: r.Priority,
		Table:  r.Table,
	}
	if src, ok := netip.AddrFromSlice(r.Src); ok {
		base.Src = src.Unmap()
	}
	if len(r.MultiPath) == 0 {
		base.IfIndex = r.LinkIndex
		if gw, ok := netip.AddrFromSlice(r.Gw); ok {
			base.Gateway = gw.Unmap()
		}
		return []checks.Route{base}
	}
	out := make([]checks.Route, 0, len(r.MultiPath))
	for _, nh := range r.MultiPath {
		x := base
		x.IfIndex = nh.LinkIndex
		if gw, ok := netip.AddrFromSlice(nh.Gw); ok {
			x.Gateway = gw.Unmap()
		}
		out = append(out, x)
	}
	return out
}

func prefixOf(n *net.IPNet, family int) netip.Prefix {
	if n == nil {
		if family == unix.AF_INET6 {
			return netip.PrefixFrom(netip.IPv6Unspecified(), 0)
		}
		return netip.PrefixFrom(netip.IPv4Unspecified(), 0)
	}
	ip, _ := netip.AddrFromSlice(n.IP)
	ones, _ := n.Mask.Size()
	return netip.PrefixFrom(ip.Unmap(), ones)
}

func (linuxSystem) RouteTo(ctx context.Context, dst netip.Addr) (checks.Route, error) {
	rs, err := netlink.RouteGet(dst.AsSlice())
	if err != nil {
		return checks.Route{}, fmt.Errorf("route lookup %s: %w", dst, err)
	}
	if len(rs) == 0 {
		return checks.Route{}, fmt.Errorf("route lookup %s: %w", dst, unix.ENETUNREACH)
	}
	r := rs[0]
	t, ok := RouteTypeFromRTN(r.Type)
	if !ok {
		t = checks.RouteUnicast
	}
	out := fromNetlinkRoute(r, t)[0]
	out.Dst = netip.PrefixFrom(dst, dst.BitLen())
	return out, nil
}

func (linuxSystem) Neighbors(ctx context.Context) ([]checks.Neighbor, error) {
	ns, err := retryDump("dump neighbors", func() ([]netlink.Neigh, error) {
		return netlink.NeighList(0, netlink.FAMILY_ALL)
	})
	if err != nil {
		return nil, err
	}
	out := make([]checks.Neighbor, 0, len(ns))
	for _, n := range ns {
		ip, ok := netip.AddrFromSlice(n.IP)
		if !ok {
			continue
		}
		out = append(out, checks.Neighbor{
			IfIndex:   n.LinkIndex,
			IP:        ip.Unmap(),
			MAC:       n.HardwareAddr,
			State:     NeighStateFromNUD(n.State),
			Permanent: n.State&unix.NUD_PERMANENT != 0,
			Router:    n.Flags&unix.NTF_ROUTER != 0,
		})
	}
	return out, nil
}

// NeighStateFromNUD maps the kernel's NUD_* state bits to a NeighState.
// Exported for the watcher, which decodes the same rtnetlink messages.
func NeighStateFromNUD(s int) checks.NeighState {
	switch {
	case s&unix.NUD_PERMANENT != 0:
		return checks.NeighPermanent
	case s&unix.NUD_REACHABLE != 0:
		return checks.NeighReachable
	case s&unix.NUD_STALE != 0:
		return checks.NeighStale
	case s&unix.NUD_DELAY != 0:
		return checks.NeighDelay
	case s&unix.NUD_PROBE != 0:
		return checks.NeighProbe
	case s&unix.NUD_FAILED != 0:
		return checks.NeighFailed
	case s&unix.NUD_INCOMPLETE != 0:
		return checks.NeighIncomplete
	case s&unix.NUD_NOARP != 0:
		return checks.NeighNoARP
	}
	return checks.NeighUnknown
}

func (linuxSystem) Sockets(ctx context.Context) (checks.SocketStats, error) {
	return readLinuxSockets(ctx, procRoot)
}

func (linuxSystem) DeleteNeighbor(ctx context.Context, n checks.Neighbor) error {
	fam := netlink.FAMILY_V4
	if n.IP.Is6() {
		fam = netlink.FAMILY_V6
	}
	err := netlink.NeighDel(&netlink.Neigh{LinkIndex: n.IfIndex, IP: n.IP.AsSlice(), Family: fam})
	if err != nil && !errors.Is(err, unix.ENOENT) {
		return fmt.Errorf("delete neighbor %s dev %s: %w", n.IP, n.IfName, err)
	}
	return nil
}

// SetNeighbor puts back a permanent entry (the rollback of a deletion
// that verification did not confirm).
func (linuxSystem) SetNeighbor(ctx context.Context, n checks.Neighbor) error {
	fam := netlink.FAMILY_V4
	if n.IP.Is6() {
		fam = netlink.FAMILY_V6
	}
	err := netlink.NeighSet(&netlink.Neigh{LinkIndex: n.IfIndex, IP: n.IP.AsSlice(), HardwareAddr: n.MAC, Family: fam, State: unix.NUD_PERMANENT})
	if err != nil {
		return fmt.Errorf("restore neighbor %s dev %s: %w", n.IP, n.IfName, err)
	}
	return nil
}

func (linuxSystem) SetLinkUp(ctx context.Context, ifIndex int) error {
	l, err := netlink.LinkByIndex(ifIndex)
	if err != nil {
		return fmt.Errorf("find link %d: %w", ifIndex, err)
	}
	if l.Attrs().Flags&net.FlagUp != 0 {
		return nil // never bounce a link that is up
	}
	if err := netlink.LinkSetUp(l); err != nil {
		return fmt.Errorf("set link %s up: %w", l.Attrs().Name, err)
	}
	return nil
}

// FlushDNSCache flushes systemd-resolved's cache, the only common Linux
// resolver cache with a stable interface; without it there is no cache.
func (linuxSystem) FlushDNSCache(ctx context.Context) error {
	if _, err := os.Stat("/run/systemd/resolve"); err != nil {
		return checks.ErrUnsupported
	}
	return runFixed(ctx, "flush DNS cache", "resolvectl", "flush-caches")
}

// ReapplyInterface asks NetworkManager, else systemd-networkd, to apply the
// interface's configuration again, which neither bounces the link nor
// drops routes the manager does not own.
func (linuxSystem) ReapplyInterface(ctx context.Context, ifName string) error {
	if !checks.ValidIfName(ifName) {
		return fmt.Errorf("reapply interface: invalid interface name %q", ifName)
	}
	if _, err := os.Stat("/run/NetworkManager"); err == nil {
		return runFixed(ctx, "reapply "+ifName, "nmcli", "device", "reapply", ifName)
	}
	if _, err := os.Stat("/run/systemd/netif"); err == nil {
		return runFixed(ctx, "reconfigure "+ifName, "networkctl", "reconfigure", ifName)
	}
	return checks.ErrUnsupported
}

// fixedDirs are where runFixed looks for a program, in order. Never the
// caller's PATH: this runs as root under sudo, which keeps PATH unless the
// distribution set secure_path, so a PATH lookup would run whatever
// `networkctl` the user put first.
var fixedDirs = []string{"/usr/bin", "/bin", "/usr/sbin", "/sbin"}

// fixedEnv is the whole environment a program run as root gets.
var fixedEnv = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"}

// runFixed runs one fixed program with fixed arguments (never a shell
// string), from a root-owned absolute path with a clean environment, and
// wraps its failure with its output.
func runFixed(ctx context.Context, op, name string, args ...string) error {
	path := ""
	for _, d := range fixedDirs {
		p := filepath.Join(d, name)
		if _, err := os.Stat(p); err != nil {
			continue
		}
		if err := safepath.Check(p); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		path = p
		break
	}
	if path == "" {
		return checks.ErrUnsupported
	}
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = fixedEnv
	out, err := cmd.CombinedOutput()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return fmt.Errorf("%s: %s %v: %w: %s", op, name, args, err, trimOutput(out))
		}
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

func trimOutput(b []byte) string {
	const maxLen = 200
	s := string(b)
	if len(s) > maxLen {
		s = s[:maxLen] + "…"
	}
	return s
}
