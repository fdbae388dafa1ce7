package diagnose

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/netguard/netguard/checks/netstate"
)

// ArgDomain is the domain a per-domain resolver serves.
const ArgDomain Arg = "domain"

// The dns check's finding about per-domain resolvers.
var (
	// DNSScopedResolverDead: the name falls under a per-domain resolver
	// (macOS /etc/resolver/<domain>) and none of its servers answers.
	DNSScopedResolverDead = &Def{
		ID: "dns-scoped-resolver-dead", Severity: SevError,
		Title:     "A per-domain resolver sends a domain's names to a dead server",
		Text:      "{file} sends names under {domain} to {servers}, which do not answer ({err}): {name} does not resolve; a VPN client or a local DNS app (puma-dev, Valet's dnsmasq) wrote the file, and it outlived them",
		DependsOn: []*Def{LinkDown, LinkNoCarrier, NoDefaultRoute, InternetUnreachable, LocalFirewallBlocks, FirewallKillSwitch, FirewallDNSLeakGuard, FirewallBlocksDNS},
		Manual: Steps{
			Linux: []string{"cat {file}  # the resolver for names under {domain}",
				"# reconnect the VPN client that wrote it, or remove the file if that VPN is gone"},
			Darwin: []string{"cat {file}  # the resolver macOS uses for names under {domain}",
				"scutil --dns  # the resolver for {domain} among the others",
				"# reconnect the VPN app or start the DNS app that wrote it (Tunnelblick, an openconnect script, Tailscale; puma-dev, Valet), or, if it is gone:",
				"sudo rm {file}  # names under {domain} then go to the default name servers"},
			Windows: []string{"Get-DnsClientNrptPolicy  # the per-domain rules for {domain}",
				"# reconnect the VPN client that set them, or remove them if that VPN is gone"},
		},
		Why: "VPN clients send their company's domain to their own name servers with a per-domain resolver (on macOS a file in /etc/resolver, named after the domain), and local DNS apps do the same for a development domain. When the VPN or the app is gone and the file stays, every name under that domain goes to a server that does not answer, while every other name resolves: the start fails on exactly the hosts it needs.",
		How: "The --dns name (or the project's dns: name) falls under the domain of a per-domain resolver file, the most specific one, as the system resolver picks it; its servers, and only they, were asked directly, and none answered.",
	}
)

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
	d.add(DNSScopedResolverDead, Args{
		ArgFile: sc.Source, ArgDomain: sc.Domain, ArgServers: strings.Join(addrs, ListSep),
		ArgErr: strings.Join(errs, ", "), ArgName: r.Name,
	}, evidence...)
	d.supersede(DNSFailed, nil)
	d.supersede(DNSLossy, nil)
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
