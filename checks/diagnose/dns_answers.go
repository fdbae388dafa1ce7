package diagnose

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/netguard/netguard/checks/netstate"
)

// ArgSearch is the resolver's search list, as the configuration gives it;
// ArgAdapterServer a name server the network adapters list (Windows),
// absent when an NRPT rule's server is meant.
const (
	ArgSearch        Arg = "search"
	ArgAdapterServer Arg = "adapter_server"
)

// The findings of the dns check about what name servers answer: a REFUSED
// or SERVFAIL is an answer, so the server and the path to it work, and the
// rcode says why the name does not resolve. None offers a cache flush: a
// cache holds no refusal to forget.
var (
	DNSServerRefused = &Def{
		ID: "dns-server-refused", Severity: SevError,
		Title:    "A name server refuses the name",
		Text:     "name server {server} refuses to resolve {name} (REFUSED): it answers only for the names it serves, as a VPN's or an office's resolver left in {file} does{detail}",
		Optional: []Arg{ArgSearch, ArgDomain, ArgNRPTRule, ArgNRPTPolicyRule, ArgAdapterServer},
		Manual: Steps{
			Linux: []string{"cat {file}  # {server} is listed there", "[systemd-resolved] resolvectl status  # which link lists {server}", "[NetworkManager] nmcli device show  # which connection lists {server}", "[resolvconf] ls /run/resolvconf/interface  # which interface's entry lists {server}",
				"# the search domain {search} came with it", "# reconnect or quit the VPN client that set {server}, or remove it from the network settings"},
			Darwin: []string{"cat {file}  # {server} is listed there", "scutil --dns  # which resolver lists {server}", "# the search domain {search} came with it",
				"# reconnect or quit the VPN app that set {server}, or remove it in System Settings › Network › Details › DNS"},
			Windows: slices.Concat([]string{"Resolve-DnsName {name} -Server {server}  # REFUSED"}, windowsNRPTSteps, []string{
				"Get-DnsClientServerAddress  # which adapter lists {adapter_server}", "Get-DnsClientGlobalSetting  # the suffix search list ({search})",
				"# reconnect or quit the VPN client that set {adapter_server}, or remove it: Settings › Network & internet › Properties › DNS server assignment"}),
		},
		Why: "The name server asked refuses names it does not serve: a VPN's or an office's resolver reached after the VPN is gone, or asked for public names. Public names do not resolve through it, and flushing caches cannot help.",
		How: "Each name server the resolver uses for the --dns name (a per-domain resolver's, such as macOS /etc/resolver/<domain> or a Windows NRPT rule, when the name is under its domain) was asked directly for it and answered REFUSED; the search list comes from the same configuration.",
	}

	DNSStubUpstreamsDead = &Def{
		ID: "dns-stub-upstreams-dead", Severity: SevError,
		Title:     "The local resolver's upstreams do not answer",
		Text:      "{service} at {server} cannot resolve {name}: {detail}",
		DependsOn: []*Def{LinkDown, LinkNoCarrier, NoDefaultRoute, InternetUnreachable, LocalFirewallBlocks},
		Optional:  []Arg{ArgTargets, ArgUnit},
		Manual: Steps{
			Linux: []string{"[systemd-resolved] resolvectl status  # the upstreams {server} asks", "ip route get {targets}  # the route to each upstream",
				"# reconnect the network or the VPN whose servers the resolver asks, or give it upstreams that answer (resolved.conf DNS=, dnsmasq server=)",
				"sudo systemctl restart {unit}  # once its upstreams answer"},
			Darwin: []string{"scutil --dns  # the upstreams {server} asks", "route -n get {targets}  # the route to each upstream",
				"# reconnect the network or the VPN, or give the DNS app upstreams that answer"},
			Windows: []string{"Get-DnsClientServerAddress  # which adapter lists {server}", "Find-NetRoute -RemoteIPAddress {targets}  # the route to each upstream",
				"# reconnect the network or the VPN, or give the local DNS proxy upstreams that answer"},
		},
		Why: "Every lookup goes to a resolver on this machine that answers, but cannot reach any of its own upstream servers: nothing resolves, and restarting it alone does not help.",
		How: "The loopback name server answered SERVFAIL for the --dns name, or took the query and never answered (nothing is lost on loopback: a stub that waits is waiting on its upstreams); its upstreams, where readable (systemd-resolved's /run/systemd/resolve/resolv.conf), were asked directly and none answered.",
	}

	DNSServerServfail = &Def{
		ID: "dns-server-servfail", Severity: SevError,
		Title:     "A name server fails to resolve the name",
		Text:      "name server {server} answers SERVFAIL for {name}: it cannot resolve it{detail}",
		DependsOn: []*Def{LinkDown, LinkNoCarrier, NoDefaultRoute, InternetUnreachable, LocalFirewallBlocks},
		Manual: Steps{
			Linux:   []string{"getent hosts {name}", "[systemd-resolved] resolvectl query {name}", "cat /etc/resolv.conf  # {server} is listed there", "# ask the network's owner about {server} (its upstreams, DNSSEC), or use another name server"},
			Darwin:  []string{"dscacheutil -q host -a name {name}", "scutil --dns  # which resolver lists {server}", "# ask the network's owner about {server} (its upstreams, DNSSEC), or use another name server"},
			Windows: []string{"Resolve-DnsName {name} -Server {server}  # SERVFAIL", "Get-DnsClientServerAddress  # which adapter lists {server}", "# ask the network's owner about {server} (its upstreams, DNSSEC), or use another name server"},
		},
		Why: "The name server answers but cannot resolve the name: its own upstreams are unreachable, the name's servers are broken, or DNSSEC validation fails. The path to the server works; the fault is behind it.",
		How: "The name server was asked directly for the --dns name and answered SERVFAIL; for a local resolver whose upstreams are readable, they were asked too and one answered.",
	}
)

// usable reports whether a direct answer resolves the name: an address or
// NXDOMAIN.
func usable(s netstate.DNSServerResult) bool {
	return s.Answered && (s.Rcode == "NOERROR" || s.Rcode == "NXDOMAIN")
}

// dnsAnswers names the servers that answered REFUSED or SERVFAIL, and a
// loopback stub that stayed silent while resolution failed. It reports
// true when it named one: they are the cause when resolution fails, and a
// warning each when another server answers. A failed resolution is only
// theirs when no server of the resolver's own answered usably.
func (d *diag) dnsAnswers() bool {
	r := &d.s.DNS
	failed := r.Err != nil && !r.NotFound
	upstreamOK := false
	for _, s := range r.Servers {
		if !s.Upstream && usable(s) {
			failed = false
		}
		upstreamOK = upstreamOK || (s.Upstream && usable(s))
	}
	// A per-domain resolver's server on loopback is a DNS app serving
	// its domain, not the system's stub with upstreams.
	scoped := d.scope() != nil
	found := false
	for _, s := range r.Servers {
		// A loopback stub that takes the query and stays silent is
		// waiting on its upstreams (dnsmasq does not answer until they
		// do); named only when resolution failed, since a silent first
		// server ahead of a working one is a finding of its own.
		silentStub := failed && !upstreamOK && !scoped && !s.Answered && s.Server.Addr().IsLoopback() && netstate.Classify(s.Err) == netstate.ClassTimeout
		if s.Upstream || (!silentStub && (!s.Answered || (s.Rcode != "REFUSED" && s.Rcode != "SERVFAIL"))) {
			continue
		}
		var f *Finding
		// A stub on loopback that refuses has no upstream to ask
		// (dnsmasq with none configured): its upstreams are the cause,
		// unless one of them answers.
		if s.Rcode == "REFUSED" && (!s.Server.Addr().IsLoopback() || upstreamOK || scoped) {
			f = d.refused(s)
		} else {
			f = d.servfail(s)
		}
		if !failed {
			f.Severity = SevWarning // another server answers: lookups work
		}
		found = true
	}
	if !found {
		return false
	}
	if failed {
		d.failureExplained()
	}
	return true
}

// refused adds the finding of a server that answered REFUSED, with the
// search list that usually came with it.
func (d *diag) refused(s netstate.DNSServerResult) *Finding {
	cfg := &d.s.DNS.Resolver
	a := s.Server.Addr().String()
	args := Args{ArgServer: a, ArgName: d.s.DNS.Name, ArgFile: cmp.Or(cfg.Source, "the resolver configuration"), ArgDetail: ""}
	evidence := []string{fmt.Sprintf("%s: %s", a, serverText(s))}
	if sc := d.scope(); sc != nil {
		// A per-domain resolver's server, asked because the name is under
		// its domain: its file is where it was left, its domain what it
		// came with.
		sa := scopeArgs(sc)
		for _, k := range []Arg{ArgFile, ArgDomain, ArgNRPTRule, ArgNRPTPolicyRule} {
			if sa[k] != "" {
				args[k] = sa[k]
			}
		}
		args[ArgDetail] = "; it is the resolver for " + sa[ArgDomain]
		evidence = append(evidence, fmt.Sprintf("%s: domain %s", sc.Source, sc.Domain))
		return d.add(DNSServerRefused, args, evidence...)
	}
	args[ArgAdapterServer] = a
	if len(cfg.Search) > 0 {
		search := strings.Join(cfg.Search, " ")
		args[ArgSearch] = search
		args[ArgDetail] = fmt.Sprintf("; search domain %s", search)
		evidence = append(evidence, fmt.Sprintf("%s: search %s", cmp.Or(cfg.Source, "resolver"), search))
	}
	return d.add(DNSServerRefused, args, evidence...)
}

// servfail adds the finding of a server that answered SERVFAIL, or of a
// loopback stub that refused or stayed silent: a local stub whose
// upstreams are all silent, or a server that fails by itself.
func (d *diag) servfail(s netstate.DNSServerResult) *Finding {
	r := &d.s.DNS
	a := s.Server.Addr()
	evidence := []string{fmt.Sprintf("%s: %s", a, serverText(s))}
	var ups, dead []string
	answered := ""
	for _, u := range r.Servers {
		if !u.Upstream {
			continue
		}
		ups = append(ups, u.Server.Addr().String())
		evidence = append(evidence, fmt.Sprintf("upstream %s: %s", u.Server.Addr(), serverText(u)))
		switch {
		case usable(u) && answered == "":
			answered = u.Server.Addr().String()
		case !u.Answered:
			dead = append(dead, fmt.Sprintf("%s %s", u.Server.Addr(), netstate.ErrText(u.Err)))
		}
	}
	if !a.IsLoopback() || answered != "" || d.scope() != nil {
		detail := ""
		if answered != "" {
			detail = fmt.Sprintf(", while its upstream %s answers directly: the resolver itself fails (DNSSEC validation, its own configuration)", answered)
		}
		return d.add(DNSServerServfail, Args{ArgServer: a.String(), ArgName: r.Name, ArgDetail: detail}, evidence...)
	}
	args := Args{ArgServer: a.String(), ArgName: r.Name, ArgService: d.localService(a)}
	how := "it answers SERVFAIL"
	switch {
	case s.Rcode == "REFUSED":
		how = "it answers REFUSED (it has no upstream to forward to)"
	case !s.Answered:
		how = "it takes the query but never answers (" + netstate.ErrText(s.Err) + " on loopback, where nothing is lost)"
	}
	switch {
	case len(ups) == 0 && s.Rcode == "REFUSED":
		args[ArgDetail] = how
	case len(ups) == 0:
		args[ArgDetail] = how + ": its upstream servers do not answer it (its configuration does not list them where netguard can read it)"
	case len(dead) == len(ups):
		args[ArgDetail] = how + " and none of its upstreams answers (" + strings.Join(dead, ", ") + ")"
		args[ArgTargets] = strings.Join(ups, ListSep)
	default:
		// Some upstream answered, but not usably (REFUSED, SERVFAIL).
		args[ArgDetail] = how + " and none of its upstreams resolves it (" + strings.Join(evidence[1:], ", ") + ")"
		args[ArgTargets] = strings.Join(ups, ListSep)
	}
	if a == netstate.ResolvedStub {
		args[ArgUnit] = "systemd-resolved"
	}
	return d.add(DNSStubUpstreamsDead, args, evidence...)
}
