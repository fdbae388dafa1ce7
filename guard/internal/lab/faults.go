//go:build linux

package lab

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Faults. Each breaks the lab with the kernel's own tables, sysctls,
// nftables or by stopping a server, and fails the test if it cannot. They
// may be combined. nftables faults live in the router, each in its own
// table ("inet nglab_<name>"), so they never touch the client's tables: a
// Snapshot of the client shows only what the fault itself changed there.

// WrongGatewayMAC replaces the client's neighbor entries for the gateway
// (IPv4 and IPv6) by PERMANENT entries with WrongMAC. Frames to the gateway
// then go to a MAC nobody has: the gateway and everything behind it are
// unreachable, and `ip neigh flush` does not remove the entries.
func (l *Lab) WrongGatewayMAC() {
	l.t.Helper()
	l.mustIP(l.Client, "-batch", "-",
		"neigh replace "+GatewayIP+" lladdr "+WrongMAC+" dev "+l.ClientIf+" nud permanent\n"+
			"neigh replace "+GatewayIP6+" lladdr "+WrongMAC+" dev "+l.ClientIf+" nud permanent\n")
}

// StaleGatewayMAC changes the router's LAN MAC from GatewayMAC to
// NewGatewayMAC (as a replaced router or NIC does) while the client keeps
// dynamic REACHABLE entries (both families) for the old MAC. Until the
// kernel notices (REACHABLE lasts 15-45 s, then STALE, DELAY 5 s and three
// failed unicast probes, then a fresh broadcast resolution), the gateway
// is unreachable with a complete, non-permanent entry: the case a narrow
// neighbor delete repairs.
func (l *Lab) StaleGatewayMAC() {
	l.t.Helper()
	l.mustIP(l.Router, "link", "set", "dev", l.RouterLANIf, "address", NewGatewayMAC)
	l.mustIP(l.Client, "-batch", "-",
		"neigh replace "+GatewayIP+" lladdr "+GatewayMAC+" dev "+l.ClientIf+" nud reachable\n"+
			"neigh replace "+GatewayIP6+" lladdr "+GatewayMAC+" dev "+l.ClientIf+" nud reachable router\n")
}

// UnreachableRouteToGateway adds unreachable host routes for the gateway
// (198.18.3.1/32 and 2001:db8:3::1/128) in the client. Traffic to the
// gateway itself fails with EHOSTUNREACH; the default route's next hop is
// still resolved on the link, so the internet and DNS keep working.
func (l *Lab) UnreachableRouteToGateway() {
	l.t.Helper()
	l.mustIP(l.Client, "-batch", "-",
		"route add unreachable "+GatewayIP+"/32\n"+
			"route add unreachable "+GatewayIP6+"/128\n")
}

// RemoveDefaultRoute deletes the client's default routes of both families.
func (l *Lab) RemoveDefaultRoute() {
	l.t.Helper()
	l.mustIP(l.Client, "-batch", "-", "route del 0.0.0.0/0\nroute del ::/0\n")
}

// LinkDown sets the client's veth administratively down. The kernel drops
// the routes through it (and its IPv6 addresses); the IPv4 address stays.
func (l *Lab) LinkDown() {
	l.t.Helper()
	l.mustIP(l.Client, "link", "set", "dev", l.ClientIf, "down")
}

// StopDNS stops the lab's DNS server. Queries to it are then refused (ICMP
// port unreachable for UDP, RST for TCP): the host answers, names fail.
func (l *Lab) StopDNS() {
	l.t.Helper()
	if l.cfg.noDNS {
		return
	}
	if err := l.stopDNS(); err != nil {
		l.t.Fatalf("lab %s: stop dnsmasq: %v", l.Prefix, err)
	}
}

// StartDNS starts the lab's DNS server again after StopDNS (or for a lab
// built WithoutDNS). It returns without waiting for the server to answer.
func (l *Lab) StartDNS() {
	l.t.Helper()
	l.startDNS()
}

// DisableUnprivICMP sets the client's net.ipv4.ping_group_range to "1 0"
// (a fresh namespace's default): unprivileged ICMP echo sockets then fail
// with EACCES, while root's raw sockets still work.
func (l *Lab) DisableUnprivICMP() {
	l.t.Helper()
	l.sysctl(l.Client, "net/ipv4/ping_group_range", "1 0")
}

// DropICMP makes the router silently drop ICMP and ICMPv6 echo requests
// addressed to it or forwarded through it. Neighbor discovery and ICMP
// errors still pass; TCP and DNS keep working.
func (l *Lab) DropICMP() {
	l.t.Helper()
	const match = "icmp type echo-request drop; icmpv6 type echo-request drop;"
	l.nft(l.Router, routerTable("icmp", match, match, ""))
}

// DropTCP makes the router silently drop every TCP segment addressed to it
// or forwarded through it (no RST): TCP probes time out. ICMP and UDP (so
// DNS over UDP) keep working.
func (l *Lab) DropTCP() {
	l.t.Helper()
	const match = "meta l4proto tcp drop;"
	l.nft(l.Router, routerTable("tcp", match, match, ""))
}

// PacketLoss makes the router drop pct percent of the packets it sends
// out of its LAN interface (towards the client), chosen at random: the
// egress loss of `tc qdisc add dev <lan> root netem loss pct%`, done with
// nftables (numgen random) because kernels without sch_netem are common
// in CI sandboxes. ARP is not affected (nftables' inet family does not see
// it); ICMPv6 neighbor discovery is, as with netem.
func (l *Lab) PacketLoss(pct int) {
	l.t.Helper()
	if pct < 0 || pct > 100 {
		l.t.Fatalf("lab %s: PacketLoss(%d): want 0..100", l.Prefix, pct)
	}
	var match string
	switch pct {
	case 0:
		return
	case 100:
		match = fmt.Sprintf("oifname %q drop;", l.RouterLANIf)
	default:
		match = fmt.Sprintf("oifname %q numgen random mod 100 < %d drop;", l.RouterLANIf, pct)
	}
	l.nft(l.Router, routerTable("loss", "", match, match))
}

// BlackholeExternal adds blackhole host routes in the client for the
// external host (203.0.113.5/32, 2001:db8:113::5/128), which is also the
// DNS server: the gateway answers, the internet and names do not.
func (l *Lab) BlackholeExternal() {
	l.t.Helper()
	l.mustIP(l.Client, "-batch", "-",
		"route add blackhole "+ExternalIP+"/32\n"+
			"route add blackhole "+ExternalIP6+"/128\n")
}

// routerTable is an nftables table "inet nglab_<name>" with one base chain
// per non-empty rule set: input, forward and output hooks.
func routerTable(name, input, forward, output string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "table inet nglab_%s {\n", name)
	for _, c := range []struct{ hook, rules string }{
		{"input", input}, {"forward", forward}, {"output", output},
	} {
		if c.rules == "" {
			continue
		}
		fmt.Fprintf(&b, "\tchain lab_%s { type filter hook %s priority 0; policy accept; %s }\n", c.hook, c.hook, c.rules)
	}
	b.WriteString("}\n")
	return b.String()
}

// Path faults: the client's tables send what the start
// needs somewhere else, or the path upstream loses it.

// BridgeIf and BridgePortIf are the names of the bridge AddBridge creates
// in the client and of the veth end plugged into it.
func (l *Lab) BridgeIf() string     { return l.Prefix + "-br" }
func (l *Lab) BridgePortIf() string { return l.Prefix + "-v0" }

// AddBridge creates a bridge in the client with address addr (a prefix,
// as "198.18.3.14/28"), as Docker, kind or libvirt do, with one veth
// plugged in and up so the bridge has carrier, as with a running
// container. The kernel then sends everything in addr's subnet into the
// bridge instead of the default route's interface.
func (l *Lab) AddBridge(addr string) {
	l.t.Helper()
	br, v0, v1 := l.BridgeIf(), l.BridgePortIf(), l.Prefix+"-v1"
	l.mustIP(l.Client, "-batch", "-", strings.Join([]string{
		"link add name " + br + " type bridge",
		"link add name " + v0 + " type veth peer name " + v1,
		"link set " + v0 + " master " + br,
		"addr add " + addr + " dev " + br,
		"link set " + v1 + " up",
		"link set " + v0 + " up",
		"link set " + br + " up",
	}, "\n")+"\n")
}

// BridgeCoversGateway adds a bridge whose subnet (198.18.3.0/28) is more
// specific than the LAN's and holds the gateway: traffic to the gateway
// itself goes into the bridge, while the default route still resolves its
// next hop on the LAN interface, so the internet and DNS keep working.
func (l *Lab) BridgeCoversGateway() { l.AddBridge("198.18.3.14/28") }

// BridgeCoversExternal adds a bridge on 203.0.113.0/24, which holds the
// external host and the name server: nothing the start needs reaches the
// internet, and the kernel's route lookup shows why.
func (l *Lab) BridgeCoversExternal() { l.AddBridge("203.0.113.1/24") }

// The second uplink's addresses (SecondUplink).
const (
	Gateway2IP  = "198.18.4.1"
	Client2IP   = "198.18.4.2"
	Gateway2IP6 = "2001:db8:4::1"
	Client2IP6  = "2001:db8:4::2"
)

// SecondUplinkIf is the client's interface of the second uplink.
func (l *Lab) SecondUplinkIf() string { return l.Prefix + "-c1" }

// SecondUplink adds a second link between the client and the router
// (198.18.4.0/24, 2001:db8:4::/64) with default routes of metric 600 in
// the client, as Wi-Fi beside a docked Ethernet; the lab's first default
// routes get metric 100 and stay preferred.
func (l *Lab) SecondUplink() {
	l.t.Helper()
	c1, r2 := l.SecondUplinkIf(), l.Prefix+"-r2"
	l.mustIP("", "link", "add", "name", c1, "netns", l.Client, "index", "15", "type", "veth", "peer", "name", r2, "netns", l.Router, "index", "16")
	l.mustIP(l.Router, "-batch", "-", strings.Join([]string{
		"addr add " + Gateway2IP + "/24 dev " + r2,
		"addr add " + Gateway2IP6 + "/64 dev " + r2 + " nodad",
		"link set " + r2 + " up",
	}, "\n")+"\n")
	l.mustIP(l.Client, "-batch", "-", strings.Join([]string{
		"addr add " + Client2IP + "/24 dev " + c1,
		"addr add " + Client2IP6 + "/64 dev " + c1 + " nodad",
		"link set " + c1 + " up",
		"route replace default via " + GatewayIP + " dev " + l.ClientIf + " metric 100",
		"route del default via " + GatewayIP + " dev " + l.ClientIf + " metric 0",
		"route replace ::/0 via " + GatewayIP6 + " dev " + l.ClientIf + " metric 100",
		"route del ::/0 via " + GatewayIP6 + " dev " + l.ClientIf + " metric 1024",
		"route add default via " + Gateway2IP + " dev " + c1 + " metric 600",
		"route add ::/0 via " + Gateway2IP6 + " dev " + c1 + " metric 600",
	}, "\n")+"\n")
	// Resolve the second gateway now, as traffic on a used uplink has:
	// a snapshot taken after this must not see the entries appear.
	const ready = `n=0; while [ $n -lt 50 ]; do n=$((n+1)); ping -n -q -c1 -W1 -I "$1" "$2" >/dev/null 2>&1 && ping -n -q -c1 -W1 -I "$1" "$3" >/dev/null 2>&1 && exit 0; sleep 0.05; done; exit 1`
	l.mustRun(l.Client, "sh", "-c", ready, "sh", c1, Gateway2IP, Gateway2IP6)
}

// PreferredUplinkDead is SecondUplink with the preferred (first) uplink
// leading nowhere: the router drops everything that arrives on its first
// LAN port, as a dock whose switch lost its uplink. ARP still answers
// (nftables' inet family does not see it), so the gateway's entry
// resolves; the second uplink works.
func (l *Lab) PreferredUplinkDead() {
	l.t.Helper()
	l.SecondUplink()
	match := fmt.Sprintf("iifname %q drop;", l.RouterLANIf)
	l.nft(l.Router, routerTable("uplink", match, match, ""))
}

// BlackholeIPv6Upstream makes the router silently drop every IPv6 packet
// it forwards, in both directions: the client keeps its IPv6 default
// route, the gateway answers over IPv6, but nothing beyond it does. IPv4
// and DNS (over IPv4) keep working: the classic reason npm or pip hang
// before falling back.
func (l *Lab) BlackholeIPv6Upstream() {
	l.t.Helper()
	l.nft(l.Router, routerTable("v6hole", "", "meta nfproto ipv6 drop;", ""))
}

// PathMTU is the MTU LowPathMTU sets on the router's internet side.
const PathMTU = 1400

// LowPathMTU lowers the MTU between the router and the internet host to
// PathMTU (both ends), as a PPPoE or tunnel hop upstream does. The router
// answers a too-large don't-fragment packet with "fragmentation needed"
// (ICMPv6 "packet too big"), so path-MTU discovery works.
func (l *Lab) LowPathMTU() {
	l.t.Helper()
	mtu := fmt.Sprint(PathMTU)
	l.mustIP(l.Router, "link", "set", "dev", l.RouterWANIf, "mtu", mtu)
	l.mustIP(l.Internet, "link", "set", "dev", l.InternetIf, "mtu", mtu)
}

// PathMTUBlackhole is LowPathMTU with the router's "fragmentation needed"
// and "packet too big" messages dropped: a path-MTU black hole. Small
// packets pass; large don't-fragment ones vanish.
func (l *Lab) PathMTUBlackhole() {
	l.t.Helper()
	l.LowPathMTU()
	const match = "icmp type destination-unreachable icmp code frag-needed drop; icmpv6 type packet-too-big drop;"
	l.nft(l.Router, routerTable("pmtu", "", match, match))
}

// BurstyLoss makes the router drop everything it sends towards the client
// for on, then nothing for off, over and over until ctx is done or the
// test ends: the loss of a flaky Wi-Fi or an overloaded uplink, which
// comes in bursts rather than packet by packet. It returns when the first
// burst has been armed; the toggling goes on in a goroutine, bounded by ctx.
func (l *Lab) BurstyLoss(ctx context.Context, on, off time.Duration) {
	l.t.Helper()
	drop := fmt.Sprintf("oifname %q drop;", l.RouterLANIf)
	l.nft(l.Router, "table inet nglab_burst {\n\tchain lab_forward { type filter hook forward priority 0; policy accept; }\n\tchain lab_output { type filter hook output priority 0; policy accept; }\n}\n")
	set := func(dropping bool) error {
		rules := "flush chain inet nglab_burst lab_forward\nflush chain inet nglab_burst lab_output\n"
		if dropping {
			rules += "add rule inet nglab_burst lab_forward " + drop + "\nadd rule inet nglab_burst lab_output " + drop + "\n"
		}
		cctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
		defer cancel()
		cmd := l.Cmd(cctx, l.Router, "nft", "-f", "-")
		cmd.Stdin = strings.NewReader(rules)
		return cmd.Run()
	}
	if err := set(true); err != nil {
		l.t.Fatalf("lab %s: bursty loss: %v", l.Prefix, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	l.t.Cleanup(func() { cancel(); <-done })
	go func() {
		defer close(done)
		dropping := true
		for {
			wait := on
			if !dropping {
				wait = off
			}
			select {
			case <-ctx.Done():
				_ = set(false)
				return
			case <-time.After(wait):
			}
			dropping = !dropping
			_ = set(dropping)
		}
	}()
}

// StaleHopIP is a LAN address nothing answers at: the next hop of
// RouteViaOtherHop's stale route.
const StaleHopIP = "198.18.3.99"

// RouteViaOtherHop adds, in the client, a more specific route for the
// internet's IPv4 prefix (203.0.113.0/24, the external host and name
// server) through StaleHopIP on the same interface as the default route: a
// stale static route or a second router that went away.
func (l *Lab) RouteViaOtherHop() {
	l.t.Helper()
	l.mustIP(l.Client, "route", "add", "203.0.113.0/24", "via", StaleHopIP, "dev", l.ClientIf)
}
