package diagnose

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/netguard/netguard/checks/netstate"
)

// DNS is the dns check.
var DNS = &Check{
	ID: "dns", Chained: true, judge: (*diag).dns,
	Findings: []*Def{DNSNoServers, DNSFailed, DNSLossy, DNSServerFailed, DNSNameNotFound, DNSLocalResolverDown, DNSFirstServerSilent, DNSServerRefused, DNSStubUpstreamsDead, DNSServerServfail, DNSScopedResolverDead, ProxyFakeIP, ProxyAppUpstreamDead},
}

// The findings of the dns check, in root-cause order.
var (
	DNSNoServers = &Def{
		ID: "dns-no-servers", Severity: SevError,
		Title: "No name server", Text: "resolving {name} failed and no name server is configured",
		Manual: Steps{
			Linux:   []string{"cat /etc/resolv.conf", "[systemd-resolved] resolvectl status", "# renew DHCP, or set a name server in the network's configuration", "[NetworkManager] nmcli device show  # the DNS servers NetworkManager got", "[resolvconf] ls /etc/resolvconf/resolv.conf.d  # resolvconf writes /etc/resolv.conf from these and each interface's DHCP"},
			Darwin:  []string{"scutil --dns", "# set DNS servers: System Settings › Network › Details › DNS"},
			Windows: []string{"Get-DnsClientServerAddress", "# set DNS servers: Settings › Network & internet › Properties › DNS server assignment"},
		},
		Why: "Without a name server no host name resolves: every tool that connects by name fails.",
		How: "Resolution through the system resolver failed and the resolver configuration lists no name server.",
	}

	DNSFailed = &Def{
		ID: "dns-failed", Severity: SevError,
		Title: "DNS resolution fails", Text: "resolving {name} failed: {err}",
		DependsOn: []*Def{LinkDown, LinkNoCarrier, NoDefaultRoute, InternetUnreachable, DNSNoServers, LocalFirewallBlocks, NameServerRouteDiverted, FirewallKillSwitch, FirewallBlocksOutbound, FirewallOutboundAllowlist, FirewallDNSLeakGuard, FirewallBlocksDNS},
		Fixes:     []netstate.Rung{netstate.RungFlushDNS},
		Manual: Steps{
			Linux:   []string{"cat /etc/resolv.conf  # the name servers asked", "getent hosts {name}", "[systemd-resolved] resolvectl status", "[systemd-resolved] resolvectl query {name}", "[systemd-resolved] sudo systemctl restart systemd-resolved", "[NetworkManager] nmcli device show  # the DNS servers NetworkManager got"},
			Darwin:  []string{"scutil --dns  # the name servers asked", "dscacheutil -q host -a name {name}", "sudo dscacheutil -flushcache", "sudo killall -HUP mDNSResponder"},
			Windows: []string{"Get-DnsClientServerAddress  # the name servers asked", "Resolve-DnsName {name}", "ipconfig /flushdns"},
		},
		Why: "Host names do not resolve: registries, git remotes and APIs are unreachable by name even though the network may work.",
		How: "The system resolver failed for the test name (after a retry on a fresh resolver), and the name servers were queried directly to tell a lossy path from a dead server.",
	}

	DNSLossy = &Def{
		ID: "dns-lossy", Severity: SevWarning,
		Title: "DNS replies are being lost", Text: "the system resolver timed out on {name} while {server} answered a direct query: replies are being lost on the way",
		DependsOn: []*Def{InternetUnreachable},
		Manual: Steps{
			Linux:   []string{"ping -c 20 {server}  # packet loss?", "# check the Wi-Fi signal or a congested uplink"},
			Darwin:  []string{"ping -c 20 {server}  # packet loss?", "# check the Wi-Fi signal (Option-click the Wi-Fi icon) or a congested uplink"},
			Windows: []string{"ping -n 20 {server}  # packet loss?", "# check the Wi-Fi signal or a congested uplink"},
		},
		Why: "Replies are being lost on the way: name lookups are slow or fail intermittently, which looks like random timeouts in tools.",
		How: "The system resolver timed out while a direct query to a configured server answered.",
	}

	DNSServerFailed = &Def{
		ID: "dns-server-failed", Severity: SevWarning,
		Title: "A name server does not answer", Text: "name server {server} does not answer ({err}) while resolution works",
		DependsOn: []*Def{DNSFailed},
		Manual: Steps{
			Linux:   []string{"cat /etc/resolv.conf", "[systemd-resolved] resolvectl status  # which link lists {server}", "# remove or fix that server in the network settings: lookups that try it first are slow"},
			Darwin:  []string{"scutil --dns  # which service lists {server}", "# remove or fix that server in System Settings › Network › Details › DNS"},
			Windows: []string{"Resolve-DnsName {name} -Server {server}", "Get-DnsClientServerAddress  # which adapter lists {server}", "# remove or fix that server: Settings › Network & internet › Properties › DNS server assignment"},
		},
		Why: "One configured name server does not answer; lookups still work through the others but may be slow when it is tried first.",
		How: "A direct query to this server failed while resolution through the system resolver succeeded.",
	}

	DNSNameNotFound = &Def{
		ID: "dns-name-not-found", Severity: SevInfo,
		Title: "Test name does not exist", Text: "{name} does not exist (NXDOMAIN): DNS itself works",
		Manual: Steps{
			Linux:   []string{"# nothing to do: DNS works; give --dns a name that exists", "getent hosts {name}"},
			Darwin:  []string{"# nothing to do: DNS works; give --dns a name that exists", "dscacheutil -q host -a name {name}"},
			Windows: []string{"# nothing to do: DNS works; give --dns a name that exists", "Resolve-DnsName {name}"},
		},
		Why: "Informational: the test name does not exist, which proves DNS itself works. Pick another --dns name to test a real one.",
		How: "The resolver answered NXDOMAIN for the test name.",
	}

	DNSLocalResolverDown = &Def{
		ID: "dns-local-resolver-down", Severity: SevError,
		Title:     "The local resolver is not running",
		Text:      "name server {server} refuses queries: {service} is not running{detail}",
		DependsOn: []*Def{LinkDown},
		Optional:  []Arg{ArgUnit, ArgNext},
		Manual: Steps{
			Linux:   []string{"sudo systemctl start {unit}", "systemctl status {unit}  # why it stopped", "# start the resolver, or remove the server from /etc/resolv.conf", "cat /etc/resolv.conf  # {next} answer directly: point it at one of them while the resolver is down"},
			Darwin:  []string{"sudo launchctl kickstart -k system/com.apple.mDNSResponder", "scutil --dns  # which resolver lists {server}", "# remove the server in System Settings › Network › Details › DNS if a DNS app that is gone put it there"},
			Windows: []string{"Get-Service Dnscache", "Get-DnsClientServerAddress  # which adapter lists {server}", "# start the DNS proxy app meant to listen on the server, or remove it: Settings › Network & internet › Properties › DNS server assignment"},
		},
		Why: "Every lookup goes to a resolver on this machine that is not running: nothing resolves, though the network and the upstream servers may be fine.",
		How: "A direct query to the loopback name server was refused at once (ICMP port unreachable, ECONNREFUSED); for systemd-resolved's stub, its upstreams from /run/systemd/resolve/resolv.conf are asked directly too.",
	}

	DNSFirstServerSilent = &Def{
		ID: "dns-first-server-silent", Severity: SevWarning,
		Title:     "A silent name server comes before a working one",
		Text:      "name server {server} comes first in {file} but does not answer, while {next} does: every lookup waits {wait} for it first{detail}",
		DependsOn: []*Def{LinkDown, LinkNoCarrier, NoDefaultRoute, InternetUnreachable, FirewallDNSLeakGuard, FirewallBlocksDNS},
		Manual: Steps{
			Linux:   []string{"cat {file}  # {next} should come first", "[systemd-resolved] resolvectl status  # which link lists {server} (often a VPN's leftover)", "[NetworkManager] nmcli device show  # which connection lists {server}: remove it with nmcli connection modify", "[resolvconf] ls /run/resolvconf/interface  # which interface's entry lists {server}", "# or remove it in the VPN client"},
			Darwin:  []string{"scutil --dns  # which service lists {server} (often a VPN's leftover)", "# remove the server in System Settings › Network › Details › DNS, or reconnect or quit the VPN app"},
			Windows: []string{"Get-DnsClientServerAddress  # which adapter lists {server} (often a VPN's leftover)", "# remove the server: Settings › Network & internet › Properties › DNS server assignment", "ipconfig /flushdns"},
		},
		Why: "The resolver asks its servers in order and waits its whole timeout for a silent first one (a VPN's leftover) before asking the next: every lookup of the start is that much slower, and tools with a shorter timeout fail.",
		How: "The servers in the resolver's order (resolv.conf with its timeout and attempts, the Windows adapters by metric) are each asked directly: the first stays silent while a later one answers; the kernel's route lookup says whether a route still leads to it. Loss is reported instead only when the same server answers directly while the resolver timed out.",
	}

	ProxyFakeIP = &Def{
		ID: "proxy-fake-ip", Severity: SevWarning,
		Title: "A TUN-mode proxy answers names with fake addresses",
		Text:  "{name} resolves to {detail} (198.18.0.0/15) while {iface}, a TUN device, owns the default route: a proxy app in fake-ip mode (Clash, Surge, mihomo) answers names, which breaks SSH, Docker networks and tools that bypass it",
		Manual: Steps{
			Linux:   []string{"ip route show default  # {iface} owns it", "# switch the proxy app from fake-ip to redir-host (Clash/mihomo: dns.enhanced-mode), or add your hosts to its fake-ip-filter"},
			Darwin:  []string{"netstat -rn -f inet  # {iface} owns the default route", "# switch the proxy app (ClashX, Surge, mihomo) from fake-ip to redir-host, or add your hosts to its fake-ip-filter"},
			Windows: []string{"Get-NetRoute -DestinationPrefix 0.0.0.0/0  # {iface} owns it", "# switch the proxy app (Clash for Windows, mihomo) from fake-ip to redir-host, or add your hosts to its fake-ip-filter"},
		},
		Why: "A proxy app in fake-ip mode answers every name with an address of its own, which only it can route: SSH, Docker networks and tools that bypass the proxy reach nothing, or the wrong host.",
		How: "The --dns name resolved into 198.18.0.0/15 (on no local interface's network) while the default route's interface, or the one the kernel routes the first external target into, is a TUN device. The process holding it is named on Linux from /proc/PID/fd and the descriptor's fdinfo (other users' processes only as root), on macOS from the kernel's list of kernel-control sockets (a utun is one, connected to com.apple.net.utun_control at its number plus one; any user may read it). A first request through it (a TLS ClientHello to the target's port 443) that gets an answer proves the app's upstream works: then this is information only.",
	}

	ProxyAppUpstreamDead = &Def{
		ID: "proxy-app-upstream-dead", Severity: SevError,
		Title:     "A TUN proxy app's upstream is dead",
		Text:      "{iface}, the TUN device of a fake-ip proxy app{detail}, accepts connections to {target} and then resets them: the proxy server it forwards to does not answer, so every connection through it fails",
		DependsOn: []*Def{LinkDown, LinkNoCarrier, NoDefaultRoute, GatewayUnreachable},
		Optional:  []Arg{ArgProcess, ArgPID},
		Manual: Steps{
			Linux:   []string{"ps -o pid,user,args -p {pid}  # {process} holds {iface}", "# open the proxy app's dashboard or logs: pick a node that works, or update its subscription", "ip route show table all dev {iface}  # the routes it owns; quitting the app removes them"},
			Darwin:  []string{"ps -o pid,user,command -p {pid}  # {process} holds {iface}", "netstat -rn -f inet | grep {iface}  # the routes it owns", "# open the proxy app (ClashX, Surge, sing-box) and pick a node that works, or update its subscription; quitting it removes its routes"},
			Windows: []string{"Get-NetRoute -InterfaceAlias {iface}  # the routes it owns", "# open the proxy app (Clash Verge, v2rayN, sing-box) and pick a node that works, or update its subscription; quitting it removes its routes"},
		},
		Why: "A TUN-mode proxy app takes every connection itself and only then dials its proxy server: with that server gone, connections are accepted and reset on the first byte, so connect-only checks pass while every download fails.",
		How: "Names resolved to fake-ip addresses and the first external target is routed into a TUN device; a connection to the target's port 443 through it was accepted, and a TLS ClientHello sent on it was answered by a reset or a close, not a byte. A probe that sends nothing cannot see this.",
	}
)

// dns judges name resolution. The specific causes come first (a local
// resolver that is down, a silent server ahead of one that answers): each
// supersedes the generic findings it explains before they are judged.
func (d *diag) dns() {
	specific := d.localResolver()
	if !specific {
		specific = d.scopedResolver()
	}
	if !specific {
		specific = d.nameServerOrder()
	}
	// REFUSED and SERVFAIL answers are named whatever else was found:
	// a refusing server is a cause of its own beside a silent one.
	if d.dnsAnswers() {
		specific = true
	}
	d.dnsResolves()
	if specific {
		d.restatus()
	}
	d.fakeIP()
}

// dnsResolves judges whether the system resolver answers. NXDOMAIN is an
// answer.
func (d *diag) dnsResolves() {
	r := d.s.DNS
	if !r.Ran {
		d.set(StatusSkip, "not run")
		return
	}
	var srv []string
	var failing []netstate.DNSServerResult
	for _, s := range r.Servers {
		if s.Answered {
			srv = append(srv, fmt.Sprintf("%s %s %s", s.Server.Addr(), s.Rcode, ms(s.RTT)))
		} else {
			srv = append(srv, fmt.Sprintf("%s %s", s.Server.Addr(), netstate.ErrText(s.Err)))
			// A server of a family this machine does not use (no route) is
			// skipped by every resolver at once: not a failing server.
			if fam := d.s.Family(netstate.FamilyOf(s.Server.Addr())); fam.Default != nil || netstate.Classify(s.Err) != netstate.ClassNetUnreach {
				failing = append(failing, s)
			}
		}
	}
	servers := strings.Join(srv, ", ")
	if servers == "" {
		servers = "system resolver"
	}
	if dead, ev := d.nameServersDead(); dead && r.Err != nil {
		// The engine called the probe off: the routes decided.
		detail := fmt.Sprintf("%s: not resolved, no name server is reachable (%s)", r.Name, strings.Join(ev, "; "))
		d.add(DNSFailed, Args{ArgName: r.Name, ArgErr: "no name server is reachable", ArgDetail: strings.Join(ev, "; ")}, ev...)
		d.set(StatusFail, detail)
		return
	}
	switch {
	case r.Err == nil:
		detail := fmt.Sprintf("%s → %s in %s (%s)", r.Name, addrsText(r.Addrs), ms(r.Duration), servers)
		if r.NotFound {
			detail = fmt.Sprintf("%s: NXDOMAIN in %s (%s)", r.Name, ms(r.Duration), servers)
			d.add(DNSNameNotFound, Args{ArgName: r.Name}, detail)
		}
		st := StatusPass
		if len(failing) > 0 && len(failing) < len(r.Servers) {
			for _, s := range failing {
				fd := d.add(DNSServerFailed, Args{ArgServer: s.Server.Addr().String(), ArgErr: netstate.ErrText(s.Err), ArgName: r.Name}, detail)
				st = worse(st, statusOf(fd.Severity))
			}
		}
		d.set(st, detail)
	case netstate.Classify(r.Err) == netstate.ClassTimeout && answeredServer(r.Servers) != nil && r.Sent == netstate.TriNo:
		// Nothing was lost: the resolver never sent. It spent the time on
		// local files, and how long they take is no verdict on the network.
		s := answeredServer(r.Servers)
		d.set(StatusUnknown, fmt.Sprintf("%s: the system resolver sent no query in %s (still reading local files such as the hosts file); %s answered directly (%s)", r.Name, ms(r.Duration), s.Server.Addr(), servers))
	case netstate.Classify(r.Err) == netstate.ClassTimeout && answeredServer(r.Servers) != nil:
		s := answeredServer(r.Servers)
		detail := fmt.Sprintf("%s: system resolver timed out; %s answered directly (%s)", r.Name, s.Server.Addr(), servers)
		fd := d.add(DNSLossy, Args{ArgName: r.Name, ArgServer: s.Server.Addr().String()}, detail)
		d.set(statusOf(fd.Severity), detail)
	case len(r.Servers) == 0 && d.s.NameServersListed:
		d.add(DNSNoServers, Args{ArgName: r.Name}, netstate.ErrText(r.Err))
		d.set(StatusFail, "no name server configured")
	default:
		why := dnsErrText(r.Err)
		if w := serversWhy(r.Servers); w != "" {
			// The system resolver's own error is often a timeout after its
			// retries; what the servers said when asked is the cause.
			why = w
		}
		detail := fmt.Sprintf("%s: %s (%s)", r.Name, why, servers)
		d.add(DNSFailed, Args{ArgName: r.Name, ArgErr: why, ArgDetail: "servers: " + servers}, detail)
		d.set(StatusFail, detail)
	}
}

// failureExplained supersedes the generic findings of a failed or lossy
// resolution: the judging check found the cause, which names the server.
func (d *diag) failureExplained() {
	d.supersede(DNSFailed, nil)
	d.supersede(DNSLossy, nil)
}

// answeredServer is a name server that answered a direct query with a
// usable response (an answer or NXDOMAIN), if any.
func answeredServer(ss []netstate.DNSServerResult) *netstate.DNSServerResult {
	for i := range ss {
		if usable(ss[i]) {
			return &ss[i]
		}
	}
	return nil
}

// serversWhy says why resolution failed when every name server asked
// directly failed the same way ("name server 192.0.2.53: connection
// refused"); "" when they disagree, one answered, or none was asked.
func serversWhy(ss []netstate.DNSServerResult) string {
	var addrs []string
	why := ""
	for _, s := range ss {
		if s.Answered || s.Err == nil {
			return ""
		}
		w := dnsErrText(s.Err)
		if why != "" && w != why {
			return ""
		}
		why = w
		addrs = append(addrs, s.Server.Addr().String())
	}
	switch len(addrs) {
	case 0:
		return ""
	case 1:
		return "name server " + addrs[0] + ": " + why
	}
	return "name servers " + strings.Join(addrs, ", ") + ": " + why
}

// localService names the resolver service that should listen on a
// loopback name server.
func (d *diag) localService(a netip.Addr) string {
	switch {
	case a == netstate.ResolvedStub:
		return "systemd-resolved"
	case d.s.OS == "darwin":
		return "mDNSResponder"
	case d.s.OS == "windows":
		return "the local DNS proxy"
	}
	return "the local resolver (dnsmasq, unbound or another service meant to listen on " + a.String() + ":53)"
}

// localResolver reports whether a loopback name server refuses, which
// means the resolver service behind it is not running; the errno decides
// at once.
func (d *diag) localResolver() bool {
	r := &d.s.DNS
	if d.scope() != nil {
		// A per-domain resolver's server (a DNS app for .test), not the
		// system's: scopedResolver names it with its file.
		return false
	}
	for _, sv := range r.Servers {
		a := sv.Server.Addr()
		if sv.Upstream || !a.IsLoopback() || netstate.Classify(sv.Err) != netstate.ClassRefused {
			continue
		}
		var ups, evidence []string
		for _, u := range r.Servers {
			if u.Upstream {
				evidence = append(evidence, fmt.Sprintf("upstream %s: %s", u.Server.Addr(), serverText(u)))
				if u.Answered {
					ups = append(ups, u.Server.Addr().String())
				}
			}
		}
		// {detail} is optional in the text: empty unless upstreams answer.
		args := Args{ArgServer: a.String(), ArgService: d.localService(a), ArgDetail: ""}
		if len(ups) > 0 {
			args[ArgDetail] = fmt.Sprintf(" (its upstreams %s answer)", strings.Join(ups, ", "))
			args[ArgNext] = strings.Join(ups, ", ")
		}
		if a == netstate.ResolvedStub {
			args[ArgUnit] = "systemd-resolved"
		}
		f := d.add(DNSLocalResolverDown, args,
			append([]string{fmt.Sprintf("%s: %s", a, netstate.ErrText(sv.Err))}, evidence...)...)
		if r.Err == nil {
			f.Severity = SevWarning // another server answers: lookups work
		} else {
			d.failureExplained()
		}
		d.supersede(DNSServerFailed, func(x Args) bool { return x[ArgServer] == a.String() })
		return true
	}
	return false
}

// silentServer reports whether, asked directly, the server never answered
// (a timeout or an unreachable host), as opposed to refusing.
func (d *diag) silentServer(s netstate.DNSServerResult) bool {
	if s.Answered {
		return false
	}
	switch netstate.Classify(s.Err) {
	case netstate.ClassTimeout, netstate.ClassHostUnreach:
		return true
	case netstate.ClassNetUnreach:
		// A server of a family without a default route is skipped at once.
		return d.s.Family(netstate.FamilyOf(s.Server.Addr())).Default != nil
	}
	return false
}

// nameServerOrder reports whether a silent server is listed before one that
// answers, which makes every lookup wait for it. That is the cause, not
// loss: loss is when the same server sometimes answers and sometimes not.
func (d *diag) nameServerOrder() bool {
	r := &d.s.DNS
	cfg := &r.Resolver
	if cfg.Rotate {
		return false
	}
	var own []netstate.DNSServerResult
	for _, s := range r.Servers {
		if !s.Upstream {
			own = append(own, s)
		}
	}
	var silent []netstate.DNSServerResult
	var next *netstate.DNSServerResult
	for i := range own {
		if usable(own[i]) {
			next = &own[i]
			break
		}
		if d.silentServer(own[i]) {
			silent = append(silent, own[i])
		}
	}
	if next == nil || len(silent) == 0 {
		return false
	}
	first := silent[0]
	file, timeout := cfg.Source, cfg.Timeout
	if sc := d.scope(); sc != nil {
		// The servers asked are the per-domain resolver's, in its order.
		file, timeout = sc.Source, cmp.Or(sc.Timeout, timeout)
	}
	if timeout == 0 {
		timeout = netstate.DefaultResolverTimeout
	}
	wait := time.Duration(len(silent)) * timeout
	var evidence []string
	route := ""
	for _, s := range silent {
		line := fmt.Sprintf("%s: %s", s.Server.Addr(), netstate.ErrText(s.Err))
		switch {
		case s.Route != nil:
			via := s.Route.IfName
			if via == "" {
				if l := d.linkByIndex(s.Route.IfIndex); l != nil {
					via = l.Name
				}
			}
			hop := ""
			if s.Route.Gateway.IsValid() {
				hop = "via " + s.Route.Gateway.String() + " "
			}
			line += fmt.Sprintf("; a route still leads to it (%sdev %s)", hop, cmp.Or(via, "#"+strconv.Itoa(s.Route.IfIndex)))
		case s.RouteErr != nil:
			line += "; no route leads to it (" + netstate.ErrText(s.RouteErr) + ")"
		}
		if s.Server == first.Server {
			route = line[strings.Index(line, ";")+1:]
			if !strings.Contains(line, ";") {
				route = ""
			}
		}
		evidence = append(evidence, line)
	}
	evidence = append(evidence, fmt.Sprintf("%s answered: %s", next.Server.Addr(), serverText(*next)),
		fmt.Sprintf("%s: timeout %s, attempts %d", cmp.Or(file, "resolver"), timeout, cfg.Attempts))
	detail := ""
	if route != "" {
		detail = ";" + route
	}
	d.add(DNSFirstServerSilent, Args{
		ArgServer: first.Server.Addr().String(), ArgNext: next.Server.Addr().String(),
		ArgFile: cmp.Or(file, "the resolver configuration"), ArgWait: wait.String(), ArgDetail: detail,
	}, evidence...)
	// A warning even when the system resolver timed out: the resolver
	// does get its answer from the next server, only late, and a lost
	// burst of replies under heavy loss can look the same, so this never
	// blocks a start on its own.
	d.failureExplained()
	d.supersede(DNSServerFailed, func(x Args) bool {
		return slices.ContainsFunc(silent, func(s netstate.DNSServerResult) bool { return s.Server.Addr().String() == x[ArgServer] })
	})
	return true
}

// fakeIP finds names that resolve into 198.18.0.0/15 while a TUN device
// owns the default route (or takes the external targets), names the
// process holding it, and judges its upstream from a first request sent
// through it.
func (d *diag) fakeIP() {
	fake := d.s.FakeIPs()
	if len(fake) == 0 {
		return
	}
	var iface, desc string
	switch t := &d.s.TunApp; {
	case t.Checked:
		iface = t.Iface
	case d.s.V4.Default != nil:
		if l := d.linkByIndex(d.s.V4.Default.IfIndex); l != nil && l.Tunnel {
			iface = l.Name
		}
	}
	if i := slices.IndexFunc(d.s.Links, func(l netstate.Link) bool { return l.Name == iface }); i >= 0 && d.s.Links[i].Description != "" {
		desc = ": " + d.s.Links[i].Description // the driver: which app's adapter it is
	}
	if iface == "" {
		return
	}
	var addrs []string
	for _, a := range fake {
		addrs = append(addrs, a.String())
	}
	evidence := []string{fmt.Sprintf("%s → %s", d.s.DNS.Name, strings.Join(addrs, ", ")), fmt.Sprintf("default route via %s (tunnel%s)", iface, desc)}
	t := &d.s.TunApp
	holder := ""
	if t.Checked {
		if t.Hello.Ran {
			evidence[1] = fmt.Sprintf("%s routed into %s (tunnel%s)", t.Hello.Target.Addr(), iface, desc)
		}
		switch {
		case len(t.Holders) > 0:
			var hs []string
			for _, h := range t.Holders {
				hs = append(hs, fmt.Sprintf("%s (pid %d)", h.Command, h.PID))
			}
			holder = strings.Join(hs, ", ")
			evidence = append(evidence, iface+" is held by "+holder)
		case t.HoldersErr != nil:
			evidence = append(evidence, "holder of "+iface+": "+t.HoldersErr.Error())
		}
		if h := t.Hello; h.Ran {
			evidence = append(evidence, "first request to "+h.Target.String()+" through "+iface+": "+helloText(h))
		}
	}
	f := d.add(ProxyFakeIP, Args{ArgName: d.s.DNS.Name, ArgDetail: strings.Join(addrs, ", "), ArgIface: iface}, evidence...)
	if holder != "" {
		f.Summary += " (" + iface + " is held by " + holder + ")"
	}
	switch h := t.Hello; {
	case t.Checked && h.Replied:
		// The app gets out: names and routes are its own, but a start
		// that goes through it works.
		f.Severity = SevInfo
		f.Summary += "; its upstream answers"
	case t.Checked && h.Reset:
		a := Args{ArgIface: iface, ArgTarget: h.Target.String(), ArgDetail: ""}
		if len(t.Holders) > 0 {
			a[ArgDetail] = fmt.Sprintf(" (%s, pid %d)", t.Holders[0].Command, t.Holders[0].PID)
			a[ArgProcess], a[ArgPID] = t.Holders[0].Command, strconv.Itoa(t.Holders[0].PID)
		}
		up := d.add(ProxyAppUpstreamDead, a, evidence...)
		d.cur.Status = worse(d.cur.Status, statusOf(up.Severity))
	}
	d.cur.Status = worse(d.cur.Status, statusOf(f.Severity))
}

// helloText says what a first request through a tunnel got.
func helloText(h netstate.StreamResult) string {
	switch {
	case h.Replied:
		return "answered in " + ms(h.RTT)
	case h.Reset:
		return "accepted, then reset (" + netstate.ErrText(h.Err) + ")"
	case !h.Connected:
		return "not accepted (" + netstate.ErrText(h.Err) + ")"
	}
	return "accepted, no answer (" + netstate.ErrText(h.Err) + ")"
}
