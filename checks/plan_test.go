package checks

import (
	"net/netip"
	"slices"
	"testing"

	"github.com/netguard/netguard/checks/netstate"
)

// TestPlanProbes holds what a run sends to the tables and options alone:
// the gateway per family, the targets with their ports, one path-MTU probe
// per run and the other uplinks.
func TestPlanProbes(t *testing.T) {
	gw4, gw6 := netip.MustParseAddr("198.18.3.1"), netip.MustParseAddr("fe80::1")
	ext4, ext6 := netip.MustParseAddr("203.0.113.5"), netip.MustParseAddr("2001:db8::5")
	def4 := netstate.Route{Dst: netip.MustParsePrefix("0.0.0.0/0"), Gateway: gw4, IfIndex: 2, Type: netstate.RouteUnicast}
	def6 := netstate.Route{Dst: netip.MustParsePrefix("::/0"), Gateway: gw6, IfIndex: 4, Type: netstate.RouteUnicast}
	wifi4 := netstate.Route{Dst: netip.MustParsePrefix("0.0.0.0/0"), Gateway: netip.MustParseAddr("192.0.2.1"), IfIndex: 3, Metric: 600, Type: netstate.RouteUnicast}
	// state has eth0 (IPv4's default, MTU mtu) and eth1 (IPv6's, 1500).
	state := func(mtu int, routes ...netstate.Route) *netstate.State {
		s := &netstate.State{Links: []netstate.Link{{Index: 2, Name: "eth0", MTU: mtu}, {Index: 4, Name: "eth1", MTU: 1500}}, Routes: routes}
		s.V4.Family, s.V6.Family = 4, 6
		s.V4.Default, s.V6.Default = pickDefault(routes, 4), pickDefault(routes, 6)
		return s
	}
	targets := []netip.AddrPort{netip.AddrPortFrom(ext4, 0), netip.AddrPortFrom(ext6, 443)}
	type fam struct {
		gateway  netip.Addr
		external []plannedTarget
		pmtu     string // the interface the PMTU probe is sized by; "": none
		uplinks  int
	}
	for _, tc := range []struct {
		name  string
		s     *netstate.State
		o     Options
		want4 fam
		want6 fam
	}{
		{
			name:  "dual stack: the PMTU probe goes to IPv4 only",
			s:     state(1500, def4, def6),
			o:     Options{External: targets},
			want4: fam{gateway: gw4, external: []plannedTarget{{addr: ext4}}, pmtu: "eth0"},
			want6: fam{gateway: gw6, external: []plannedTarget{{addr: ext6, ports: []uint16{443}}}},
		},
		{
			name:  "an egress MTU below 576 leaves the PMTU probe to IPv6",
			s:     state(500, def4, def6),
			o:     Options{External: targets},
			want4: fam{gateway: gw4, external: []plannedTarget{{addr: ext4}}},
			want6: fam{gateway: gw6, external: []plannedTarget{{addr: ext6, ports: []uint16{443}}}, pmtu: "eth1"},
		},
		{
			name:  "--gateway replaces the default route's gateway of its family",
			s:     state(1500, def4),
			o:     Options{External: targets[:1], Gateway: netip.MustParseAddr("198.18.3.254")},
			want4: fam{gateway: netip.MustParseAddr("198.18.3.254"), external: []plannedTarget{{addr: ext4}}, pmtu: "eth0"},
		},
		{
			name:  "a second default route is an uplink to try",
			s:     state(1500, def4, wifi4),
			o:     Options{External: targets[:1]},
			want4: fam{gateway: gw4, external: []plannedTarget{{addr: ext4}}, pmtu: "eth0", uplinks: 1},
		},
		{
			name:  "no target of a family: only its gateway",
			s:     state(1500, def4, wifi4, def6),
			o:     Options{External: targets[1:]},
			want4: fam{gateway: gw4},
			want6: fam{gateway: gw6, external: []plannedTarget{{addr: ext6, ports: []uint16{443}}}, pmtu: "eth1"},
		},
		{
			name:  "no default route: no gateway, the targets still planned",
			s:     state(1500),
			o:     Options{External: targets[:1]},
			want4: fam{external: []plannedTarget{{addr: ext4}}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := planProbes(tc.s, tc.o)
			for i, want := range []fam{tc.want4, tc.want6} {
				got := p.families[i]
				if got.gateway != want.gateway {
					t.Errorf("family %d: gateway %v, want %v", i, got.gateway, want.gateway)
				}
				if !slices.EqualFunc(got.external, want.external, func(a, b plannedTarget) bool { return a.addr == b.addr && slices.Equal(a.ports, b.ports) }) {
					t.Errorf("family %d: targets %v, want %v", i, got.external, want.external)
				}
				switch {
				case got.pmtu == nil && want.pmtu != "":
					t.Errorf("family %d: no PMTU probe, want one sized by %s", i, want.pmtu)
				case got.pmtu != nil && (got.pmtu.Iface != want.pmtu || got.pmtu.Target != got.external[0].addr || got.pmtu.Size != 1500):
					t.Errorf("family %d: PMTU probe %+v, want one of 1500 to the first target sized by %q", i, got.pmtu, want.pmtu)
				}
				if len(got.uplinks) != want.uplinks {
					t.Errorf("family %d: uplinks %v, want %d", i, got.uplinks, want.uplinks)
				}
			}
		})
	}
}

// TestPlanDNSName holds that the plan carries the name the DNS probe
// resolves, so the name servers traced are the ones used for it (a
// per-domain resolver's when the name is under its domain).
func TestPlanDNSName(t *testing.T) {
	s := &netstate.State{}
	s.V4.Family, s.V6.Family = 4, 6
	for _, name := range []string{"git.corp.example", "www.lab.test", ""} {
		if got := planProbes(s, Options{DNSName: name}).dnsName; got != name {
			t.Errorf("plan for %q: dnsName %q", name, got)
		}
	}
}

// TestPickDefault holds which default route is the uplink's: metrics of
// different tables never compete (wg-quick's table 51820 at metric 0 beside
// DHCP's metric 100 in main), a policy table serves when main has none,
// macOS's unscoped default wins over interface-scoped ones, and Windows'
// effective metric (route + interface, summed by the OS layer) decides.
func TestPickDefault(t *testing.T) {
	d := func(ifIndex, table, metric int, scoped bool) netstate.Route {
		return netstate.Route{Dst: netip.MustParsePrefix("0.0.0.0/0"), IfIndex: ifIndex, Table: table, Metric: metric, Scoped: scoped, Type: netstate.RouteUnicast}
	}
	for _, tc := range []struct {
		name   string
		routes []netstate.Route
		want   int // IfIndex; 0: none
	}{
		{"wg-quick: main's default, not table 51820's lower metric", []netstate.Route{d(9, 51820, 0, false), d(2, 254, 100, false)}, 2},
		{"only a policy table has one (Tailscale table 52)", []netstate.Route{d(9, 52, 0, false)}, 9},
		{"macOS: unscoped beats scoped whatever the order", []netstate.Route{d(5, 0, 0, true), d(4, 0, 0, false)}, 4},
		{"macOS: scoped alone", []netstate.Route{d(5, 0, 0, true)}, 5},
		{"Windows: lowest route+interface metric", []netstate.Route{d(7, 0, 35, false), d(3, 0, 25, false)}, 3},
		{"none", nil, 0},
	} {
		got := pickDefault(tc.routes, 4)
		if (got == nil) != (tc.want == 0) || (got != nil && got.IfIndex != tc.want) {
			t.Errorf("%s: got %+v, want ifindex %d", tc.name, got, tc.want)
		}
	}
}
