package probe

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/netguard/netguard/checks/netstate"
)

// The Windows Name Resolution Policy Table (NRPT) is read from the
// registry, as [MS-GPNRPT] (Group Policy: Name Resolution Policy Table
// Data Extension) section 2.2.2 lays it out: one key per rule, named by
// the rule (a GUID), under the Group Policy store or the local one.
//
//   - Name (REG_MULTI_SZ): the namespaces the rule covers; ".corp.example"
//     is a suffix (the domain and every name under it), "host.corp.example"
//     one host (the NRPT's FQDN rule, "applies only to the specified
//     host"), "." every name (the NRPT's "Any" namespace; Windows sends
//     every name no more specific rule covers to it: VPN clients such as
//     Firezone claim all names with it).
//   - GenericDNSServers (REG_SZ, section 2.2.2.13): the rule's servers,
//     separated by ";" (Tailscale writes "; "); addresses only, no port.
//   - ConfigOptions (REG_DWORD, section 2.2.2.2): 0x8 says the generic
//     DNS server option is set; 0x2 (DNSSEC) and 0x4 (DirectAccess) rules
//     without it name no servers of their own.
//
// A rule without servers is an exemption: "If a DNS name matches an entry
// in the NRPT that does not contain addresses of DNS servers, the
// DirectAccess client sends the name query to the DNS servers specified
// in the client's TCP/IP settings" (Forefront UAG, "Identifying DNS
// servers"; Always On VPN writes such rules for hosts kept off the
// tunnel), and the most specific rule that covers a name is the one used,
// which is how an exemption inside a suffix rule works. When the Group
// Policy store exists, the DNS client reads it alone: local rules are not
// in effect then (Tailscale's net/dns/nrpt_windows.go writes its rules to
// both stores for that reason, and deletes the empty Group Policy key
// since "Group policy will continue to override local settings" while it
// exists). Prefix rules (a bare host label matched under any domain) and
// reverse-lookup subnets are left out: the DNS probe asks for a full name.
const (
	nrptPolicyStore = `SOFTWARE\Policies\Microsoft\Windows NT\DNSClient\DnsPolicyConfig`
	nrptLocalStore  = `SYSTEM\CurrentControlSet\Services\Dnscache\Parameters\DnsPolicyConfig`
	// nrptGenericServers is ConfigOptions' bit for GenericDNSServers.
	nrptGenericServers = 0x8
)

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
		out = append(out, parseNRPTRule(r, store == "Group Policy", "NRPT rule "+r.ID+" ("+store+")")...)
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
