package diagnose

import (
	"fmt"
	"slices"
	"strings"

	"github.com/netguard/netguard/checks/netstate"
)

// Internet is the internet check.
var Internet = &Check{
	ID: "internet", Chained: true, judge: (*diag).internet,
	Findings: []*Def{LocalFirewallBlocks, KernelNoBuffers, CaptivePortal, InternetUnreachable, FamilyUnreachable, PathMTUBlackhole, InternetPartial, TCPBlocked, ICMPBlocked, ICMPNotPermitted, NetworkProxyOnly},
}

// The findings of the internet check, in root-cause order.
var (
	LocalFirewallBlocks = &Def{
		ID: "local-firewall-blocks", Severity: SevError,
		Title:     "The local firewall blocks outgoing traffic",
		Text:      "the kernel refuses to send to {targets} (EPERM/EACCES): a local firewall rule rejects outgoing traffic",
		DependsOn: []*Def{LinkDown, LinkNoCarrier, NoDefaultRoute, FirewallKillSwitch, FirewallBlocksOutbound, FirewallOutboundAllowlist},
		Manual: Steps{
			Linux:   []string{"sudo nft list ruleset", "sudo iptables -S OUTPUT", "# netguard never changes firewall rules: remove or adjust the rule that rejects this traffic"},
			Darwin:  []string{"sudo pfctl -sr", "# check a firewall app (Little Snitch, LuLu) or a VPN client that filters traffic", "# netguard never changes firewall rules: remove or adjust the rule that rejects this traffic"},
			Windows: []string{"Get-NetFirewallRule -PolicyStore ActiveStore -Direction Outbound -Action Block -Enabled True | Format-Table DisplayName, Profile", "wf.msc  # Windows Defender Firewall › Outbound Rules", "# netguard never changes firewall rules: remove or adjust the rule that rejects this traffic"},
		},
		Why: "A local firewall rule rejects outgoing traffic: every download and API call from this machine fails.",
		How: "Sending to the external targets failed at once with EPERM or EACCES from the kernel, the errno a local firewall reject produces.",
	}

	KernelNoBuffers = &Def{
		ID: "kernel-no-buffers", Severity: SevError,
		Title: "Kernel out of buffers", Text: "sending fails with ENOBUFS: the kernel has no buffer space for {targets}",
		Manual: Steps{
			Linux:   []string{"ss -s  # a process flooding the network?", "tc -s qdisc show  # a stuck interface queue?"},
			Darwin:  []string{"netstat -m  # mbuf use", "# quit the process flooding the network, or restart the Mac"},
			Windows: []string{"Get-NetTCPConnection | Group-Object -Property OwningProcess | Sort-Object -Property Count -Descending | Select-Object -First 5  # a process holding thousands of sockets?", "# quit that process, or restart Windows"},
		},
		Why: "The kernel has run out of buffer space for sending: connections fail until whatever holds the buffers lets go.",
		How: "Sending to the targets failed with ENOBUFS.",
	}

	InternetUnreachable = &Def{
		ID: "internet-unreachable", Severity: SevError,
		Title: "Internet unreachable", Text: "none of the external targets answers: {detail}",
		DependsOn: []*Def{LinkDown, LinkNoCarrier, LinkNoAddress, NoDefaultRoute, TargetRouteRejected, TargetRouteDiverted, TunnelDead, GatewayNeighborFailed, GatewayNeighborStatic, GatewayNeighborAmbiguous, GatewayNeighborWrong, GatewayUnreachable, LocalFirewallBlocks, KernelNoBuffers, DefaultRouteDead, FirewallKillSwitch, FirewallBlocksOutbound, FirewallOutboundAllowlist},
		Manual: Steps{
			Linux:   []string{"# check the upstream network (router's WAN, captive portal, VPN)", "ip route get {targets}"},
			Darwin:  []string{"# check the upstream network (router's WAN, captive portal, VPN)", "route -n get {targets}"},
			Windows: []string{"# check the upstream network (router's WAN, captive portal, VPN)", "Find-NetRoute -RemoteIPAddress {targets}"},
		},
		Why: "None of the external targets answers: dependency downloads, registries and remote APIs will fail.",
		How: "Every external target failed both ICMP and TCP probes within the probe wait; the local path (link, route, gateway) was checked first.",
	}

	// Each address family on its own.
	FamilyUnreachable = &Def{
		ID: "family-unreachable", Severity: SevWarning,
		Title:     "One address family is black-holed",
		Text:      "{family} has a default route through {iface}, but none of its targets ({targets}) answers while {other} works: programs that try {family} first (npm, pip, curl, git) wait before falling back to {other}",
		DependsOn: []*Def{LinkDown, LinkNoCarrier, LinkNoAddress, TargetRouteRejected, TargetRouteDiverted, TunnelDead, DefaultRouteDead},
		Manual: Steps{
			Linux: []string{"ip route get {targets}  # where {family} goes",
				"# ask the network's owner to fix it upstream (router, ISP, VPN)",
				"[IPv6] sudo sysctl -w net.ipv6.conf.{iface}.disable_ipv6=1  # until then, IPv6 off on this interface (undo with =0)"},
			Darwin: []string{"route -n get {targets}  # where {family} goes",
				"# ask the network's owner to fix it upstream (router, ISP, VPN)",
				"[IPv6] # until then: System Settings › Network › the service of {iface} › Details › TCP/IP › Configure IPv6: Link-local only"},
			Windows: []string{"Find-NetRoute -RemoteIPAddress {targets}  # where {family} goes",
				"# ask the network's owner to fix it upstream (router, ISP, VPN)",
				"[IPv6] Disable-NetAdapterBinding -Name {iface} -ComponentID ms_tcpip6  # until then, in an elevated PowerShell (undo with Enable-NetAdapterBinding)"},
		},
		Why: "Programs that try IPv6 first (npm, pip, curl, git, Go) wait for every IPv6 attempt to time out before falling back, so installs and pulls hang or crawl although IPv4 works.",
		How: "The family has a default route, none of its targets answered any probe (or the tables proved them unreachable), and a target of the other family did answer.",
	}

	// Path MTU.
	PathMTUBlackhole = &Def{
		ID: "path-mtu-blackhole", Severity: SevWarning,
		Title:     "Large packets are lost on the way (path-MTU black hole)",
		Text:      "{size}-byte packets with don't-fragment set to {target} are lost while small ones answer: a link on the way has a smaller MTU and its 'fragmentation needed' messages are dropped, so TLS handshakes and large downloads stall; lower the MTU of {iface} (now {mtu})",
		DependsOn: []*Def{FamilyUnreachable, InternetUnreachable, ICMPBlocked},
		Manual: Steps{
			Linux: []string{"ping -M do -c 2 -s 1372 {target}  # find the largest size that passes (IPv4: payload = size - 28)",
				"sudo ip link set dev {iface} mtu 1400  # lower the MTU to what passes; to keep it, set it in the connection's settings"},
			Darwin: []string{"ping -D -c 2 -s 1372 {target}  # find the largest size that passes (IPv4: payload = size - 28)",
				"sudo ifconfig {iface} mtu 1400  # lower the MTU to what passes; to keep it: System Settings › Network › Details › Hardware › MTU"},
			Windows: []string{"ping -f -n 2 -l 1372 {target}  # find the largest size that passes (IPv4: payload = size - 28)",
				"netsh interface ipv4 set subinterface {iface} mtu=1400 store=persistent  # lower the MTU to what passes; elevated PowerShell"},
		},
		Why: "Small packets pass and full-size ones vanish: pings and connects work, but TLS handshakes and large downloads stall, the classic symptom of a tunnel or PPPoE hop whose 'fragmentation needed' messages are filtered.",
		How: "One echo of the egress interface's MTU with don't-fragment set went to an external target that answered small echoes, and every attempt was lost; an EMSGSIZE (the kernel already learnt a smaller path MTU) means discovery works and is not reported.",
	}

	InternetPartial = &Def{
		ID: "internet-partial", Severity: SevInfo,
		Title: "Some external targets do not answer", Text: "{targets} did not answer while others did",
		DependsOn: []*Def{FamilyUnreachable},
		Manual: Steps{
			Linux:   []string{"# nothing to do if the hosts you need answer", "ip route get {targets}"},
			Darwin:  []string{"# nothing to do if the hosts you need answer", "route -n get {targets}"},
			Windows: []string{"# nothing to do if the hosts you need answer", "Find-NetRoute -RemoteIPAddress {targets}"},
		},
		Why: "Some targets answer and others do not: a single provider or route is blocked, which is seldom a problem for development.",
		How: "At least one external target answered and at least one answered neither ping nor TCP.",
	}

	TCPBlocked = &Def{
		ID: "tcp-blocked", Severity: SevWarning,
		Title: "Ping works, TCP does not",
		Text:  "external hosts answer ping but no TCP connection gets through ({detail}): a firewall or proxy blocks outgoing connections",
		Manual: Steps{
			Linux:   []string{"env | grep -i _proxy  # a proxy you must go through?", "sudo nft list ruleset  # a firewall on the way out?"},
			Darwin:  []string{"scutil --proxy  # a proxy you must go through? (System Settings › Network › Details › Proxies)", "sudo pfctl -sr  # a firewall on the way out?"},
			Windows: []string{"netsh winhttp show proxy  # a proxy you must go through? (Settings › Network & internet › Proxy)", "Get-NetFirewallRule -Direction Outbound -Action Block -Enabled True  # a firewall on the way out?"},
		},
		Why: "Ping gets through but TCP does not: a firewall or a proxy requirement blocks the connections tools actually make.",
		How: "External targets answered ICMP echo but no TCP connection to them (on their port, or 443, 53, 80) succeeded.",
	}

	ICMPBlocked = &Def{
		ID: "icmp-blocked", Severity: SevWarning,
		Title: "Ping is blocked", Text: "no host answers ping while TCP gets through: a firewall drops ICMP (harmless for most development)",
		Manual: Steps{
			Linux:   []string{"# nothing to do unless your environment needs ping", "sudo nft list ruleset"},
			Darwin:  []string{"# nothing to do unless your environment needs ping", "/usr/libexec/ApplicationFirewall/socketfilterfw --getstealthmode"},
			Windows: []string{"# nothing to do unless your environment needs ping", "Get-NetFirewallRule -DisplayName \"*ICMP*\" | Format-Table DisplayName, Enabled, Direction, Action"},
		},
		Why: "Only ping is blocked; TCP, which development tools use, works. Reported so ping failures are not mistaken for an outage.",
		How: "No target answered ICMP echo while TCP connections to them succeeded.",
	}

	ICMPNotPermitted = &Def{
		ID: "icmp-not-permitted", Severity: SevInfo,
		Title: "ICMP not permitted for this user",
		Text:  "this user may not open ICMP sockets, so reachability was decided by TCP alone",
		Manual: Steps{
			Linux:   []string{"sudo sysctl -w net.ipv4.ping_group_range='0 2147483647'  # allow unprivileged ping; persist it in /etc/sysctl.d/"},
			Darwin:  []string{"# nothing to do: TCP decided reachability (macOS lets every user ping: a security tool may block ICMP sockets)"},
			Windows: []string{"# nothing to do: TCP decided reachability; run guard from an elevated PowerShell to use ICMP as well"},
		},
		Why: "Informational: this user may not send ICMP, so reachability was decided by TCP alone.",
		How: "Opening both an unprivileged and a raw ICMP socket failed with a permission error.",
	}

	NetworkProxyOnly = &Def{
		ID: "network-proxy-only", Severity: SevInfo,
		Title: "Proxy-only network",
		Text:  "direct connections to {targets} are blocked, but the proxy {endpoint} ({var}) answers: the network is proxy-only, and programs that use the proxy get out",
		Manual: Steps{
			Linux:   []string{"# programs that ignore the proxy variables (SSH, git over ssh, the Docker daemon) need a proxy setting of their own: ProxyCommand in ~/.ssh/config, /etc/systemd/system/docker.service.d/http-proxy.conf"},
			Darwin:  []string{"# programs that ignore the proxy variables (SSH, git over ssh) need a proxy setting of their own: ProxyCommand in ~/.ssh/config; Docker Desktop › Settings › Resources › Proxies"},
			Windows: []string{"netsh winhttp set proxy {endpoint}  # for programs that ignore the proxy variables", "# Docker Desktop › Settings › Resources › Proxies; ProxyCommand in ~/.ssh/config for SSH"},
		},
		Why: "Direct connections are blocked, as on many corporate networks, but programs that use the proxy get out: the start is not blocked for it.",
		How: "Every external target was silent to both probes while an HTTPS (or ALL) proxy accepted a connection; a proxy on this machine only proves that the app runs, so that case is a warning.",
	}
)

// internet judges the direct path to the external targets, then whether a
// working proxy is the way out where direct connections are blocked.
func (d *diag) internet() {
	mark := len(d.findings)
	portal := d.captivePortal()
	if portal {
		// The portal holds the traffic: the silent targets, and ICMP and
		// TCP disagreeing, are what it does.
		for _, def := range []*Def{InternetUnreachable, FamilyUnreachable, InternetPartial, TCPBlocked, ICMPBlocked} {
			d.supersede(def, nil)
		}
	}
	d.internetDirect()
	d.proxyOnly(mark)
	if portal {
		d.restatus()
	}
}

// internetDirect judges whether any external target answers any kind of probe.
func (d *diag) internetDirect() {
	var ok, bad, lines, unprobed, skipLines []string
	var badClasses []netstate.ErrClass
	var icmpAny, tcpAny, icmpTried, icmpDenied, tcpTriedFull, extICMP, extTCP bool
	probed := 0
	for _, f := range d.s.Families() {
		if g := f.GatewayProbe; g != nil && f.Default != nil {
			icmpAny = icmpAny || g.ICMP.Answered
			tcpAny = tcpAny || g.TCP.Answered
		}
		for i := range f.External {
			t := &f.External[i]
			if notProbed(t) {
				unprobed = append(unprobed, t.Addr.String())
				skipLines = append(skipLines, d.unprobedText(f, t))
				continue
			}
			probed++
			icmpAny = icmpAny || t.ICMP.Answered
			extICMP = extICMP || t.ICMP.Answered
			tcpAny = tcpAny || t.TCP.Answered
			extTCP = extTCP || t.TCP.Answered
			icmpTried = icmpTried || (t.ICMP.Ran && !t.ICMP.NoPermission)
			icmpDenied = icmpDenied || t.ICMP.NoPermission
			tcpTriedFull = tcpTriedFull || (t.TCP.Ran && !t.TCP.Cut)
			line := targetText(t)
			lines = append(lines, line)
			if t.Reachable() {
				ok = append(ok, t.Addr.String())
				continue
			}
			bad = append(bad, t.Addr.String())
			badClasses = append(badClasses, netstate.Classify(t.TCP.Err))
			if !t.ICMP.NoPermission {
				badClasses = append(badClasses, netstate.Classify(t.ICMP.Err))
			}
		}
	}
	switch {
	case probed == 0:
		detail := "not probed: " + strings.Join(skipLines, "; ")
		if len(skipLines) == 0 {
			detail = "no external target"
		}
		d.set(StatusFail, detail)
		if len(d.usedFamilies()) > 0 {
			d.add(InternetUnreachable, Args{ArgDetail: detail, ArgTargets: strings.Join(unprobed, ListSep)}, skipLines...)
		}
		return
	case len(ok) == 0:
		lines = append(lines, skipLines...)
		args := Args{ArgTargets: strings.Join(append(bad, unprobed...), ListSep), ArgDetail: strings.Join(lines, "; ")}
		switch {
		case allClass(badClasses, netstate.ClassPermission):
			d.add(LocalFirewallBlocks, args, lines...)
			d.firewallBlocks = true
		case slices.Contains(badClasses, netstate.ClassNoBufs):
			d.add(KernelNoBuffers, args, lines...)
		}
		d.add(InternetUnreachable, args, lines...)
		d.set(StatusFail, strings.Join(lines, "; "))
		return
	}
	st := worse(d.familyUnreachable(), d.pathMTU())
	if len(bad) > 0 {
		d.add(InternetPartial, Args{ArgTargets: strings.Join(bad, ListSep)}, lines...)
	}
	lines = append(lines, skipLines...)
	switch {
	case icmpDenied && !icmpTried:
		d.add(ICMPNotPermitted, Args{}, "ICMP sockets refused (EPERM/EACCES) for this user")
	case tcpAny && !icmpAny && icmpTried:
		fd := d.add(ICMPBlocked, Args{}, lines...)
		st = worse(st, statusOf(fd.Severity))
	}
	if extICMP && !extTCP && tcpTriedFull {
		fd := d.add(TCPBlocked, Args{ArgDetail: strings.Join(lines, "; ")}, lines...)
		st = worse(st, statusOf(fd.Severity))
	}
	d.set(st, strings.Join(lines, "; "))
}

func allClass(cs []netstate.ErrClass, c netstate.ErrClass) bool {
	if len(cs) == 0 {
		return false
	}
	for _, x := range cs {
		if x != c && x != netstate.ClassTimeout && x != netstate.ClassNone {
			return false
		}
	}
	return slices.Contains(cs, c)
}

// proxyOnly names a proxy as the way out when direct connections fail but
// the proxy answers. That is how corporate networks work, not an outage:
// the internet verdict becomes "proxy-only" instead of unhealthy. A proxy
// on this machine only proves that the proxy app runs, not that it gets
// out, so that case is a warning.
func (d *diag) proxyOnly(mark int) {
	s := d.workingProxy()
	if s == nil || !(d.has(InternetUnreachable.ID) || d.has(TCPBlocked.ID)) {
		return
	}
	if s.Addr.IsLoopback() && d.pathDown() {
		return // a local proxy app cannot get past a broken path either
	}
	var targets []string
	for _, f := range d.s.Families() {
		for i := range f.External {
			if t := &f.External[i]; !t.TCP.Answered {
				targets = append(targets, t.Addr.String())
			}
		}
	}
	if len(targets) == 0 {
		return
	}
	d.retract(mark, InternetUnreachable, LocalFirewallBlocks, TCPBlocked)
	line := fmt.Sprintf("%s=%s accepted a connection in %s", s.Var, s.Value, ms(s.TCP.RTT))
	tunneled := s.Connect.Tunneled()
	if tunneled {
		line = fmt.Sprintf("%s=%s tunnels a CONNECT to %s (200 in %s)", s.Var, s.Value, s.Connect.Target, ms(s.Connect.RTT))
	}
	f := d.add(NetworkProxyOnly, Args{ArgTargets: strings.Join(targets, ", "), ArgEndpoint: s.Endpoint(), ArgVar: s.Var}, line)
	if tunneled {
		f.Summary += fmt.Sprintf(" (a CONNECT to %s through it: 200)", s.Connect.Target)
	}
	if s.Addr.IsLoopback() && !tunneled {
		f.Severity = SevWarning
		f.Summary += " (the proxy runs on this machine: whether it gets out was not checked)"
	}
	d.set(statusOf(f.Severity), "direct connections blocked; proxy-only via "+line)
}

// blackholedFamily is a family whose every target stays silent (or is
// proven dead) through its own default route while the other family
// works; nil if none.
func (d *diag) blackholedFamily() (bad, good *netstate.FamilyState) {
	for _, f := range d.usedFamilies() {
		o := d.s.Family(10 - f.Family)
		if len(f.External) > 0 && !famReach(f) && famReach(o) {
			return f, o
		}
	}
	return nil, nil
}

// familyUnreachable adds the family-unreachable warning; it returns the
// check status for it.
func (d *diag) familyUnreachable() Status {
	f, o := d.blackholedFamily()
	if f == nil {
		return StatusPass
	}
	var addrs []string
	for _, t := range f.External {
		addrs = append(addrs, t.Addr.String())
	}
	a := Args{ArgFamily: famName(f.Family), ArgOther: famName(o.Family), ArgIface: f.Default.IfName, ArgTargets: strings.Join(addrs, ListSep), ArgTarget: addrs[0]}
	fd := d.add(FamilyUnreachable, a, d.familyTargetsText(f), famName(o.Family)+": "+d.familyTargetsText(o))
	return statusOf(fd.Severity)
}

// pathMTU judges whether the don't-fragment probe of the egress MTU was
// lost while the same target answered a small echo.
func (d *diag) pathMTU() Status {
	st := StatusPass
	for _, f := range d.usedFamilies() {
		m := f.PMTU
		if m == nil || !m.Probe.Ran || m.Probe.Answered || m.Probe.NoPermission || m.FragNeeded() {
			continue
		}
		i := slices.IndexFunc(f.External, func(t netstate.TargetResult) bool { return t.Addr == m.Target })
		if i < 0 || !f.External[i].ICMP.Answered {
			continue // no small echo answered either: nothing to compare
		}
		a := Args{ArgSize: fmt.Sprint(m.Size), ArgTarget: m.Target.String(), ArgIface: m.Iface, ArgMTU: fmt.Sprint(m.Size)}
		fd := d.add(PathMTUBlackhole, a,
			fmt.Sprintf("%s: %d-byte echo with don't-fragment: %s (%d sent)", m.Target, m.Size, netstate.ErrText(m.Probe.Err), m.Probe.Attempts),
			fmt.Sprintf("%s: small echo answered in %s", m.Target, ms(f.External[i].ICMP.RTT)))
		st = worse(st, statusOf(fd.Severity))
	}
	return st
}
