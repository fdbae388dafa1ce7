package probe

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/netguard/netguard/checks/netstate"
)

// The Windows Name Resolution Policy Table (NRPT) is read from the
// registry as [MS-GPNRPT] (Group Policy: Name Resolution Policy Table Data
// Extension) section 2.2.2 lays it out: one key per rule, named by the
// rule (a GUID), under the Group Policy store (HKLM\SOFTWARE\Policies\
// Microsoft\Windows NT\DNSClient\DnsPolicyConfig) or the local one
// (HKLM\SYSTEM\CurrentControlSet\Services\Dnscache\Parameters\
// DnsPolicyConfig); the keys are in nrpt_windows.go.
//
//   - Name (REG_MULTI_SZ): the rule's namespaces, of the kinds Microsoft's
//     "The NRPT" (Windows Server 2012 R2) lists: a suffix ".corp.example"
//     (the domain and every name under it), an FQDN "host.corp.example"
//     ("applies only to the specified host"), a prefix (a bare label
//     under any domain), a subnet (reverse lookups), and Any, written "."
//     (Add-DnsClientNrptRule -Namespace "." is how VPN clients such as
//     Firezone send every name to their servers). "." is kept as a
//     resolver for every name, the least specific; prefixes and subnets
//     are left out, as the DNS probe asks for a full forward name.
//   - GenericDNSServers (REG_SZ, 2.2.2.13): the rule's servers, taken to
//     be written as DirectAccessDNSServers (2.2.2.12) is, addresses
//     separated by ";" (Tailscale writes "; "); a name, or an address
//     with a port, which the NRPT has no field for, is left out.
//   - ConfigOptions (REG_DWORD, 2.2.2.2): the bit 0x8 says the generic
//     DNS server option is set; 0x2 (DNSSEC) and 0x4 (DirectAccess)
//     alone name no servers for every network.
//
// A rule without servers is an exemption: "If a DNS name matches an entry
// in the NRPT that does not contain addresses of DNS servers, the
// DirectAccess client sends the name query to the DNS servers specified
// in the client's TCP/IP settings" (Forefront UAG, "Identifying DNS
// servers"). Exemptions for hosts inside a suffix rule work only because
// the most specific rule covering a name is the one used, so that is how
// netstate.ResolverConfig.ScopeFor picks. When the Group Policy store
// exists, its rules alone are in effect and the local ones are not: not
// in Microsoft's text, but what Tailscale's client relies on
// (net/dns/nrpt_windows.go writes its rules to both stores while other
// Group Policy rules exist, and deletes the emptied Group Policy key, as
// "Group policy will continue to override local settings" while it is
// there).
const nrptGenericServers = 0x8 // ConfigOptions' bit for GenericDNSServers

// Bounds of one NRPT: Tailscale splits its rules at 50 namespaces, and a
// machine has a handful of rules.
const (
	maxNRPTRules      = 64
	maxNRPTNamespaces = 64
	// maxNRPTServerItems is how many ";"-separated items of
	// GenericDNSServers are looked at, of which the first maxNameServers
	// addresses are kept.
	maxNRPTServerItems = 16
)

// nrptRule is one rule key as read from the registry: its name and its
// values, each as the Go type of its registry type (REG_SZ string,
// REG_MULTI_SZ []string, REG_DWORD uint32), so a value of the wrong type
// is seen as such.
type nrptRule struct {
	ID     string
	Values map[string]any
}

// nrptScopes decodes the rules of the Group Policy store (policy, read
// when policyExists) or else the local store into per-domain resolvers,
// one per namespace, in the order given.
func nrptScopes(policyExists bool, policy, local []nrptRule) []netstate.ScopedResolver {
	rules, store := local, "local"
	if policyExists {
		rules, store = policy, "Group Policy"
	}
	var out []netstate.ScopedResolver
	for i, r := range rules {
		if i == maxNRPTRules {
			break
		}
		out = append(out, parseNRPTRule(r, policyExists, "NRPT rule "+r.ID+" ("+store+")")...)
	}
	return out
}

// parseNRPTRule decodes one rule: a resolver for each namespace it names,
// with the rule's servers, or an exemption when it has none.
func parseNRPTRule(r nrptRule, policy bool, source string) []netstate.ScopedResolver {
	if r.ID == "" {
		return nil
	}
	names, _ := r.Values["Name"].([]string)
	var servers []netip.AddrPort
	if opts, _ := r.Values["ConfigOptions"].(uint32); opts&nrptGenericServers != 0 {
		s, _ := r.Values["GenericDNSServers"].(string)
		servers = parseNRPTServers(s)
	}
	var out []netstate.ScopedResolver
	for i, n := range names {
		if i == maxNRPTNamespaces {
			break
		}
		domain, exact, ok := nrptNamespace(n)
		if !ok {
			continue
		}
		out = append(out, netstate.ScopedResolver{
			Domain: domain, Exact: exact, Source: source, Servers: servers,
			Exempt: len(servers) == 0, Rule: r.ID, Policy: policy,
		})
	}
	return out
}

// nrptNamespace reads one namespace of a rule's Name: ".corp.example" a
// suffix, "host.corp.example" one host (exact), "." every name. ok is
// false for what the DNS probe's names never match: a prefix (one label
// without a leading dot), a subnet, anything that is no host name.
func nrptNamespace(n string) (domain string, exact, ok bool) {
	n = strings.ToLower(strings.TrimSpace(n))
	if n == "." {
		return ".", false, true
	}
	suffix := strings.HasPrefix(n, ".")
	n = strings.TrimSuffix(strings.TrimPrefix(n, "."), ".")
	if !hostName(n) || (!suffix && !strings.Contains(n, ".")) {
		return "", false, false
	}
	return n, !suffix, true
}

// parseNRPTServers reads GenericDNSServers: addresses separated by ";",
// the first maxNameServers kept; names and anything else left out.
func parseNRPTServers(s string) []netip.AddrPort {
	var out []netip.AddrPort
	for i := 0; i < maxNRPTServerItems && s != "" && len(out) < maxNameServers; i++ {
		var item string
		item, s, _ = strings.Cut(s, ";")
		a, err := netip.ParseAddr(strings.TrimSpace(item))
		if err != nil {
			continue
		}
		ap := netip.AddrPortFrom(a.Unmap(), 53)
		if !slices.Contains(out, ap) {
			out = append(out, ap)
		}
	}
	return out
}
