//go:build linux

package sys

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/netguard/netguard/checks/internal/netnstest"
	"github.com/netguard/netguard/checks/netstate"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// labTables fills the namespace with what the OS layer must read alike:
// every link class, addresses of both families (one point-to-point),
// routes in several tables, of every type, multipath, with a preferred
// source, and neighbors of every kind (permanent, router, NOARP).
func labTables(t *testing.T) {
	// No IPv6 link-local addresses, hence no router solicitations or
	// neighbor entries appearing between the two reads compared. /proc/sys/net
	// is the namespace of the (locked) thread that opens it.
	for _, k := range []string{"default", "all"} {
		netnstest.Must(t, "addr_gen_mode", os.WriteFile("/proc/sys/net/ipv6/conf/"+k+"/addr_gen_mode", []byte("1"), 0o644))
	}
	lo, err := netlink.LinkByName("lo")
	netnstest.Must(t, "find lo", err)
	netnstest.Must(t, "lo up", netlink.LinkSetUp(lo))
	add := func(l netlink.Link) netlink.Link {
		netnstest.Must(t, "add link "+l.Attrs().Name, netlink.LinkAdd(l))
		netnstest.Must(t, "link up "+l.Attrs().Name, netlink.LinkSetUp(l))
		got, err := netlink.LinkByName(l.Attrs().Name)
		netnstest.Must(t, "find "+l.Attrs().Name, err)
		return got
	}
	mac := func(s string) net.HardwareAddr { m, _ := net.ParseMAC(s); return m }
	veth := add(&netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: "veth0", HardwareAddr: mac("02:00:00:00:00:01"), MTU: 1400}, PeerName: "veth1"})
	dummy := add(&netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: "veth2"}, PeerName: "veth3"})
	// The bridge stays down: up, it joins multicast groups and the
	// kernel adds NOARP neighbor entries for them while the test reads.
	br := &netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: "br0"}}
	netnstest.Must(t, "add bridge", netlink.LinkAdd(br))
	tun := add(&netlink.Tuntap{LinkAttrs: netlink.LinkAttrs{Name: "tun0"}, Mode: netlink.TUNTAP_MODE_TUN, Flags: netlink.TUNTAP_DEFAULTS | netlink.TUNTAP_NO_PI})
	// A TAP is not point-to-point: only its kind makes it a tunnel.
	add(&netlink.Tuntap{LinkAttrs: netlink.LinkAttrs{Name: "tap0"}, Mode: netlink.TUNTAP_MODE_TAP, Flags: netlink.TUNTAP_DEFAULTS | netlink.TUNTAP_NO_PI})
	for _, name := range []string{"veth1", "veth3"} {
		peer, err := netlink.LinkByName(name)
		netnstest.Must(t, "find "+name, err)
		netnstest.Must(t, name+" up", netlink.LinkSetUp(peer))
	}
	// Optional kinds whose modules may be missing: the comparison covers
	// them when the kernel has them.
	for _, l := range []netlink.Link{
		&netlink.Gretun{LinkAttrs: netlink.LinkAttrs{Name: "gre1"}, Local: net.ParseIP("192.0.2.10"), Remote: net.ParseIP("192.0.2.99")},
		&netlink.Ip6tnl{LinkAttrs: netlink.LinkAttrs{Name: "ip6t1"}, Local: net.ParseIP("2001:db8::10"), Remote: net.ParseIP("2001:db8::99")},
		&netlink.Wireguard{LinkAttrs: netlink.LinkAttrs{Name: "wg0"}},
		&netlink.Dummy{LinkAttrs: netlink.LinkAttrs{Name: "dummy0"}},
		&netlink.Vlan{LinkAttrs: netlink.LinkAttrs{Name: "veth0.7", ParentIndex: veth.Attrs().Index}, VlanId: 7},
		&netlink.Vxlan{LinkAttrs: netlink.LinkAttrs{Name: "vx0"}, VxlanId: 42, Port: 4789},
	} {
		if netlink.LinkAdd(l) == nil {
			_ = netlink.LinkSetUp(l)
		}
	}
	addr := func(l netlink.Link, a *netlink.Addr) {
		netnstest.Must(t, "add address "+a.IPNet.String(), netlink.AddrAdd(l, a))
	}
	addr(veth, &netlink.Addr{IPNet: netnstest.CIDR("198.51.100.1/24")})
	addr(veth, &netlink.Addr{IPNet: netnstest.CIDR("2001:db8:1::1/64"), Flags: unix.IFA_F_NODAD})
	addr(dummy, &netlink.Addr{IPNet: netnstest.CIDR("192.0.2.10/24")})
	addr(dummy, &netlink.Addr{IPNet: netnstest.CIDR("2001:db8::10/64"), Flags: unix.IFA_F_NODAD})
	// A peer prefix shorter than the local address: the local one reads
	// /32 (IFA_LOCAL), not the peer's /24.
	addr(tun, &netlink.Addr{IPNet: netnstest.CIDR("10.9.0.1/32"), Peer: netnstest.CIDR("10.9.1.0/24")})
	addr(br, &netlink.Addr{IPNet: netnstest.CIDR("172.17.0.1/16")})
	if vlan, err := netlink.LinkByName("veth0.7"); err == nil {
		addr(vlan, &netlink.Addr{IPNet: netnstest.CIDR("198.18.7.1/24")})
	}

	route := func(r *netlink.Route) {
		netnstest.Must(t, "add route "+r.String(), netlink.RouteAdd(r))
	}
	route(&netlink.Route{Dst: netnstest.CIDR("0.0.0.0/0"), Gw: net.ParseIP("198.51.100.2"), LinkIndex: veth.Attrs().Index, Priority: 100})
	route(&netlink.Route{Dst: netnstest.CIDR("0.0.0.0/0"), Gw: net.ParseIP("192.0.2.1"), LinkIndex: dummy.Attrs().Index, Table: 52, Src: net.ParseIP("192.0.2.10")})
	route(&netlink.Route{Dst: netnstest.CIDR("2001:db8:ffff::/48"), Gw: net.ParseIP("2001:db8:1::2"), LinkIndex: veth.Attrs().Index, Priority: 1024})
	route(&netlink.Route{Dst: netnstest.CIDR("203.0.113.0/24"), MultiPath: []*netlink.NexthopInfo{
		{LinkIndex: veth.Attrs().Index, Gw: net.ParseIP("198.51.100.2")},
		{LinkIndex: dummy.Attrs().Index, Gw: net.ParseIP("192.0.2.1")},
	}})
	route(&netlink.Route{Dst: netnstest.CIDR("198.18.1.0/24"), Type: unix.RTN_BLACKHOLE})
	route(&netlink.Route{Dst: netnstest.CIDR("198.18.2.0/24"), Type: unix.RTN_UNREACHABLE})
	route(&netlink.Route{Dst: netnstest.CIDR("198.18.3.0/24"), Type: unix.RTN_PROHIBIT})
	route(&netlink.Route{Dst: netnstest.CIDR("198.18.4.0/24"), Type: unix.RTN_THROW, Table: 100})
	route(&netlink.Route{Dst: netnstest.CIDR("10.10.0.0/16"), LinkIndex: tun.Attrs().Index, Scope: netlink.SCOPE_LINK})

	neigh := func(n *netlink.Neigh) {
		netnstest.Must(t, "add neighbor "+n.String(), netlink.NeighSet(n))
	}
	neigh(&netlink.Neigh{LinkIndex: veth.Attrs().Index, Family: netlink.FAMILY_V4, IP: net.ParseIP("198.51.100.2"), HardwareAddr: mac("02:00:00:00:00:02"), State: unix.NUD_PERMANENT})
	neigh(&netlink.Neigh{LinkIndex: veth.Attrs().Index, Family: netlink.FAMILY_V4, IP: net.ParseIP("198.51.100.3"), HardwareAddr: mac("02:00:00:00:00:03"), State: unix.NUD_STALE})
	neigh(&netlink.Neigh{LinkIndex: veth.Attrs().Index, Family: netlink.FAMILY_V6, IP: net.ParseIP("2001:db8:1::2"), HardwareAddr: mac("02:00:00:00:00:02"), State: unix.NUD_REACHABLE, Flags: unix.NTF_ROUTER})
	neigh(&netlink.Neigh{LinkIndex: dummy.Attrs().Index, Family: netlink.FAMILY_V4, IP: net.ParseIP("192.0.2.1"), HardwareAddr: mac("02:00:00:00:00:09"), State: unix.NUD_PERMANENT})
	defer settle(t)
	if l, err := netlink.LinkByName("ip6t1"); err == nil {
		// An ip6tnl neighbor's link-layer address is the 16-byte endpoint.
		_ = netlink.NeighSet(&netlink.Neigh{LinkIndex: l.Attrs().Index, Family: netlink.FAMILY_V6, IP: net.ParseIP("2001:db8:7::1"), HardwareAddr: net.HardwareAddr(net.ParseIP("2001:db8::99")), State: unix.NUD_PERMANENT})
	}
}

// settle waits (at most 3 s) until two neighbor dumps 100 ms apart agree:
// joining multicast groups makes the kernel add entries of its own for a
// moment after the links come up, and the reads compared must not race
// them.
func settle(t *testing.T) {
	prev, _ := libNeighbors()
	for range 30 {
		time.Sleep(100 * time.Millisecond)
		cur, err := libNeighbors()
		netnstest.Must(t, "dump neighbors", err)
		if reflect.DeepEqual(cur, prev) {
			return
		}
		prev = cur
	}
	t.Fatal("the neighbor table did not settle in 3 s")
}

// TestRtnlMatchesLibraryInNetns checks that the rtnetlink client returns
// exactly what the vishvananda/netlink library returns (libLinks and
// friends below, kept as the reference), on a namespace holding every kind
// of entry, and the same errnos for lookups.
func TestRtnlMatchesLibraryInNetns(t *testing.T) {
	netnstest.Run(t, func(t *testing.T) {
		labTables(t)
		ctx := context.Background()
		s := New()

		gotL, err := s.Links(ctx)
		netnstest.Must(t, "Links", err)
		wantL, err := libLinks()
		netnstest.Must(t, "library links", err)
		if !reflect.DeepEqual(gotL, wantL) {
			t.Errorf("Links differ:\n got  %+v\n want %+v", gotL, wantL)
		}
		for _, l := range gotL {
			t.Logf("link %d %s kind=%s tunnel=%v mac=%v addrs=%v", l.Index, l.Name, l.Kind, l.Tunnel, l.MAC, l.Addrs)
		}
		if len(gotL) < 6 {
			t.Errorf("only %d links read", len(gotL))
		}

		gotR, err := s.Routes(ctx)
		netnstest.Must(t, "Routes", err)
		wantR, err := libRoutes()
		netnstest.Must(t, "library routes", err)
		if !reflect.DeepEqual(gotR, wantR) {
			t.Errorf("Routes differ:\n got  %+v\n want %+v", gotR, wantR)
		}
		if len(gotR) < 12 {
			t.Errorf("only %d routes read", len(gotR))
		}

		gotN, err := s.Neighbors(ctx)
		netnstest.Must(t, "Neighbors", err)
		wantN, err := libNeighbors()
		netnstest.Must(t, "library neighbors", err)
		if !reflect.DeepEqual(gotN, wantN) {
			t.Errorf("Neighbors differ:\n got  %+v\n want %+v", gotN, wantN)
		}
		t.Logf("%d routes, %d neighbors: %+v", len(gotR), len(gotN), gotN)
		if len(gotN) < 4 {
			t.Errorf("only %d neighbors read", len(gotN))
		}

		for _, dst := range []string{"203.0.113.5", "198.51.100.3", "192.0.2.7", "10.10.1.1", "2001:db8:ffff::1", "::ffff:198.51.100.9",
			"198.18.1.1", "198.18.2.1", "198.18.3.1", "2001:db8:eeee::1", "127.0.0.1"} {
			a := netip.MustParseAddr(dst)
			got, gerr := s.RouteTo(ctx, a)
			want, werr := libRouteTo(a)
			if !reflect.DeepEqual(got, want) || fmt.Sprint(gerr) != fmt.Sprint(werr) {
				t.Errorf("RouteTo(%s) = %+v, %v; library %+v, %v", dst, got, gerr, want, werr)
			}
			var errno unix.Errno
			if errors.As(werr, &errno) && !errors.Is(gerr, errno) {
				t.Errorf("RouteTo(%s) error %v does not unwrap to %d", dst, gerr, errno)
			}
		}
		// The lookups that the diagnosis tells apart by errno.
		for dst, want := range map[string]unix.Errno{
			"198.18.1.1": unix.EINVAL, "198.18.2.1": unix.EHOSTUNREACH,
			"198.18.3.1": unix.EACCES, "2001:db8:eeee::1": unix.ENETUNREACH,
		} {
			if _, err := s.RouteTo(ctx, netip.MustParseAddr(dst)); !errors.Is(err, want) {
				t.Errorf("RouteTo(%s) = %v, want errno %v", dst, err, want)
			}
		}
	})
}

// What follows reads the tables through vishvananda/netlink, kept as the
// reference the rtnetlink client is compared with.

func libLinks() ([]netstate.Link, error) {
	links, err := netlink.LinkList()
	if err != nil {
		return nil, err
	}
	addrs, err := netlink.AddrList(nil, netlink.FAMILY_ALL)
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
	out := make([]netstate.Link, 0, len(links))
	for _, l := range links {
		a := l.Attrs()
		out = append(out, netstate.Link{
			Index:    a.Index,
			Name:     a.Name,
			MAC:      a.HardwareAddr,
			AdminUp:  a.Flags&net.FlagUp != 0,
			Carrier:  a.RawFlags&unix.IFF_LOWER_UP != 0,
			Loopback: a.Flags&net.FlagLoopback != 0,
			Tunnel:   libIsTunnel(l),
			Kind:     libLinkKind(l),
			MTU:      a.MTU,
			Addrs:    byIndex[a.Index],
		})
	}
	return out, nil
}

// libLinkKind and libIsTunnel classify with the production mapping over
// what the library read (the link's type and raw flags): what the
// comparison tests is that the rtnetlink parser reads the same type and
// flags, not a second copy of the table.
func libLinkKind(l netlink.Link) netstate.LinkKind {
	return linuxLinkKind(l.Type(), l.Attrs().RawFlags)
}

func libIsTunnel(l netlink.Link) bool { return isTunnel(l.Type(), l.Attrs().RawFlags) }

func libRoutes() ([]netstate.Route, error) {
	rs, err := netlink.RouteListFiltered(netlink.FAMILY_ALL, &netlink.Route{Table: unix.RT_TABLE_UNSPEC}, netlink.RT_FILTER_TABLE)
	if err != nil {
		return nil, err
	}
	var out []netstate.Route
	for _, r := range rs {
		if r.Table == unix.RT_TABLE_LOCAL {
			continue
		}
		t, ok := RouteTypeFromRTN(r.Type)
		if !ok {
			continue
		}
		out = append(out, libFromRoute(r, t)...)
	}
	return out, nil
}

func libFromRoute(r netlink.Route, t netstate.RouteType) []netstate.Route {
	base := netstate.Route{Dst: libPrefixOf(r.Dst, r.Family), Type: t, Metric: r.Priority, Table: r.Table}
	if src, ok := netip.AddrFromSlice(r.Src); ok {
		base.Src = src.Unmap()
	}
	if len(r.MultiPath) == 0 {
		base.IfIndex = r.LinkIndex
		if gw, ok := netip.AddrFromSlice(r.Gw); ok {
			base.Gateway = gw.Unmap()
		}
		return []netstate.Route{base}
	}
	var out []netstate.Route
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

func libPrefixOf(n *net.IPNet, family int) netip.Prefix {
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

func libRouteTo(dst netip.Addr) (netstate.Route, error) {
	rs, err := netlink.RouteGet(dst.AsSlice())
	if err != nil {
		return netstate.Route{}, fmt.Errorf("route lookup %s: %w", dst, err)
	}
	if len(rs) == 0 {
		return netstate.Route{}, fmt.Errorf("route lookup %s: %w", dst, unix.ENETUNREACH)
	}
	t, ok := RouteTypeFromRTN(rs[0].Type)
	if !ok {
		t = netstate.RouteUnicast
	}
	out := libFromRoute(rs[0], t)[0]
	out.Dst = netip.PrefixFrom(dst, dst.BitLen())
	return out, nil
}

func libNeighbors() ([]netstate.Neighbor, error) {
	ns, err := netlink.NeighList(0, netlink.FAMILY_ALL)
	if err != nil {
		return nil, err
	}
	out := make([]netstate.Neighbor, 0, len(ns))
	for _, n := range ns {
		ip, ok := netip.AddrFromSlice(n.IP)
		if !ok {
			continue
		}
		out = append(out, netstate.Neighbor{
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
