package diagnose

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/netguard/netguard/checks/netstate"
)

// Firewall is the local firewall check: the machine's own packet filter
// on the way out, read from its rules where the OS layer can, and from the
// errno a rejected connect returns everywhere.
var Firewall = &Check{
	ID: "firewall", judge: (*diag).firewall,
	Findings: []*Def{FirewallKillSwitch, FirewallBlocksOutbound, FirewallBlocksHTTPS, HTTPSRejected, FirewallDNSLeakGuard, FirewallBlocksDNS, FirewallOutboundAllowlist},
}

// Arguments of the firewall findings.
const (
	// The firewall findings also fill ArgTable (the nftables table) and
	// ArgRule (the rule or policy as nft lists it, for summaries).
	ArgFWFamily Arg = "fw_family" // the nftables table's family: inet, ip, ip6
	ArgIPTables Arg = "iptables"  // the legacy tool of the chain's family: iptables-legacy, ip6tables-legacy
	ArgRuleNum  Arg = "rule_num"  // the legacy rule's number in its chain
	ArgChain    Arg = "chain"
	ArgHandle   Arg = "handle"
	ArgTunnel   Arg = "tunnel" // the interface a kill switch lets through
	ArgServers  Arg = "servers"
	ArgExcept   Arg = "except" // the one server a DNS leak guard lets through
	ArgAnchor   Arg = "anchor" // the pf anchor that holds the rule (macOS)
)

// The steps every firewall finding ends with.
const (
	fwNeverLinux   = "# netguard never changes firewall rules: remove the rule only if you or a program you no longer use added it"
	fwNeverDarwin  = "# netguard never changes firewall rules: remove one only if you or an app you no longer use added it (VPN apps keep theirs in an anchor of their own: sudo pfctl -sA)"
	fwNeverWindows = "# netguard never changes firewall rules: Windows Defender Firewall › Advanced settings › Outbound Rules, or the VPN client that added the rule"
	// The profiles as they apply (Group Policy's included), and the
	// filters programs add to the filtering platform directly.
	fwProfilesWindows = "Get-NetFirewallProfile -PolicyStore ActiveStore | Format-Table Name, Enabled, DefaultOutboundAction  # the profiles in effect, Group Policy included"
	fwWFPWindows      = "netsh wfp show filters  # as administrator: writes filters.xml here, every filter of the filtering platform with its provider (VPN kill switches and security agents add theirs there)"
)

// fwBlockRulesWindows lists the enabled outbound block rules in effect
// (Group Policy's included) that name remote port port, by name.
func fwBlockRulesWindows(port string) string {
	return "Get-NetFirewallRule -PolicyStore ActiveStore -Direction Outbound -Action Block -Enabled True | Where-Object { ($_ | Get-NetFirewallPortFilter).RemotePort -contains '" + port + "' } | Format-Table DisplayName, Profile"
}

// The Linux steps of a chain or rule: list it with nftables or with the
// legacy iptables tool of its family, and delete a rule by its handle or
// number.
const (
	nftListChain  = "sudo nft -a list chain {fw_family} {table} {chain}"
	iptListChain  = "sudo {iptables} -t {table} -L {chain} -n -v --line-numbers"
	nftDeleteRule = "sudo nft delete rule {fw_family} {table} {chain} handle {handle}"
	iptDeleteRule = "sudo {iptables} -t {table} -D {chain} {rule_num}"
)

// fwRuleLinux are the Linux steps of a rule the user may have added: see
// it and delete it, in nftables by its handle and in legacy iptables by
// its number, and list both back ends, since the rule may be in either.
func fwRuleLinux() []string {
	return []string{
		nftListChain + "  # the rule and its handle",
		nftDeleteRule + "  # only if you added it",
		iptListChain + "  # the rule and its number",
		iptDeleteRule + "  # only if you added it",
		"sudo nft -a list ruleset  # iptables-nft rules are listed here too",
		"sudo iptables-legacy -S  # the legacy back end's rules, which nft does not list",
		fwNeverLinux,
	}
}

// The macOS steps of a pf rule: see it, then take it out by hand. An
// anchor's rules go with their anchor; a rule in the main ruleset goes
// when the system's own pf.conf is loaded again.
const (
	pfShowAnchor  = "sudo pfctl -a {anchor} -sr  # the anchor that holds the rule"
	pfShowAll     = "sudo pfctl -a '*' -sr  # every pf rule, anchors included"
	pfFlushAnchor = "sudo pfctl -a {anchor} -F rules  # empties that anchor: only if the app that loaded it is gone"
	pfReload      = "sudo pfctl -f /etc/pf.conf  # loads the system's own rules again, dropping rules added to the main ruleset"
	pfDisable     = "sudo pfctl -d  # or turns pf off altogether, until an app or a restart turns it on"
)

// pfRuleDarwin are the macOS steps of a pf rule that blocks port: see it
// among every rule, then take it out by hand.
func pfRuleDarwin(port string) []string {
	return []string{pfShowAnchor, "sudo pfctl -a '*' -sr  # every pf rule, anchors included: a block for port " + port + "?", pfFlushAnchor, pfReload, pfDisable, fwNeverDarwin}
}

// The findings of the firewall check, in root-cause order.
var (
	FirewallKillSwitch = &Def{
		ID: "firewall-kill-switch", Severity: SevError,
		Title:     "A VPN kill switch is armed without its tunnel",
		Text:      "{rule} drops everything not sent through {tunnel} (a VPN kill switch left armed), and {targets} route through {iface}: nothing leaves this machine",
		DependsOn: []*Def{LinkDown, LinkNoCarrier, NoDefaultRoute},
		Optional:  []Arg{ArgHandle, ArgTable, ArgChain, ArgFWFamily, ArgAnchor, ArgIPTables},
		Manual: Steps{
			Linux: []string{
				nftListChain + "  # the policy and the tunnel it lets through",
				iptListChain + "  # the policy and the tunnel it lets through",
				"# connect the VPN again, or disconnect it in its own app (wg-quick down, the client's disconnect): that disarms its kill switch",
				"sudo nft delete table {fw_family} {table}  # only if the table is the VPN client's own and the client is gone",
				fwNeverLinux,
			},
			Darwin: []string{
				pfShowAnchor, pfShowAll,
				"# connect the VPN again, or disconnect it in its own app: that disarms its kill switch",
				pfFlushAnchor, pfReload, pfDisable, fwNeverDarwin,
			},
			Windows: []string{fwWFPWindows, fwProfilesWindows, "# connect the VPN again, or quit its app: that disarms its kill switch", fwNeverWindows},
		},
		Why: "A VPN client's kill switch drops every packet that does not go through its tunnel; left armed after the tunnel is gone, it cuts the machine off although the network is fine.",
		How: "The output rules (as root: nftables over netlink and the legacy iptables filter table where the kernel lists one on Linux, pf's rules and anchors from /dev/pf on macOS; on Windows, as administrator, the filters VPN clients add to the Windows Filtering Platform, one chain per sublayer) were run for a connection to each external target through the interface its route uses: the chain's policy, or a rule that matches everything, drops it, and the same rules pass everything sent through another interface (the tunnel). A permit the model cannot judge (for a program, a hard permit) makes the rules prove nothing.",
	}

	FirewallBlocksOutbound = &Def{
		ID: "firewall-blocks-outbound", Severity: SevError,
		Title:     "The local firewall blocks all outgoing traffic",
		Text:      "the local firewall blocks every connection the start needs ({targets} through {iface}) and no rule lets it out ({rule}): nothing leaves this machine",
		DependsOn: []*Def{LinkDown, LinkNoCarrier, NoDefaultRoute, FirewallKillSwitch},
		Optional:  []Arg{ArgHandle, ArgTable, ArgChain, ArgFWFamily, ArgAnchor, ArgIPTables},
		Manual: Steps{
			Linux: []string{
				nftListChain + "  # the policy, and what it lets out",
				iptListChain + "  # the policy, and what it lets out",
				fwNeverLinux,
			},
			Darwin: []string{pfShowAnchor, "sudo pfctl -a '*' -sr  # every pf rule, anchors included: a block out all rule?", pfReload, pfDisable, fwNeverDarwin},
			Windows: []string{
				fwProfilesWindows,
				"Get-NetFirewallRule -PolicyStore ActiveStore -Direction Outbound -Action Allow -Enabled True | Format-Table DisplayName, Profile  # what may go out",
				"# outbound blocked by default is usually set by Group Policy or a security tool: ask whoever manages this machine before changing it",
				fwNeverWindows,
			},
		},
		Why: "With outbound traffic blocked by default, only what an allow rule names may leave the machine; nothing the start needs is allowed, so every download, name lookup and API call fails although the network is fine.",
		How: "The output rules (as root: nftables over netlink and legacy iptables on Linux, pf from /dev/pf on macOS; Windows Firewall's policy store, Group Policy included, on Windows) were run for HTTPS, HTTP and DNS to each external target through the interface its route uses: the default action (or a rule that matches everything) drops all of them, and no probe was answered. On Windows the profile judged is the category of the network behind the default route (its NetworkList signature, by the gateway's MAC), else the one category of every known network, else the strictest, and the finding then says it was assumed.",
	}

	FirewallBlocksHTTPS = &Def{
		ID: "firewall-blocks-https", Severity: SevError,
		Title:     "The local firewall blocks HTTPS",
		Text:      "a local firewall rule blocks TCP port 443 (HTTPS) to {targets} ({rule}): package managers, git and registries cannot connect",
		DependsOn: []*Def{LinkDown, LinkNoCarrier, NoDefaultRoute, FirewallKillSwitch},
		Optional:  []Arg{ArgHandle, ArgTable, ArgChain, ArgFWFamily, ArgAnchor, ArgIPTables, ArgRuleNum},
		Manual: Steps{
			Linux:   fwRuleLinux(),
			Darwin:  pfRuleDarwin("443"),
			Windows: []string{fwBlockRulesWindows("443"), fwProfilesWindows, fwWFPWindows, fwNeverWindows},
		},
		Why: "HTTPS is what package managers, git, registries and APIs use: with port 443 blocked on the way out, every download fails, although other ports (and ping) still answer.",
		How: "A connect to port 443 failed at once with EPERM or EACCES, the errno of a local reject, or was refused by an ICMP error that this host itself sent (Linux, IP_RECVERR: a reject rule on output), while the target itself never answered; or (as root: nftables and legacy iptables where its filter table exists on Linux, pf on macOS) the output rules were run for a connection to each target's port 443 and a rule or policy drops or rejects it. A connection to 443 that was accepted overrides the rules.",
	}

	HTTPSRejected = &Def{
		ID: "https-rejected", Severity: SevError,
		Title:     "HTTPS is rejected while other ports answer",
		Text:      "TCP port 443 (HTTPS) to {targets} is rejected ({err}) while port {port} answers: a firewall {detail} blocks HTTPS",
		DependsOn: []*Def{LinkDown, LinkNoCarrier, NoDefaultRoute, FirewallKillSwitch, FirewallBlocksHTTPS},
		Manual: Steps{
			Linux:   []string{"sudo nft -a list ruleset  # a reject rule for port 443 here?", "# else ask the network's owner: a firewall on the way rejects HTTPS"},
			Darwin:  []string{"sudo pfctl -a '*' -sr  # a block rule for port 443 here (anchors included)?", "# else ask the network's owner: a firewall on the way rejects HTTPS"},
			Windows: []string{fwBlockRulesWindows("443") + "  # a rule blocking port 443 here?", "# else ask the network's owner: a firewall on the way rejects HTTPS"},
		},
		Why: "HTTPS is what package managers, git and registries use: a host that answers on other ports but rejects 443 is behind a firewall that blocks the connections a start needs.",
		How: "A connect to port 443 failed at once with 'host unreachable' (an ICMP administratively prohibited) while a connect to another port of the same host was answered, so the route is fine and the reject is a filter.",
	}

	FirewallDNSLeakGuard = &Def{
		ID: "firewall-dns-leak-guard", Severity: SevError,
		Title:     "A VPN's DNS leak protection is left behind",
		Text:      "a local firewall rule drops DNS to every server but {except} ({rule}): {servers} cannot be asked; a VPN's DNS leak protection left behind",
		DependsOn: []*Def{LinkDown, LinkNoCarrier, NoDefaultRoute, FirewallKillSwitch},
		Optional:  []Arg{ArgHandle, ArgTable, ArgChain, ArgFWFamily, ArgAnchor, ArgIPTables, ArgRuleNum},
		Manual: Steps{
			Linux: []string{
				nftListChain + "  # the rule and its handle",
				iptListChain + "  # the rule and its number",
				"# connect the VPN again, or disconnect it in its own app: that removes its leak protection",
				nftDeleteRule + "  # only if the VPN client is gone",
				iptDeleteRule + "  # only if the VPN client is gone",
				fwNeverLinux,
			},
			Darwin: []string{
				pfShowAnchor, "sudo pfctl -a '*' -sr  # every pf rule, anchors included: a block for port 53?",
				"# connect the VPN again, or disconnect it in its own app: that removes its leak protection",
				pfFlushAnchor, pfDisable, fwNeverDarwin,
			},
			Windows: []string{fwBlockRulesWindows("53"), fwWFPWindows, "# connect the VPN again, or quit its app", fwNeverWindows},
		},
		Why: "VPN clients stop DNS leaks by dropping DNS to every server but the tunnel's; left behind after the VPN is gone, the rule makes every configured name server look dead.",
		How: "The output chains' rules were run for a DNS query to each configured name server: a rule that matches port 53 with the exception 'daddr != one address' (pf: 'to ! address') drops them (as root: nftables over netlink and legacy iptables on Linux, pf from /dev/pf on macOS); without the rules, a query that fails at once with EPERM shows the drop.",
	}

	FirewallBlocksDNS = &Def{
		ID: "firewall-blocks-dns", Severity: SevError,
		Title:     "The local firewall blocks DNS",
		Text:      "a local firewall rule drops DNS to {servers} ({rule})",
		DependsOn: []*Def{LinkDown, LinkNoCarrier, NoDefaultRoute, FirewallKillSwitch, FirewallDNSLeakGuard, LocalFirewallBlocks},
		Optional:  []Arg{ArgHandle, ArgTable, ArgChain, ArgFWFamily, ArgAnchor, ArgIPTables, ArgRuleNum},
		Manual: Steps{
			Linux:   fwRuleLinux(),
			Darwin:  pfRuleDarwin("53"),
			Windows: []string{fwBlockRulesWindows("53"), fwProfilesWindows, fwNeverWindows},
		},
		Why: "Names do not resolve when the machine's own firewall drops DNS queries; the name servers are fine.",
		How: "The output rules were run for a DNS query to each configured name server and a rule drops it (as root: nftables over netlink and legacy iptables on Linux, pf from /dev/pf on macOS), or the query failed at once with EPERM, the errno of a local drop.",
	}

	// FirewallOutboundAllowlist: outbound blocked by default, with allow
	// rules for programs or services the model cannot judge. guard's own
	// probes are blocked unless a rule names guard, so their silence says
	// nothing about the network, nor about the programs the start runs: a
	// warning instead of an outage, so that a start whose programs are
	// allowed is not blocked.
	FirewallOutboundAllowlist = &Def{
		ID: "firewall-outbound-allowlist", Severity: SevWarning,
		Title:     "The local firewall lets only the programs it names connect",
		Text:      "the local firewall blocks outbound connections by default ({rule}) and lets out only what its allow rules name ({detail}): guard's probes to {targets} got no answer, so whether the network and the start's programs get through is not known",
		DependsOn: []*Def{LinkDown, LinkNoCarrier, NoDefaultRoute, FirewallKillSwitch, FirewallBlocksOutbound},
		Optional:  []Arg{ArgHandle, ArgTable, ArgChain, ArgFWFamily, ArgAnchor, ArgIPTables},
		Manual: Steps{
			Linux:   []string{nftListChain + "  # the policy and the rules that let programs out", fwNeverLinux},
			Darwin:  []string{pfShowAll, fwNeverDarwin},
			Windows: []string{fwProfilesWindows, "Get-NetFirewallRule -PolicyStore ActiveStore -Direction Outbound -Action Allow -Enabled True | Get-NetFirewallApplicationFilter | Format-Table Program  # the programs let out: are git, your package manager and your runtime among them?", fwNeverWindows},
		},
		Why: "With outbound traffic blocked by default, only the programs and services an allow rule names may connect: the start works if its programs are among them, and guard's own probes (guard is rarely listed) cannot tell.",
		How: "Every probe to the external targets went unanswered, and the output rules (Windows Firewall's policy store with Group Policy's, for the profile known to be active; nftables and legacy iptables as root on Linux; pf as root on macOS) drop a connection to port 443 by default unless a rule the model cannot judge lets it out (a program's or a service's on Windows, a socket owner's or a mark's on Linux).",
	}
)

// firewall judges the machine's own packet filter for the traffic a start
// needs: HTTPS to the external targets and DNS to the name servers.
func (d *diag) firewall() {
	fs := &d.s.Firewall
	var notes []string
	st := StatusPass
	if fs.Read == netstate.TriYes {
		n := 0
		for _, c := range fs.Chains {
			if c.Hook == "output" {
				n++
			}
		}
		notes = append(notes, fmt.Sprintf("%s: %d output chain(s) read", fs.Source, n))
		for _, c := range fs.Chains {
			// Stores without nftables' families (Windows Firewall, WFP)
			// name their chains: which profile was judged, whose sublayer.
			if c.Family != "" || c.Hook != "output" {
				continue
			}
			note := c.Table + " " + c.Name
			if c.Policy == netstate.FWDrop {
				note += ": outbound blocked by default, only what its allow rules name may connect"
			}
			notes = append(notes, note)
		}
		if fs.Partial != nil {
			// What was read still counts; what was not is said, not judged.
			notes = append(notes, fs.Partial.Error()+" (not judged)")
		}
		if d.killSwitch() || d.blocksOutbound() {
			d.set(StatusFail, strings.Join(notes, "; "))
			return
		}
	}
	st = worse(st, d.httpsBlocked())
	st = worse(st, d.dnsBlocked())
	if st == StatusPass && fs.Read == netstate.TriYes {
		st = worse(st, d.outboundAllowlist())
	}
	switch fs.Read {
	case netstate.TriNo:
		why := netstate.ErrText(fs.Err)
		if netstate.Classify(fs.Err) == netstate.ClassTimeout {
			why = "too many to read within the budget"
		}
		notes = append(notes, fmt.Sprintf("%s rules not readable (%s): judged from errno alone", fs.Source, why))
		if st == StatusPass {
			st = StatusUnknown
		}
	case netstate.TriUnknown:
		notes = append(notes, "rules not read on this OS: judged from errno alone")
	}
	d.set(st, strings.Join(notes, "; "))
}

// https443 is the packet of a connection to t's port 443.
func https443(t *netstate.TargetResult) netstate.FWPacket {
	return netstate.FWPacket{Family: netstate.FamilyOf(t.Addr), L4Proto: netstate.ProtoTCP, DAddr: t.Addr, DPort: 443, OIfName: t.Route.IfName}
}

// connected443 reports whether a connection to t's port 443 was accepted:
// proof that nothing blocks it, whatever the rules seem to say.
func connected443(t *netstate.TargetResult) bool {
	return t.TCP.Answered && !t.TCP.Refused && t.TCP.Target.Port() == 443
}

// killSwitch names an output policy that drops everything but a tunnel
// that the targets' routes do not use.
func (d *diag) killSwitch() bool {
	var targets, evidence []string
	var first fwOutcome
	var tunnels []string
	iface := ""
	for _, t := range d.usedTargets() {
		if t.RouteErr != nil || t.Reachable() {
			continue
		}
		o := fwEval(&d.s.Firewall, https443(t))
		if !killSwitchOutcome(o, t.Route.IfName) {
			continue
		}
		tun := tunnelExceptions(o.Chain)
		if first.Chain == nil {
			first, tunnels, iface = o, tun, t.Route.IfName
		}
		targets = append(targets, t.Addr.String())
		evidence = append(evidence, fmt.Sprintf("%s via %s: %s", t.Addr, t.Route.IfName, o.where()))
	}
	if first.Chain == nil {
		return false
	}
	for _, tn := range tunnels {
		if !slices.ContainsFunc(d.s.Links, func(l netstate.Link) bool { return ifNameMatches(tn, l.Name) }) {
			evidence = append(evidence, tn+": no such interface")
		}
	}
	a := first.fwArgs(Args{ArgTunnel: strings.Join(tunnels, ", "), ArgTargets: strings.Join(targets, ListSep), ArgIface: iface})
	if first.Chain.Family != "" { // nftables or legacy iptables: the chain, and the rule as its tool refers to it
		a[ArgRule] = chainName(first.Chain)
		if first.Rule != nil {
			a[ArgRule] += fmt.Sprintf(" (%s: %s)", ruleRef(first.Chain, first.Rule), first.Rule.Text)
		}
	}
	d.add(FirewallKillSwitch, a, evidence...)
	return true
}

// blocksOutbound names an output policy, or a rule that matches
// everything, that drops all the start sends to the external targets with
// no tunnel let through (that would be a kill switch): outbound blocked by
// default (Windows Firewall's DefaultOutboundAction, an nftables policy
// drop) with no allow rule for the start. Only when nothing answered.
func (d *diag) blocksOutbound() bool {
	if slices.ContainsFunc(d.s.DNS.Servers, func(s netstate.DNSServerResult) bool { return s.Answered }) {
		return false
	}
	// A proxy that gets out is a way out the rules leave open (a machine
	// whose firewall lets only the proxy out): the internet check names
	// the network proxy-only, and the start's programs get through.
	if d.proxyGetsOut() {
		return false
	}
	var targets, evidence []string
	var first fwOutcome
	iface := ""
	for _, t := range d.usedTargets() {
		if t.Reachable() {
			return false
		}
		if t.RouteErr != nil {
			continue
		}
		oif := t.Route.IfName
		var o fwOutcome
		for _, p := range startPackets(t.Addr, oif) {
			o = fwEval(&d.s.Firewall, p)
			if !o.blocked() || (o.Rule != nil && (len(o.Rule.Match) > 0 || o.Rule.Opaque)) {
				return false
			}
		}
		if first.Chain == nil {
			first, iface = o, oif
		}
		targets = append(targets, t.Addr.String())
		evidence = append(evidence, fmt.Sprintf("%s via %s (tcp 443, tcp 80, udp 53): %s", t.Addr, oif, o.where()))
	}
	if first.Chain == nil {
		return false
	}
	d.add(FirewallBlocksOutbound, first.fwArgs(Args{ArgTargets: strings.Join(targets, ListSep), ArgIface: iface}), evidence...)
	return true
}

// outboundAllowlist names an output policy that drops what guard sends
// unless an allow rule the model cannot judge (a program's, a service's)
// lets it out, when nothing answered: see FirewallOutboundAllowlist. A
// chain that holds only under an assumption (a Windows profile assumed to
// be the active one) does not count: the network may be down instead.
func (d *diag) outboundAllowlist() Status {
	var targets []string
	var first fwOutcome
	for _, t := range d.usedTargets() {
		if t.Reachable() {
			return StatusPass
		}
		if t.RouteErr != nil {
			continue
		}
		o := fwEval(&d.s.Firewall, https443(t))
		if o.Sure || o.Rule != nil || o.Verdict != netstate.FWDrop || o.Chain == nil || o.Chain.Assumed {
			return StatusPass
		}
		if first.Chain == nil {
			first = o
		}
		targets = append(targets, t.Addr.String())
	}
	if first.Chain == nil {
		return StatusPass
	}
	var allowed []string
	for _, r := range first.Chain.Rules {
		if r.Verdict == netstate.FWAccept && r.Opaque {
			allowed = append(allowed, r.Text)
		}
	}
	detail := fmt.Sprintf("%d rule(s) for programs or services", len(allowed))
	ev := allowed
	if len(ev) > 5 {
		ev = append(ev[:5:5], fmt.Sprintf("and %d more", len(allowed)-5))
	}
	fd := d.add(FirewallOutboundAllowlist, first.fwArgs(Args{ArgTargets: strings.Join(targets, ListSep), ArgDetail: detail}), ev...)
	return statusOf(fd.Severity)
}

// httpsBlocked names a local rule, or a reject errno, that stops TCP 443
// to the external targets, whatever the other ports say.
func (d *diag) httpsBlocked() Status {
	// A proxy that gets out is the start's way out for HTTPS (a network,
	// or this machine's own rules, that let only the proxy out): the
	// internet check names the network proxy-only, as it does for an
	// errno.
	if d.proxyGetsOut() {
		return StatusPass
	}
	var local, remote []string
	var localEv, remoteEv []string
	var rule fwOutcome
	errText, answeredPort, errnoWhy := "", "", ""
	for _, t := range d.usedTargets() {
		if t.RouteErr != nil || connected443(t) {
			continue
		}
		if d.s.Firewall.Read == netstate.TriYes {
			if o := fwEval(&d.s.Firewall, https443(t)); o.blocked() {
				if rule.Chain == nil {
					rule = o
				}
				local = append(local, t.Addr.String())
				localEv = append(localEv, fmt.Sprintf("%s port 443: %s", t.Addr, o.where()))
				continue
			}
		}
		i443 := slices.IndexFunc(t.TCP.PortFailures, func(p netstate.PortFailure) bool { return p.Port == 443 })
		if i443 < 0 {
			continue
		}
		pf := t.TCP.PortFailures[i443]
		switch netstate.Classify(pf.Err) {
		case netstate.ClassPermission:
			local = append(local, t.Addr.String())
			why := "the kernel refused the connect: " + netstate.ErrText(pf.Err)
			var lr *netstate.LocalRejectError
			if errors.As(pf.Err, &lr) {
				why = lr.Error()
			}
			if errnoWhy == "" {
				errnoWhy = why
			}
			localEv = append(localEv, fmt.Sprintf("%s port 443: %s", t.Addr, why))
		case netstate.ClassHostUnreach:
			if !t.TCP.Answered || t.TCP.Target.Port() == 443 {
				continue // no other port answered: the path, not a filter
			}
			remote = append(remote, t.Addr.String())
			errText, answeredPort = netstate.ErrText(pf.Err), fmt.Sprint(t.TCP.Target.Port())
			remoteEv = append(remoteEv, fmt.Sprintf("%s port 443: %s; port %d: answered", t.Addr, netstate.ErrText(pf.Err), t.TCP.Target.Port()))
		}
	}
	st := StatusPass
	if len(local) > 0 {
		a := Args{ArgTargets: strings.Join(local, ListSep), ArgRule: errnoWhy}
		if rule.Chain != nil {
			a = rule.fwArgs(a)
		}
		fd := d.add(FirewallBlocksHTTPS, a, localEv...)
		st = worse(st, statusOf(fd.Severity))
	}
	if len(remote) > 0 {
		where := "here or on the way"
		if d.s.Firewall.Read == netstate.TriYes {
			where = "on the way (this machine's rules allow it)"
		}
		fd := d.add(HTTPSRejected, Args{ArgTargets: strings.Join(remote, ListSep), ArgErr: errText, ArgPort: answeredPort, ArgDetail: where}, remoteEv...)
		st = worse(st, statusOf(fd.Severity))
	}
	return st
}

// dnsServers are the name servers a query leaves this machine for, with
// the interface the route to each uses: the resolver's own, or the
// upstreams of a local stub.
func (d *diag) dnsServers() []netstate.FWPacket {
	r := d.s.DNS.Resolver
	servers := slices.Clone(r.Servers)
	if len(servers) == 0 {
		for _, s := range d.s.DNS.Servers {
			servers = append(servers, s.Server)
		}
	}
	servers = append(servers, r.Upstreams...)
	var out []netstate.FWPacket
	for _, s := range servers {
		a := s.Addr().Unmap()
		if a.IsLoopback() || slices.ContainsFunc(out, func(p netstate.FWPacket) bool { return p.DAddr == a }) {
			continue // a local stub: its own upstreams are the ones that leave
		}
		port := s.Port()
		if port == 0 {
			port = 53
		}
		p := netstate.FWPacket{Family: netstate.FamilyOf(a), L4Proto: netstate.ProtoUDP, DAddr: a, DPort: port, OIfName: d.routeIfName(a)}
		out = append(out, p)
	}
	return out
}

// routeIfName is the interface of the route the kernel gave for a, from
// the path tracing or the probe of a silent server; else the family's
// default route's.
func (d *diag) routeIfName(a netip.Addr) string {
	for _, nr := range d.s.NameServerRoutes {
		if nr.Addr == a && nr.RouteErr == nil {
			return nr.Route.IfName
		}
	}
	for _, s := range d.s.DNS.Servers {
		if s.Server.Addr() == a && s.Route != nil {
			return s.Route.IfName
		}
	}
	if f := d.s.Family(netstate.FamilyOf(a)); f.Default != nil {
		return f.Default.IfName
	}
	return ""
}

// dnsBlocked names a local rule that drops DNS to the name servers: a leak
// guard when it excepts one address, else a plain block. Without the
// rules, a query that failed at once with EPERM shows the same.
func (d *diag) dnsBlocked() Status {
	var blocked, allowed, ev []string
	var rule fwOutcome
	for _, p := range d.dnsServers() {
		if d.serverAnswered(p.DAddr) {
			allowed = append(allowed, p.DAddr.String())
			continue
		}
		if d.s.Firewall.Read == netstate.TriYes {
			if o := fwEval(&d.s.Firewall, p); o.blocked() {
				if rule.Chain == nil {
					rule = o
				}
				blocked = append(blocked, p.DAddr.String())
				ev = append(ev, fmt.Sprintf("%s port %d/udp via %s: %s", p.DAddr, p.DPort, p.OIfName, o.where()))
				continue
			}
		}
		for _, s := range d.s.DNS.Servers {
			if s.Server.Addr() == p.DAddr && !s.Answered && netstate.Classify(s.Err) == netstate.ClassPermission {
				blocked = append(blocked, p.DAddr.String())
				ev = append(ev, fmt.Sprintf("%s: the query failed at once with %s", p.DAddr, netstate.ErrText(s.Err)))
				break
			}
		}
	}
	if len(blocked) == 0 {
		return StatusPass
	}
	a := Args{ArgServers: strings.Join(blocked, ListSep), ArgRule: "EPERM from this machine's own stack"}
	if rule.Chain != nil {
		a = rule.fwArgs(a)
	}
	def := FirewallBlocksDNS
	if rule.Rule != nil {
		if except := negAddrs(rule.Rule); len(except) > 0 {
			def = FirewallDNSLeakGuard
			a[ArgExcept] = strings.Join(except, ", ")
		}
	}
	fd := d.add(def, a, ev...)
	if len(allowed) > 0 {
		// Other servers answer: names resolve, only slower.
		fd.Severity = SevWarning
	}
	return statusOf(fd.Severity)
}
