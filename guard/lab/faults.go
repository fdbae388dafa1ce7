//go:build linux

package lab

import (
	"fmt"
	"strings"
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
