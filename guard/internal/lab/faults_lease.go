//go:build linux

package lab

import (
	"context"
	"os"
	"strings"
	"time"
)

// Faults of the client's own addresses: a DHCP lease that never came, and
// an address another host on the LAN holds.

// LinkLocalAddr is the self-assigned address NoLease leaves the client.
const LinkLocalAddr = "169.254.23.9"

// ClaimantMAC is the MAC of the host ClaimClientAddress adds.
const ClaimantMAC = "02:6e:67:03:00:77"

// DupAddr6 is the IPv6 address DADFailure gives both ends of the LAN.
const DupAddr6 = "2001:db8:3::9"

// NoLease leaves the client as a DHCP client that got no answer: its
// routable addresses and default routes gone, only 169.254.23.9/16 (what
// avahi-autoipd, macOS and Windows assign) and its IPv6 link-local address
// on the veth, which stays up with carrier.
func (l *Lab) NoLease() {
	l.t.Helper()
	l.NoLeaseLinkLocalOnly()
	l.mustIP(l.Client, "addr", "add", LinkLocalAddr+"/16", "dev", l.ClientIf)
}

// NoLeaseLinkLocalOnly is NoLease without the self-assigned IPv4 address
// (NetworkManager's default): the IPv6 link-local address alone.
func (l *Lab) NoLeaseLinkLocalOnly() {
	l.t.Helper()
	l.mustIP(l.Client, "-batch", "-", strings.Join([]string{
		"route del 0.0.0.0/0",
		"route del ::/0",
		"addr del " + ClientIP + "/24 dev " + l.ClientIf,
		"addr del " + ClientIP6 + "/64 dev " + l.ClientIf,
	}, "\n")+"\n")
}

// NoLeaseIPv4 is a DHCPv4 server that never answered on a network whose
// router advertisements work: IPv6 keeps its address and default route,
// IPv4 has only 169.254.23.9/16.
func (l *Lab) NoLeaseIPv4() {
	l.t.Helper()
	l.mustIP(l.Client, "-batch", "-", strings.Join([]string{
		"route del 0.0.0.0/0",
		"addr del " + ClientIP + "/24 dev " + l.ClientIf,
		"addr add " + LinkLocalAddr + "/16 dev " + l.ClientIf,
	}, "\n")+"\n")
}

// ClaimantNS is the namespace of the host ClaimClientAddress adds.
func (l *Lab) ClaimantNS() string { return l.Prefix + "-x" }

// ClaimClientAddress adds a second host on the LAN that holds the client's
// IPv4 address: a macvlan of the router's LAN veth, with ClaimantMAC, in a
// namespace of its own. It answers ARP for 198.18.3.2 on the wire; the
// router itself never sees it (a macvlan does not talk to its parent).
// With stealTraffic the router's entry for the client is pinned to the
// claimant's MAC, as when the other host won the router's ARP cache: the
// client's traffic then never comes back.
func (l *Lab) ClaimClientAddress(stealTraffic bool) {
	l.t.Helper()
	x, m := l.ClaimantNS(), l.Prefix+"-m0"
	l.mustIP("", "netns", "add", x)
	l.t.Cleanup(func() {
		if _, err := os.Stat("/run/netns/" + x); err == nil {
			if out, err := runIP("", "netns", "del", x); err != nil {
				l.t.Errorf("lab %s teardown: ip netns del %s: %v\n%s", l.Prefix, x, err, out)
			}
		}
	})
	l.sysctl(x, "net/ipv6/conf/all/accept_dad", "0", "net/ipv6/conf/default/accept_dad", "0")
	l.mustIP(l.Router, "link", "add", "link", l.RouterLANIf, "name", m, "address", ClaimantMAC, "netns", x, "type", "macvlan", "mode", "bridge")
	l.mustIP(x, "-batch", "-", strings.Join([]string{
		"link set lo up",
		"addr add " + ClientIP + "/24 dev " + m,
		"link set " + m + " up",
	}, "\n")+"\n")
	if stealTraffic {
		l.mustIP(l.Router, "neigh", "replace", ClientIP, "lladdr", ClaimantMAC, "dev", l.RouterLANIf, "nud", "permanent")
	}
}

// DADFailure gives the router DupAddr6 and then the client too, with
// duplicate address detection on for the client's veth: the router
// answers the client's neighbor solicitation, and the kernel marks the
// client's copy dadfailed. It waits until it has.
func (l *Lab) DADFailure() {
	l.t.Helper()
	l.mustIP(l.Router, "addr", "add", DupAddr6+"/64", "dev", l.RouterLANIf, "nodad")
	l.sysctl(l.Client, "net/ipv6/conf/"+l.ClientIf+"/accept_dad", "1")
	l.mustIP(l.Client, "addr", "add", DupAddr6+"/64", "dev", l.ClientIf)
	deadline := time.Now().Add(5 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
		out, err := l.Cmd(ctx, l.Client, "ip", "-6", "addr", "show", "dev", l.ClientIf).CombinedOutput()
		cancel()
		if err == nil && strings.Contains(string(out), "dadfailed") {
			return
		}
		if time.Now().After(deadline) {
			l.t.Fatalf("lab %s: %s never became dadfailed on %s: %v\n%s", l.Prefix, DupAddr6, l.ClientIf, err, out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
