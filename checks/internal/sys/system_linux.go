//go:build linux

package sys

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os/exec"
	"strings"

	"github.com/netguard/netguard/checks/internal/nlattr"
	"github.com/netguard/netguard/checks/netstate"
	"github.com/netguard/netguard/checks/safepath"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// linuxSystem reads the kernel's tables over one rtnetlink socket
// (rtnl_linux.go) and procfs.
type linuxSystem struct {
	nl *rtnl
}

var _ netstate.System = (*linuxSystem)(nil)

// New returns the OS layer for this platform. Its rtnetlink socket is
// opened on first use, in the calling thread's network namespace.
func New() netstate.System { return &linuxSystem{nl: newRtnl()} }

// dump runs one dump request (typ, with body as its fixed header) and
// hands each reply message to fn; a dump the kernel interrupted is read
// again from the start (reset), never returned partial.
func (s *linuxSystem) dump(ctx context.Context, op string, typ uint16, body []byte, want uint16, reset func(), fn func([]byte) error) error {
	if err := s.nl.request(ctx, typ, unix.NLM_F_DUMP, body, want, reset, fn); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// rtgenBody is the fixed header of a dump request for all families: the
// kernel reads only its first byte (the family, AF_UNSPEC), but rejects
// nothing longer, so one ifinfomsg-sized zero body serves every table.
var rtgenBody = make([]byte, unix.SizeofIfInfomsg)

func (s *linuxSystem) Links(ctx context.Context) ([]netstate.Link, error) {
	var out []netstate.Link
	err := s.dump(ctx, "dump links", unix.RTM_GETLINK, rtgenBody, unix.RTM_NEWLINK,
		func() { out = out[:0] },
		func(b []byte) error {
			l, err := parseLink(b)
			if err == nil {
				out = append(out, l)
			}
			return err
		})
	if err != nil {
		return nil, err
	}
	type addr struct {
		idx       int
		p         netip.Prefix
		dadFailed bool
	}
	var addrs []addr
	err = s.dump(ctx, "dump addresses", unix.RTM_GETADDR, rtgenBody[:unix.SizeofIfAddrmsg], unix.RTM_NEWADDR,
		func() { addrs = addrs[:0] },
		func(b []byte) error {
			idx, p, ok, err := parseAddr(b)
			if ok {
				addrs = append(addrs, addr{idx, p, addrDADFailed(b)})
			}
			return err
		})
	if err != nil {
		return nil, err
	}
	byIndex := map[int][]netip.Prefix{}
	dup := map[int][]netip.Addr{}
	for _, a := range addrs {
		byIndex[a.idx] = append(byIndex[a.idx], a.p)
		if a.dadFailed {
			dup[a.idx] = append(dup[a.idx], a.p.Addr())
		}
	}
	for i := range out {
		out[i].Addrs = byIndex[out[i].Index]
		out[i].DADFailed = dup[out[i].Index]
	}
	return out, nil
}

func (s *linuxSystem) Routes(ctx context.Context) ([]netstate.Route, error) {
	// Every table, not just main: the default route can live in a table
	// chosen by policy routing (VPN clients, tailscale's table 52).
	var out []netstate.Route
	err := s.dump(ctx, "dump routes", unix.RTM_GETROUTE, rtgenBody[:unix.SizeofRtMsg], unix.RTM_NEWROUTE,
		func() { out = out[:0] },
		func(b []byte) error {
			rs, keep, err := parseRoute(b, false)
			if keep {
				out = append(out, rs...)
			}
			return err
		})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// RouteTypeFromRTN maps a kernel route type (RTN_*) to a RouteType; false
// for the types checks ignore (local, broadcast, multicast, ...). Exported
// for the watcher, which decodes the same rtnetlink messages.
func RouteTypeFromRTN(t int) (netstate.RouteType, bool) {
	switch t {
	case unix.RTN_UNICAST:
		return netstate.RouteUnicast, true
	case unix.RTN_UNREACHABLE:
		return netstate.RouteUnreachable, true
	case unix.RTN_PROHIBIT:
		return netstate.RouteProhibit, true
	case unix.RTN_BLACKHOLE:
		return netstate.RouteBlackhole, true
	case unix.RTN_THROW:
		return netstate.RouteThrow, true
	}
	return 0, false
}

// RouteTo asks the kernel (RTM_GETROUTE with RTM_F_LOOKUP_TABLE, as `ip
// route get`). Interface names are left to the engine (nameInterfaces):
// looking them up here would cost a link dump per call.
func (s *linuxSystem) RouteTo(ctx context.Context, dst netip.Addr) (netstate.Route, error) {
	q := dst.Unmap() // a v4-mapped address is looked up as IPv4
	body := make([]byte, unix.SizeofRtMsg, unix.SizeofRtMsg+unix.SizeofRtAttr+16)
	body[0] = unix.AF_INET
	if q.Is6() {
		body[0] = unix.AF_INET6
	}
	body[1] = byte(q.BitLen())
	binary.NativeEndian.PutUint32(body[8:12], unix.RTM_F_LOOKUP_TABLE)
	body = nlattr.Append(body, unix.RTA_DST, q.AsSlice())
	var rs []netstate.Route
	err := s.nl.request(ctx, unix.RTM_GETROUTE, 0, body, unix.RTM_NEWROUTE,
		func() { rs = nil },
		func(b []byte) error {
			if rs != nil {
				return nil // the first answer is the route
			}
			r, _, err := parseRoute(b, true)
			rs = r
			return err
		})
	if err != nil {
		return netstate.Route{}, fmt.Errorf("route lookup %s: %w", dst, err)
	}
	if len(rs) == 0 {
		return netstate.Route{}, fmt.Errorf("route lookup %s: %w", dst, unix.ENETUNREACH)
	}
	out := rs[0]
	out.Dst = netip.PrefixFrom(dst, dst.BitLen())
	return out, nil
}

func (s *linuxSystem) Neighbors(ctx context.Context) ([]netstate.Neighbor, error) {
	var ms []neighMsg
	err := s.dump(ctx, "dump neighbors", unix.RTM_GETNEIGH, rtgenBody[:unix.SizeofNdMsg], unix.RTM_NEWNEIGH,
		func() { ms = ms[:0] },
		func(b []byte) error {
			// A malformed entry is skipped, as the library did.
			if m, ok, err := parseNeigh(b); err == nil && ok {
				ms = append(ms, m)
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	tunnel6 := map[int]bool{}
	out := make([]netstate.Neighbor, 0, len(ms))
	for _, m := range ms {
		if m.lladdr16 != nil {
			// 16 bytes: a FireWire MAC, or on an ip6tnl the tunnel's
			// remote endpoint, which the library then reported as the
			// entry's IP with no MAC. Rare: one link query per link.
			t6, seen := tunnel6[m.n.IfIndex]
			if !seen {
				t6 = s.isTunnel6(ctx, m.n.IfIndex)
				tunnel6[m.n.IfIndex] = t6
			}
			if t6 {
				if ip, ok := unmapped(m.lladdr16); ok {
					m.n.IP = ip
				}
				m.n.MAC = nil
			}
		}
		out = append(out, m.n)
	}
	return out, nil
}

// isTunnel6 reports whether link idx is an IPv6-in-IPv6 tunnel
// (ARPHRD_TUNNEL6); false when it cannot be told.
func (s *linuxSystem) isTunnel6(ctx context.Context, idx int) bool {
	body := make([]byte, unix.SizeofIfInfomsg)
	binary.NativeEndian.PutUint32(body[4:8], uint32(int32(idx)))
	t6 := false
	err := s.nl.request(ctx, unix.RTM_GETLINK, 0, body, unix.RTM_NEWLINK, nil, func(b []byte) error {
		if len(b) >= unix.SizeofIfInfomsg {
			t6 = binary.NativeEndian.Uint16(b[2:4]) == unix.ARPHRD_TUNNEL6
		}
		return nil
	})
	return err == nil && t6
}

// NeighStateFromNUD maps the kernel's NUD_* state bits to a NeighState.
// Exported for the watcher, which decodes the same rtnetlink messages.
func NeighStateFromNUD(s int) netstate.NeighState {
	switch {
	case s&unix.NUD_PERMANENT != 0:
		return netstate.NeighPermanent
	case s&unix.NUD_REACHABLE != 0:
		return netstate.NeighReachable
	case s&unix.NUD_STALE != 0:
		return netstate.NeighStale
	case s&unix.NUD_DELAY != 0:
		return netstate.NeighDelay
	case s&unix.NUD_PROBE != 0:
		return netstate.NeighProbe
	case s&unix.NUD_FAILED != 0:
		return netstate.NeighFailed
	case s&unix.NUD_INCOMPLETE != 0:
		return netstate.NeighIncomplete
	case s&unix.NUD_NOARP != 0:
		return netstate.NeighNoARP
	}
	return netstate.NeighUnknown
}

func (*linuxSystem) Sockets(ctx context.Context) (netstate.SocketStats, error) {
	return readLinuxSockets(ctx, procRoot)
}

func (*linuxSystem) DeleteNeighbor(ctx context.Context, n netstate.Neighbor) error {
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
func (*linuxSystem) SetNeighbor(ctx context.Context, n netstate.Neighbor) error {
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

func (*linuxSystem) SetLinkUp(ctx context.Context, ifIndex int) error {
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

var _ netstate.LinkDowner = (*linuxSystem)(nil)

// SetLinkDown takes an interface down: the undo of a SetLinkUp that did
// not help.
func (*linuxSystem) SetLinkDown(ctx context.Context, ifIndex int) error {
	l, err := netlink.LinkByIndex(ifIndex)
	if err != nil {
		return fmt.Errorf("find link %d: %w", ifIndex, err)
	}
	if err := netlink.LinkSetDown(l); err != nil {
		return fmt.Errorf("set link %s down: %w", l.Attrs().Name, err)
	}
	return nil
}

// FlushDNSCache flushes systemd-resolved's cache, the only common Linux
// resolver cache with a stable interface; without it in charge there is
// no cache to flush.
func (*linuxSystem) FlushDNSCache(ctx context.Context) error {
	if readManagers(managerRoot).InCharge&netstate.MgrResolved == 0 {
		return netstate.ErrUnsupported
	}
	return runFixed(ctx, "flush DNS cache", "resolvectl", "flush-caches")
}

// ReapplyInterface asks NetworkManager, else systemd-networkd, whichever
// is running, to apply the interface's configuration again, which neither
// bounces the link nor drops routes the manager does not own. Their state
// directories outlive them, so a directory alone says nothing.
func (*linuxSystem) ReapplyInterface(ctx context.Context, ifName string) error {
	if !netstate.ValidIfName(ifName) {
		return fmt.Errorf("reapply interface: invalid interface name %q", ifName)
	}
	ms := readManagers(managerRoot)
	if ms.InCharge&netstate.MgrNetworkManager != 0 {
		return runFixed(ctx, "reapply "+ifName, "nmcli", "device", "reapply", ifName)
	}
	if ms.InCharge&netstate.MgrNetworkd != 0 {
		return runFixed(ctx, "reconfigure "+ifName, "networkctl", "reconfigure", ifName)
	}
	return netstate.ErrUnsupported
}

// fixedEnv is the whole environment a program run as root gets.
var fixedEnv = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"}

// runFixed runs one fixed program with fixed arguments (never a shell
// string), from a root-owned system directory with a clean environment, and
// wraps its failure with its output.
func runFixed(ctx context.Context, op, name string, args ...string) error {
	// Never the caller's PATH: this runs as root under sudo, which keeps
	// PATH unless the distribution set secure_path.
	path, err := safepath.Find(name)
	switch {
	case errors.Is(err, safepath.ErrNotFound):
		return netstate.ErrUnsupported
	case err != nil:
		return fmt.Errorf("%s: %w", op, err)
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

// trimOutput is a program's output as one line of an error: surrounding
// space trimmed, lines joined with "; ", bounded.
func trimOutput(b []byte) string {
	const maxLen = 200
	s := strings.Join(strings.Fields(strings.ReplaceAll(strings.TrimSpace(string(b)), "\n", " ; ")), " ")
	s = strings.ReplaceAll(s, " ; ", "; ")
	if r := []rune(s); len(r) > maxLen {
		s = string(r[:maxLen]) + "…"
	}
	return s
}
