package netstate

import (
	"net/netip"
	"slices"
	"testing"
)

// TestScopeFor holds which resolver the system resolver uses for a name:
// the longest domain the name is under at a label boundary, the lower
// search_order among equals, never one without servers.
func TestScopeFor(t *testing.T) {
	ap := netip.MustParseAddrPort
	c := ResolverConfig{
		Servers:   []netip.AddrPort{ap("192.0.2.53:53")},
		Upstreams: []netip.AddrPort{ap("192.0.2.54:53")},
		Scoped: []ScopedResolver{
			{Domain: "corp.example", Source: "/etc/resolver/corp.example", Servers: []netip.AddrPort{ap("10.8.0.1:53")}},
			{Domain: "dev.corp.example", Source: "/etc/resolver/dev.corp.example", Servers: []netip.AddrPort{ap("10.9.0.1:53")}, Order: 5},
			{Domain: "dev.corp.example", Source: "/etc/resolver/dev2", Servers: []netip.AddrPort{ap("10.9.0.2:53")}, Order: 1},
			{Domain: "local", Source: "/etc/resolver/local"}, // mDNS: no servers
		},
	}
	for _, tt := range []struct {
		name   string
		source string // "": the default servers
	}{
		{"corp.example", "/etc/resolver/corp.example"},
		{"git.corp.example.", "/etc/resolver/corp.example"},
		{"GIT.Corp.Example", "/etc/resolver/corp.example"},
		{"a.dev.corp.example", "/etc/resolver/dev2"},
		{"xcorp.example", ""},
		{"example", ""},
		{"printer.local", ""},
		{"www.lab.test", ""},
	} {
		sc := checkScope(t, c, tt.name, tt.source)
		own, ups := c.ServersFor(tt.name)
		switch {
		case sc != nil && (!slices.Equal(own, sc.Servers) || ups != nil):
			t.Errorf("ServersFor(%q) = %v %v, want the scoped %v alone", tt.name, own, ups, sc.Servers)
		case sc == nil && (!slices.Equal(own, c.Servers) || !slices.Equal(ups, c.Upstreams)):
			t.Errorf("ServersFor(%q) = %v %v, want the defaults", tt.name, own, ups)
		}
	}
}

// TestScopeForNRPT holds the Windows NRPT's choice among its rules: a
// host's own rule covers that host alone and wins over its domain's, an
// exemption (a rule without servers) sends the names it covers to the
// default servers even under a less specific rule, and the rule for "."
// covers every name no other rule does.
func TestScopeForNRPT(t *testing.T) {
	ap := netip.MustParseAddrPort
	c := ResolverConfig{
		Servers: []netip.AddrPort{ap("192.0.2.53:53")},
		Scoped: []ScopedResolver{
			{Domain: ".", Source: "any", Servers: []netip.AddrPort{ap("100.100.100.100:53")}},
			{Domain: "corp.example", Source: "suffix", Servers: []netip.AddrPort{ap("10.8.0.1:53")}},
			{Domain: "www.corp.example", Source: "www exempt", Exact: true, Exempt: true},
			{Domain: "vpn.corp.example", Source: "vpn host", Exact: true, Servers: []netip.AddrPort{ap("10.8.0.9:53")}},
			{Domain: "corp.example", Source: "corp host", Exact: true, Servers: []netip.AddrPort{ap("10.8.0.7:53")}},
			{Domain: "lab.example", Source: "lab exempt", Exempt: true},
			{Domain: "lab.example", Source: "lab", Servers: []netip.AddrPort{ap("10.7.0.1:53")}},
			{Domain: "dnssec.example", Source: "dnssec"}, // no servers, not an exemption: ignored
		},
	}
	for _, tt := range []struct {
		name   string
		source string // "": the default servers
	}{
		{"git.corp.example", "suffix"},
		{"www.corp.example", ""},         // exempt host
		{"a.www.corp.example", "suffix"}, // the exemption is for the host alone
		{"vpn.corp.example", "vpn host"}, // the host's rule
		{"x.vpn.corp.example", "suffix"}, // not under the host's rule
		{"corp.example", "corp host"},    // a host's rule before its domain's
		{"git.lab.example", "lab"},       // servers before an exemption among equals
		{"www.lab.test", "any"},          // the rule for every name
		{"x.dnssec.example", "any"},
	} {
		checkScope(t, c, tt.name, tt.source)
	}
}

// checkScope checks that c.ScopeFor(name) is the resolver from source (""
// for the default servers), and returns it.
func checkScope(t *testing.T, c ResolverConfig, name, source string) *ScopedResolver {
	t.Helper()
	sc := c.ScopeFor(name)
	got := ""
	if sc != nil {
		got = sc.Source
	}
	if got != source {
		t.Errorf("ScopeFor(%q) = %q, want %q", name, got, source)
	}
	return sc
}
