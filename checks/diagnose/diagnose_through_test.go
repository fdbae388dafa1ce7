package diagnose

import (
	"net/netip"
	"slices"
	"testing"

	"github.com/netguard/netguard/checks/netstate"
)

// A name server that answered through the gateway is traffic through it:
// the gateway's entry is not wrong however silent its own probes were (a
// probe cut short on a slow machine, a router that ignores them).
func TestDNSThroughTheGatewayCountsForIt(t *testing.T) {
	dnsServer := netip.MustParseAddrPort("203.0.113.5:53")
	for _, tt := range []struct {
		name      string
		route     netstate.Route
		answered  bool
		want, not string
	}{
		{"answered via the gateway", netstate.Route{Dst: netip.MustParsePrefix("0.0.0.0/0"), Gateway: gw, IfIndex: 2}, true, "gateway-silent", "gateway-neighbor-wrong"},
		{"answered via another router", netstate.Route{Dst: netip.MustParsePrefix("203.0.113.0/24"), Gateway: netip.MustParseAddr("198.18.3.9"), IfIndex: 2}, true, "gateway-neighbor-wrong", "gateway-silent"},
		{"silent via the gateway", netstate.Route{Dst: netip.MustParsePrefix("0.0.0.0/0"), Gateway: gw, IfIndex: 2}, false, "gateway-neighbor-wrong", "gateway-silent"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := healthyState("linux")
			allSilent(s)
			s.Neighbors[0].State = netstate.NeighReachable
			s.DNS.Servers = []netstate.DNSServerResult{{Server: dnsServer, Answered: tt.answered}}
			s.NameServerRoutes = []netstate.AddrRoute{{Addr: dnsServer.Addr(), Route: tt.route}}
			var ids []string
			for _, f := range Diagnose(s).Findings {
				ids = append(ids, f.ID)
			}
			if !slices.Contains(ids, tt.want) || slices.Contains(ids, tt.not) {
				t.Fatalf("findings %v: want %s, not %s", ids, tt.want, tt.not)
			}
		})
	}
}

// A proxy that accepted a connection through the gateway is traffic
// through it too: a proxy-only network whose router ignores probes and
// whose name server sits on the LAN must not read as a wrong gateway
// entry.
func TestProxyThroughTheGatewayCountsForIt(t *testing.T) {
	for _, tt := range []struct {
		name      string
		route     netstate.Route
		want, not string
	}{
		{"answered via the gateway", netstate.Route{Dst: netip.MustParsePrefix("0.0.0.0/0"), Gateway: gw, IfIndex: 2}, "gateway-silent", "gateway-neighbor-wrong"},
		{"answered via another router", netstate.Route{Dst: netip.MustParsePrefix("198.51.100.0/24"), Gateway: netip.MustParseAddr("198.18.3.9"), IfIndex: 2}, "gateway-neighbor-wrong", "gateway-silent"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := healthyState("linux")
			allSilent(s)
			s.Neighbors[0].State = netstate.NeighReachable
			withProxy(s, "HTTPS_PROXY", "http://198.51.100.7:3128", tcpAt(proxy2, 3128, true, false, nil))
			s.Proxy.Settings[0].Route = tt.route
			var ids []string
			for _, f := range Diagnose(s).Findings {
				ids = append(ids, f.ID)
			}
			if !slices.Contains(ids, tt.want) || slices.Contains(ids, tt.not) {
				t.Fatalf("findings %v: want %s, not %s", ids, tt.want, tt.not)
			}
		})
	}
}
