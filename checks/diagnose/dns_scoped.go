package diagnose

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/netguard/netguard/checks/netstate"
)

// The args of a per-domain resolver: the domain it serves, who left it
// there, and, for a Windows NRPT rule, its name: in {nrpt_rule} when the rule
// is local (its own steps remove it), in {nrpt_policy_rule} when Group Policy
// sets it (only the policy's administrator can).
const (
	ArgDomain         Arg = "domain"
	ArgOrigin         Arg = "origin"
	ArgNRPTRule       Arg = "nrpt_rule"
	ArgNRPTPolicyRule Arg = "nrpt_policy_rule"
)

// The dns check's finding about per-domain resolvers.
var (
	// DNSScopedResolverDead: the name falls under a per-domain resolver
	// (macOS /etc/resolver/<domain>, a Windows NRPT rule) and none of its
	// servers answers.
	DNSScopedResolverDead = &Def{
		ID: "dns-scoped-resolver-dead", Severity: SevError,
		Title:     "A per-domain resolver sends a domain's names to a dead server",
		Text:      "{file} sends names under {domain} to {servers}, which do not answer ({err}): {name} does not resolve; {origin}",
		Optional:  []Arg{ArgNRPTRule, ArgNRPTPolicyRule},
		DependsOn: []*Def{LinkDown, LinkNoCarrier, NoDefaultRoute, InternetUnreachable, LocalFirewallBlocks, FirewallKillSwitch, FirewallDNSLeakGuard, FirewallBlocksDNS},
		Manual: Steps{
			Linux: []string{"cat {file}  # the resolver for names under {domain}",
				"# reconnect the VPN client that wrote it, or remove the file if that VPN is gone"},
			Darwin: []string{"cat {file}  # the resolver macOS uses for names under {domain}",
				"scutil --dns  # the resolver for {domain} among the others",
				"# reconnect the VPN app or start the DNS app that wrote it (Tunnelblick, an openconnect script, Tailscale; puma-dev, Valet), or, if it is gone:",
				"sudo rm {file}  # names under {domain} then go to the default name servers"},
			Windows: windowsNRPTSteps,
		},
		Why: "VPN clients send their company's domain to their own name servers with a per-domain resolver (on macOS a file in /etc/resolver, named after the domain; on Windows a rule of the Name Resolution Policy Table, the NRPT), and local DNS apps do the same for a development domain. When the VPN or the app is gone and the file or rule stays, every name under that domain goes to a server that does not answer, while every other name resolves: the start fails on exactly the hosts it needs.",
		How: "The --dns name (or the project's dns: name) falls under the domain of a per-domain resolver, the most specific one, as the system resolver picks it (a file in /etc/resolver; on Windows the NRPT rules of the registry, Group Policy's when it sets any, else the local ones); its servers, and only they, were asked directly, and none answered.",
	}
)

// windowsNRPTSteps are the Windows steps for a per-domain resolver, an
// NRPT rule: a local one a VPN client added and an administrator may
// remove; one Group Policy sets comes back at the next policy refresh.
var windowsNRPTSteps = []string{
	"Get-DnsClientNrptPolicy -Effective  # the rules in effect: the one for {domain} and its name servers",
	"Get-DnsClientNrptRule -Name {nrpt_rule}  # the local rule, as the VPN client that added it left it",
	"# reconnect the VPN client that added {nrpt_rule}, or, if that VPN is gone, remove the rule as administrator:",
	"Remove-DnsClientNrptRule -Name {nrpt_rule} -Force  # names under {domain} then go to the adapters' DNS servers",
	"gpresult /scope computer /r  # the Group Policy objects applied: one of them sets {nrpt_policy_rule}",
	"# {nrpt_policy_rule} comes from Group Policy and comes back at its next refresh: connect the company's VPN, or ask its administrator to remove the rule",
}

// scopeArgs are the args that name a per-domain resolver: its file or
// rule, its domain and who left it there.
func scopeArgs(sc *netstate.ScopedResolver) Args {
	a := Args{ArgFile: sc.Source, ArgDomain: sc.Domain,
		ArgOrigin: "a VPN client or a local DNS app (puma-dev, Valet's dnsmasq) wrote the file, and it outlived them"}
	if sc.Domain == "." {
		a[ArgDomain] = ". (every name)"
	}
	switch {
	case sc.Rule != "" && sc.Policy:
		a[ArgNRPTPolicyRule] = sc.Rule
		a[ArgOrigin] = "Group Policy sets the rule for a company network or VPN that is not connected"
	case sc.Rule != "":
		a[ArgNRPTRule] = sc.Rule
		a[ArgOrigin] = "a VPN client (Always On VPN, a corporate agent, Cisco, GlobalProtect, Tailscale) added the rule, and it outlived the connection"
	}
	return a
}

// scope is the per-domain resolver the DNS probe's name falls under, nil
// when none.
func (d *diag) scope() *netstate.ScopedResolver {
	return d.s.DNS.Resolver.ScopeFor(d.s.DNS.Name)
}

// scopedResolver reports whether the name falls under a per-domain
// resolver none of whose servers answered while resolution failed, and
// names the file. A REFUSED or SERVFAIL from it is an answer, judged by
// dnsAnswers with the file named.
func (d *diag) scopedResolver() bool {
	r := &d.s.DNS
	sc := d.scope()
	if sc == nil || r.Err == nil || r.NotFound {
		return false
	}
	var addrs, errs, evidence []string
	for _, s := range r.Servers {
		if s.Upstream {
			continue
		}
		if s.Answered || s.Err == nil {
			return false
		}
		addrs = append(addrs, serverName(s.Server))
		e := netstate.ErrText(s.Err)
		if !slices.Contains(errs, e) {
			errs = append(errs, e)
		}
		evidence = append(evidence, fmt.Sprintf("%s: %s", serverName(s.Server), e))
	}
	if len(addrs) == 0 {
		return false
	}
	if dead, ev := d.nameServersDead(); dead {
		evidence = append(evidence, ev...)
	}
	evidence = append(evidence, fmt.Sprintf("%s: domain %s, nameserver %s", sc.Source, sc.Domain, strings.Join(addrs, ", ")))
	args := scopeArgs(sc)
	args[ArgServers], args[ArgErr], args[ArgName] = strings.Join(addrs, ListSep), strings.Join(errs, ", "), r.Name
	d.add(DNSScopedResolverDead, args, evidence...)
	d.failureExplained()
	d.supersede(DNSServerFailed, nil)
	return true
}

// serverName is a name server as a person writes it: the address alone
// on port 53.
func serverName(ap netip.AddrPort) string {
	if ap.Port() == 53 {
		return ap.Addr().String()
	}
	return ap.String()
}
