package diagnose

import (
	"net/netip"
	"syscall"

	"github.com/netguard/netguard/checks/netstate"
)

// routeCases are the cases of TestDiagnose whose first finding is the route check's.
var routeCases = []diagCase{
	{name: "docker bridge without carrier is not blamed", mutate: func(s *netstate.State) {
		noDefault(s)
		s.Links = append(s.Links, netstate.Link{Index: 3, Name: "docker0", Kind: netstate.LinkBridge, AdminUp: true, Addrs: []netip.Prefix{netip.MustParsePrefix("172.17.0.1/16")}})
	}, want: []string{"no-default-route"}, verdict: Unhealthy},
	{name: "the kind decides, not the name: a bridge named like a NIC is not blamed", mutate: func(s *netstate.State) {
		noDefault(s)
		s.Links = append(s.Links, netstate.Link{Index: 3, Name: "eth1", Kind: netstate.LinkBridge, AdminUp: false, Addrs: []netip.Prefix{netip.MustParsePrefix("172.17.0.1/16")}})
	}, want: []string{"no-default-route"}, verdict: Unhealthy},
	{name: "a host-side veth without address is not blamed", mutate: func(s *netstate.State) {
		noDefault(s)
		s.Links = append(s.Links, netstate.Link{Index: 7, Name: "veth1a2b", Kind: netstate.LinkVeth})
	}, want: []string{"no-default-route"}, verdict: Unhealthy},
	{name: "no default route", oses: []string{"linux", "darwin", "windows"}, mutate: noDefault, want: []string{"no-default-route"}, verdict: Unhealthy, manual: "renew DHCP"},
	{name: "unreachable route to gateway, internet works", mutate: func(s *netstate.State) {
		s.Routes = append(s.Routes, netstate.Route{Dst: netip.MustParsePrefix("198.18.3.1/32"), Type: netstate.RouteUnreachable, Table: 254})
		g := s.V4.GatewayProbe
		g.RouteErr = syscall.EHOSTUNREACH
		g.ICMP, g.TCP = failed(netstate.ProbeICMP, gw, syscall.EHOSTUNREACH), failed(netstate.ProbeTCP, gw, syscall.EHOSTUNREACH)
	}, want: []string{"gateway-route-rejected"}, verdict: Degraded, manual: "ip route del unreachable 198.18.3.1/32"},
	{name: "blackhole route to the only target", mutate: func(s *netstate.State) {
		s.Routes = append(s.Routes, netstate.Route{Dst: netip.MustParsePrefix("203.0.113.5/32"), Type: netstate.RouteBlackhole, Table: 254})
		t := &s.V4.External[0]
		t.RouteErr = syscall.EINVAL
		t.ICMP, t.TCP = failed(netstate.ProbeICMP, ext1, syscall.EINVAL), failed(netstate.ProbeTCP, ext1, syscall.EINVAL)
	}, want: []string{"target-route-rejected"}, verdict: Unhealthy},
	{name: "route lookup raced a route change (macOS ESRCH)", oses: []string{"darwin"}, mutate: func(s *netstate.State) {
		s.V4.External = append(s.V4.External, netstate.TargetResult{Addr: ext2, Role: "external", RouteErr: syscall.ESRCH})
	}, want: []string{"route-lookup-failed"}, verdict: Degraded, manual: "findsaddr"},
	{name: "VPN owns the default route", mutate: func(s *netstate.State) {
		s.Links = append(s.Links, netstate.Link{Index: 9, Name: "wg0", AdminUp: true, Carrier: true, Tunnel: true, Addrs: []netip.Prefix{netip.MustParsePrefix("100.64.0.2/32")}})
		r := netstate.Route{Dst: netip.MustParsePrefix("0.0.0.0/0"), IfIndex: 9, IfName: "wg0", Table: 51820}
		s.V4.Default, s.V4.Gateway = &r, netip.Addr{}
		s.V4.GatewayProbe = nil
	}, want: []string{"default-route-vpn"}, verdict: Healthy},
	{name: "a VPN route takes the gateway's subnet (macOS utun)", oses: []string{"darwin"}, mutate: func(s *netstate.State) {
		s.Links = append(s.Links, netstate.Link{Index: 9, Name: "utun3", AdminUp: true, Carrier: true, Tunnel: true})
		s.V4.GatewayProbe.Route = netstate.Route{Dst: netip.MustParsePrefix("198.18.0.0/16"), IfIndex: 9, IfName: "utun3"}
	}, want: []string{"tunnel-covers-gateway"}, verdict: Degraded, manual: "route -n get 198.18.3.1"},
}

// routeLocalCases are the cases of TestDiagnoseLocal whose first finding is the route check's.
var routeLocalCases = []localCase{
	{
		name: "dead loopback proxy is named even without a default route",
		mutate: func(s *netstate.State) {
			noDefault(s)
			withProxy(s, "HTTPS_PROXY", "http://127.0.0.1:7890", tcpAt(proxy1, 7890, true, true, syscall.ECONNREFUSED))
		},
		want: []string{"no-default-route", "proxy-dead"}, verdict: Unhealthy, culprit: "HTTPS_PROXY", check: "proxy", status: StatusFail, notRoot: true,
	},
	{
		name: "silent remote proxy without a default route: the route is the cause",
		mutate: func(s *netstate.State) {
			noDefault(s)
			withProxy(s, "HTTPS_PROXY", "http://198.51.100.7:3128", tcpAt(proxy2, 3128, false, false, netstate.ErrNoReply))
		},
		want: []string{"no-default-route"}, verdict: Unhealthy, check: "proxy", status: StatusPass,
	},
	{
		name: "fake-ip: a TUN owns the default route and names resolve into 198.18.0.0/15",
		mutate: func(s *netstate.State) {
			s.Links = append(s.Links, netstate.Link{Index: 9, Name: "utun7", AdminUp: true, Carrier: true, Tunnel: true, Addrs: []netip.Prefix{netip.MustParsePrefix("198.18.0.1/30")}})
			// A TUN's default route has no gateway; the targets go into it.
			def := netstate.Route{Dst: netip.MustParsePrefix("0.0.0.0/0"), IfIndex: 9, IfName: "utun7", Table: 254}
			s.Routes[0] = def
			s.V4.Default, s.V4.Gateway, s.V4.GatewayProbe = &def, netip.Addr{}, nil
			s.V4.External[0].Route = def
			s.DNS.Addrs = []netip.Addr{netip.MustParseAddr("198.18.9.194")}
		},
		want: []string{"default-route-vpn", "proxy-fake-ip"}, verdict: Degraded, culprit: "utun7", check: "dns", status: StatusWarn,
	},
	{
		name: "198.18 answer on a local interface's network is real (the lab's range)",
		mutate: func(s *netstate.State) {
			s.Links[1].Tunnel = true
			s.DNS.Addrs = []netip.Addr{netip.MustParseAddr("198.18.3.80")}
		},
		want: []string{"default-route-vpn"}, verdict: Healthy, check: "dns", status: StatusPass,
	},
}
