package diagnose

import (
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/netguard/netguard/checks/netstate"
)

var otherMAC = net.HardwareAddr{0x02, 0x6e, 0x67, 0x03, 0x00, 0x77}

// linkLocalOnly leaves the uplink with only the addresses autoconfiguration
// gives when no DHCP server answers, and no default route.
func linkLocalOnly(addrs ...string) func(*netstate.State) {
	return func(s *netstate.State) {
		noDefault(s)
		s.Routes = nil
		s.Links[1].Addrs = nil
		for _, a := range addrs {
			s.Links[1].Addrs = append(s.Links[1].Addrs, netip.MustParsePrefix(a))
		}
	}
}

// v6OnlyDefault leaves the uplink with IPv6 (a global address and a
// default route whose target answers) and v4 as its only IPv4 addresses,
// with no IPv4 default route.
func v6OnlyDefault(v4 ...string) func(*netstate.State) {
	return func(s *netstate.State) {
		noDefault(s)
		s.Links[1].Addrs = []netip.Prefix{netip.MustParsePrefix("2001:db8:3::2/64"), netip.MustParsePrefix("fe80::2/64")}
		for _, a := range v4 {
			s.Links[1].Addrs = append(s.Links[1].Addrs, netip.MustParsePrefix(a))
		}
		def6 := netstate.Route{Dst: netip.MustParsePrefix("::/0"), Gateway: netip.MustParseAddr("fe80::1"), IfIndex: 2, IfName: s.Links[1].Name, Table: 254}
		s.Routes = []netstate.Route{def6}
		ext6 := netip.MustParseAddr("2001:db8:113::5")
		s.V6 = netstate.FamilyState{Family: 6, Default: &def6, Gateway: def6.Gateway,
			External: []netstate.TargetResult{{Addr: ext6, Role: "external", Route: def6, ICMP: answered(netstate.ProbeICMP, ext6), TCP: answered(netstate.ProbeTCP, ext6)}}}
	}
}

// conflictProbe is an RFC 5227 probe of the client's address answered by
// macs.
func conflictProbe(macs ...net.HardwareAddr) func(*netstate.State) {
	return func(s *netstate.State) {
		p := netstate.AddrProbe{IfIndex: 2, IfName: s.Links[1].Name, Addr: netip.MustParseAddr("198.18.3.2")}
		for _, m := range macs {
			p.Answers = append(p.Answers, netstate.NeighborAnswer{MAC: m, RTT: 300_000})
		}
		s.AddrProbes = append(s.AddrProbes, p)
	}
}

// addressCases are the cases of TestDiagnose about the interface's own
// addresses: a lease that never came, an address another host uses.
var addressCases = []diagCase{
	{name: "self-assigned IPv4 only, no default route: no DHCP lease", oses: []string{"linux", "darwin", "windows"},
		mutate: linkLocalOnly("169.254.23.9/16", "fe80::6e:67ff:fe03:2/64"),
		want:   []string{"no-dhcp-lease"}, verdict: Unhealthy, manual: "dhclient -v eth0"},
	{name: "macOS: no lease is renewed with ipconfig set", oses: []string{"darwin"},
		mutate: linkLocalOnly("fe80::6e:67ff:fe03:2/64", "169.254.23.9/16"),
		want:   []string{"no-dhcp-lease"}, verdict: Unhealthy, manual: "sudo ipconfig set en0 DHCP"},
	{name: "Windows: no lease is renewed with ipconfig /renew", oses: []string{"windows"},
		mutate: linkLocalOnly("169.254.23.9/16"),
		want:   []string{"no-dhcp-lease"}, verdict: Unhealthy, manual: "ipconfig /renew"},
	{name: "IPv6 link-local alone, no default route: no DHCP lease",
		mutate: linkLocalOnly("fe80::6e:67ff:fe03:2/64"),
		want:   []string{"no-dhcp-lease"}, verdict: Unhealthy, manual: "networkctl renew eth0"},
	{name: "a routable address without a default route is not a missing lease",
		mutate: linkLocalOnly("198.18.3.2/24", "fe80::6e:67ff:fe03:2/64"),
		want:   []string{"no-default-route"}, verdict: Unhealthy},
	{name: "a link-local-only uplink without carrier is no carrier, not no lease", mutate: func(s *netstate.State) {
		linkLocalOnly("169.254.23.9/16")(s)
		s.Links[1].Carrier = false
	}, want: []string{"link-no-carrier"}, verdict: Unhealthy},
	{name: "a second NIC with only link-local addresses beside a working uplink is healthy", mutate: func(s *netstate.State) {
		s.Links = append(s.Links, netstate.Link{Index: 3, Name: "eth1", AdminUp: true, Carrier: true,
			Addrs: []netip.Prefix{netip.MustParsePrefix("169.254.1.1/16"), netip.MustParsePrefix("fe80::1/64")}})
	}, verdict: Healthy},
	{name: "a bridge with only link-local addresses is not an uplink", mutate: func(s *netstate.State) {
		linkLocalOnly()(s)
		s.Links[1].Carrier = false
		s.Links = append(s.Links, netstate.Link{Index: 3, Name: "docker0", Kind: netstate.LinkBridge, AdminUp: true, Carrier: true,
			Addrs: []netip.Prefix{netip.MustParsePrefix("fe80::1/64")}})
	}, want: []string{"no-default-route"}, verdict: Unhealthy},

	{name: "DHCPv4 failed while IPv6 works: no IPv4 lease, an error when IPv4 is needed",
		mutate: v6OnlyDefault("169.254.23.9/16"),
		want:   []string{"no-dhcp-lease", "dns-failed"}, verdict: Unhealthy, manual: "dhclient -v eth0"},
	{name: "DHCPv4 failed while IPv6 does all the run needs: a warning", mutate: func(s *netstate.State) {
		v6OnlyDefault("169.254.23.9/16")(s)
		s.V4.External = nil
		s.DNS = netstate.DNSResult{Ran: true, Name: "www.lab.test", Addrs: []netip.Addr{netip.MustParseAddr("2001:db8:113::80")}, Servers: []netstate.DNSServerResult{{Server: netip.MustParseAddrPort("[2001:db8:113::5]:53"), Answered: true, Rcode: "NOERROR"}}}
	}, want: []string{"no-dhcp-lease"}, verdict: Degraded},
	{name: "an IPv6-only network (no IPv4 address at all) has no missing lease", mutate: func(s *netstate.State) {
		v6OnlyDefault()(s)
		s.V4.External = nil
		s.DNS = netstate.DNSResult{Ran: true, Name: "www.lab.test", Addrs: []netip.Addr{netip.MustParseAddr("2001:db8:113::80")}, Servers: []netstate.DNSServerResult{{Server: netip.MustParseAddrPort("[2001:db8:113::5]:53"), Answered: true, Rcode: "NOERROR"}}}
	}, verdict: Healthy},
	{name: "IPv6 duplicate address detection failed while the network works", mutate: func(s *netstate.State) {
		s.Links[1].Addrs = append(s.Links[1].Addrs, netip.MustParsePrefix("2001:db8:3::9/64"))
		s.Links[1].DADFailed = []netip.Addr{netip.MustParseAddr("2001:db8:3::9")}
	}, want: []string{"address-conflict"}, verdict: Degraded, manual: "ip addr show dev eth0"},
	{name: "another MAC answers the ARP probe for our address", oses: []string{"linux", "darwin", "windows"},
		mutate: conflictProbe(otherMAC),
		want:   []string{"address-conflict"}, verdict: Degraded, manual: "02:6e:67:03:00:77"},
	{name: "macOS, root: the probe through BPF names the MAC, the kernel's log has the rest", oses: []string{"darwin"},
		mutate: func(s *netstate.State) { conflictProbe(otherMAC)(s); allSilent(s) },
		want:   []string{"address-conflict"}, verdict: Unhealthy, manual: `eventMessage CONTAINS "duplicate IP address"`},
	{name: "an address conflict is the root cause when the gateway goes silent", mutate: func(s *netstate.State) {
		conflictProbe(otherMAC)(s)
		allSilent(s)
	}, want: []string{"address-conflict"}, verdict: Unhealthy},
	{name: "the gateway answering ARP for our address is proxy ARP, not a conflict",
		mutate: func(s *netstate.State) { conflictProbe(s.Neighbors[0].MAC)(s) }, verdict: Healthy},
	{name: "our own MAC is never a conflict", mutate: func(s *netstate.State) {
		s.Links[1].MAC = otherMAC
		conflictProbe(otherMAC)(s)
	}, verdict: Healthy},
	{name: "an unanswered conflict probe is healthy", mutate: conflictProbe(), verdict: Healthy},
	{name: "unprivileged: the conflict probe not sent is healthy", mutate: func(s *netstate.State) { s.AddrProbeSkipped = "needs root" }, verdict: Healthy},
}

// TestConflictDetail: the link check says what the conflict probe found,
// or why it could not be sent, never a failure.
func TestConflictDetail(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(*netstate.State)
		want   string
	}{
		{"probed, nobody else", conflictProbe(), "198.18.3.2: no other host claims it"},
		{"unprivileged", func(s *netstate.State) { s.AddrProbeSkipped = "needs root" }, "IPv4 address conflicts not probed: needs root"},
		{"proxy ARP", func(s *netstate.State) { conflictProbe(s.Neighbors[0].MAC)(s) }, "only the gateway (02:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := healthyState("linux")
			tc.mutate(s)
			d := Diagnose(s)
			c := d.Checks[0]
			if c.ID != "link" || c.Status != StatusPass || !strings.Contains(c.Detail, tc.want) {
				t.Errorf("link check = %s %q, want pass with %q", c.Status, c.Detail, tc.want)
			}
		})
	}
}
