package probe

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/netguard/netguard/checks/netstate"
)

// TestNRPTScopes decodes NRPT rule keys, their values built by hand as
// [MS-GPNRPT] 2.2.2 lays them out (Name REG_MULTI_SZ, GenericDNSServers
// REG_SZ, ConfigOptions REG_DWORD), into per-domain resolvers, and
// survives hostile values.
func TestNRPTScopes(t *testing.T) {
	ap := netip.MustParseAddrPort
	const tsID = "{5abe529b-675b-4486-8459-25a634dacc23}"
	tailscale := nrptRule{ID: tsID, Values: map[string]any{
		"Version": uint32(1), "Name": []string{".tailnet.ts.net", ".corp.example"},
		"GenericDNSServers": "100.100.100.100; fd7a:115c:a1e0::53", "ConfigOptions": uint32(0x8),
	}}
	for _, tt := range []struct {
		name         string
		policyExists bool
		policy       []nrptRule
		local        []nrptRule
		want         []netstate.ScopedResolver
	}{
		{name: "Tailscale's local rule: one resolver per namespace, IPv6 servers too", local: []nrptRule{tailscale},
			want: []netstate.ScopedResolver{
				{Domain: "tailnet.ts.net", Source: "NRPT rule " + tsID + " (local)", Rule: tsID, Servers: []netip.AddrPort{ap("100.100.100.100:53"), ap("[fd7a:115c:a1e0::53]:53")}},
				{Domain: "corp.example", Source: "NRPT rule " + tsID + " (local)", Rule: tsID, Servers: []netip.AddrPort{ap("100.100.100.100:53"), ap("[fd7a:115c:a1e0::53]:53")}},
			}},
		{name: "a Group Policy store sets the local rules aside", policyExists: true,
			policy: []nrptRule{{ID: "{GP}", Values: map[string]any{"Name": []string{".Corp.Example."}, "GenericDNSServers": "10.8.0.1;10.8.0.2", "ConfigOptions": uint32(0xA)}}},
			local:  []nrptRule{tailscale},
			want: []netstate.ScopedResolver{
				{Domain: "corp.example", Source: "NRPT rule {GP} (Group Policy)", Rule: "{GP}", Policy: true, Servers: []netip.AddrPort{ap("10.8.0.1:53"), ap("10.8.0.2:53")}},
			}},
		{name: "an empty Group Policy store: no rules in effect", policyExists: true, local: []nrptRule{tailscale}},
		{name: "Always On VPN: a suffix with servers, an exempt host without, an FQDN rule", local: []nrptRule{
			{ID: "{A}", Values: map[string]any{"Name": []string{".example.net"}, "GenericDNSServers": "10.21.12.100,10.21.12.101;10.21.12.102", "ConfigOptions": uint32(8)}},
			{ID: "{B}", Values: map[string]any{"Name": []string{"www.example.net"}, "ConfigOptions": uint32(0)}},
			{ID: "{C}", Values: map[string]any{"Name": []string{"git.example.org"}, "GenericDNSServers": "10.0.0.1", "ConfigOptions": uint32(8)}},
		}, want: []netstate.ScopedResolver{
			{Domain: "example.net", Source: "NRPT rule {A} (local)", Rule: "{A}", Servers: []netip.AddrPort{ap("10.21.12.102:53")}},
			{Domain: "www.example.net", Source: "NRPT rule {B} (local)", Rule: "{B}", Exact: true, Exempt: true},
			{Domain: "git.example.org", Source: "NRPT rule {C} (local)", Rule: "{C}", Exact: true, Servers: []netip.AddrPort{ap("10.0.0.1:53")}},
		}},
		{name: "the rule for every name, and DirectAccess and DNSSEC-only rules: exemptions", local: []nrptRule{
			{ID: "{any}", Values: map[string]any{"Name": []string{"."}, "GenericDNSServers": "100.64.0.1", "ConfigOptions": uint32(8)}},
			{ID: "{da}", Values: map[string]any{"Name": []string{".corp.example"}, "DirectAccessDNSServers": "2001:db8::1", "GenericDNSServers": "10.9.9.9", "ConfigOptions": uint32(0x4)}},
			{ID: "{sec}", Values: map[string]any{"Name": []string{".secure.example"}, "ConfigOptions": uint32(0x2)}},
		}, want: []netstate.ScopedResolver{
			{Domain: ".", Source: "NRPT rule {any} (local)", Rule: "{any}", Servers: []netip.AddrPort{ap("100.64.0.1:53")}},
			{Domain: "corp.example", Source: "NRPT rule {da} (local)", Rule: "{da}", Exempt: true},
			{Domain: "secure.example", Source: "NRPT rule {sec} (local)", Rule: "{sec}", Exempt: true},
		}},
		{name: "hostile values: wrong types, bad and port-suffixed servers, empty and prefix names, subnets", local: []nrptRule{
			{ID: "{types}", Values: map[string]any{"Name": ".corp.example", "GenericDNSServers": []string{"10.0.0.1"}, "ConfigOptions": "8"}},
			{ID: "{bad}", Values: map[string]any{"Name": []string{"", " ", "server1", "10.0.0.0/8", ".", "..", ".a..b", "bad name.example", "\x00.example", ".ok.example"},
				"GenericDNSServers": "10.0.0.1:5353;[fd00::1]:53;dns.corp.example;;  ;999.1.1.1;::ffff:10.0.0.9;10.0.0.10;10.0.0.11;10.0.0.12", "ConfigOptions": uint32(0xffffffff)}},
			{ID: "", Values: map[string]any{"Name": []string{".noid.example"}, "GenericDNSServers": "10.0.0.1", "ConfigOptions": uint32(8)}},
		}, want: []netstate.ScopedResolver{
			{Domain: ".", Source: "NRPT rule {bad} (local)", Rule: "{bad}", Servers: []netip.AddrPort{ap("10.0.0.9:53"), ap("10.0.0.10:53"), ap("10.0.0.11:53")}},
			{Domain: "ok.example", Source: "NRPT rule {bad} (local)", Rule: "{bad}", Servers: []netip.AddrPort{ap("10.0.0.9:53"), ap("10.0.0.10:53"), ap("10.0.0.11:53")}},
		}},
		{name: "no stores (Wine): no rules"},
	} {
		got := nrptScopes(tt.policyExists, tt.policy, tt.local)
		if !slices.EqualFunc(got, tt.want, scopedEqual) {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.name, got, tt.want)
		}
	}
}

func scopedEqual(a, b netstate.ScopedResolver) bool {
	return a.Domain == b.Domain && a.Source == b.Source && slices.Equal(a.Servers, b.Servers) && a.Exact == b.Exact &&
		a.Exempt == b.Exempt && a.Rule == b.Rule && a.Policy == b.Policy && a.Timeout == b.Timeout && a.Order == b.Order
}

// TestNRPTScopesBounded holds the bounds on a huge table: the first
// maxNRPTRules rules, maxNRPTNamespaces namespaces each, and a
// GenericDNSServers of a million items looked at only so far.
func TestNRPTScopesBounded(t *testing.T) {
	names := make([]string, 1000)
	for i := range names {
		names[i] = fmt.Sprintf(".d%d.example", i)
	}
	servers := strings.Repeat("junk;", 1<<20) + "10.0.0.1"
	var rules []nrptRule
	for i := range 200 {
		rules = append(rules, nrptRule{ID: fmt.Sprintf("{%d}", i), Values: map[string]any{"Name": names, "GenericDNSServers": servers, "ConfigOptions": uint32(8)}})
	}
	got := nrptScopes(false, nil, rules)
	if len(got) != maxNRPTRules*maxNRPTNamespaces {
		t.Fatalf("got %d resolvers, want %d", len(got), maxNRPTRules*maxNRPTNamespaces)
	}
	if got[0].Servers != nil || !got[0].Exempt {
		t.Errorf("a server past the items looked at was kept: %+v", got[0])
	}
}
