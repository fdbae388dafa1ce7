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
