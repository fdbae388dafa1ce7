package diagnose

import (
	"cmp"
	"strings"

	"github.com/netguard/netguard/checks/netstate"
)

// Gateway is the gateway check.
var Gateway = &Check{
	ID: "gateway", Chained: true, judge: (*diag).gateway,
	Findings: []*Def{LocalNetworkDenied, GatewaySendRefused, GatewayUnreachable, GatewaySilent},
}

// The findings of the gateway check, in root-cause order.
var (
	LocalNetworkDenied = &Def{
		ID: "local-network-denied", Severity: SevWarning,
		Title: "macOS Local Network privacy blocks this app",
		Text:  "the local network refuses this process (EHOSTUNREACH with a complete ARP entry) while the internet works: macOS Local Network privacy denies {app}",
		Manual: Steps{
			Linux:   []string{"sudo nft list ruleset  # Local Network privacy is macOS only: look for a rule refusing {gateway}"},
			Darwin:  []string{"# System Settings › Privacy & Security › Local Network: turn on {app}, then quit and reopen it", "# if it is not listed, run the start from Terminal once and allow the prompt", "tccutil reset LocalNetwork  # or forget every decision and be asked again"},
			Windows: []string{"Get-NetFirewallRule -Direction Outbound -Action Block -Enabled True  # Local Network privacy is macOS only: look for a rule blocking {gateway}"},
		},
		Why: "macOS Local Network privacy cuts this app (terminal, IDE) off from local hosts while other apps work: local servers, databases and the router seem down.",
		How: "Sending to the gateway failed with EHOSTUNREACH although its ARP entry is complete and the internet answers; the app that started guard is named.",
	}

	GatewaySendRefused = &Def{
		ID: "gateway-send-refused", Severity: SevWarning,
		Title:     "This machine refuses to send to the gateway",
		Text:      "sending to the gateway {gateway} fails at once ({err}) while the internet works",
		DependsOn: []*Def{GatewayRouteRejected, LocalNetworkDenied, FirewallKillSwitch, FirewallBlocksOutbound, FirewallOutboundAllowlist},
		Manual: Steps{
			Linux:   []string{"sudo nft list ruleset  # a firewall rule rejecting it?", "sudo iptables -S OUTPUT", "ip route get {gateway}"},
			Darwin:  []string{"route -n get {gateway}", "sudo pfctl -sr  # a pf rule rejecting it?", "# check a firewall or VPN app that filters the local network"},
			Windows: []string{"Find-NetRoute -RemoteIPAddress {gateway}", "Get-NetFirewallRule -Direction Outbound -Action Block -Enabled True  # a rule blocking it?", "# check a firewall or VPN client that filters the local network"},
		},
		Why: "The machine refuses to send to its own gateway (a local firewall rule or policy) while other traffic works; local services behind it fail.",
		How: "Sending to the gateway failed at once with a refusal errno (EPERM, EACCES, EHOSTUNREACH) while external targets answered.",
	}

	GatewayUnreachable = &Def{
		ID: "gateway-unreachable", Severity: SevError,
		Title:     "Gateway unreachable",
		Text:      "the gateway {gateway} answers neither ping nor TCP ({detail})",
		DependsOn: []*Def{LinkDown, LinkNoCarrier, LinkNoAddress, NoDefaultRoute, GatewayRouteRejected, GatewayNeighborFailed, GatewayNeighborStatic, GatewayNeighborAmbiguous, GatewayNeighborWrong, LocalNetworkDenied, DefaultRouteDead, FirewallKillSwitch, FirewallBlocksOutbound, FirewallOutboundAllowlist, LocalFirewallBlocks},
		Fixes:     []netstate.Rung{netstate.RungDeleteNeighbor, netstate.RungFlushNeighbors, netstate.RungReapplyInterface},
		Manual: Steps{
			Linux:   []string{"# check that the router is on and reachable: cable, Wi-Fi, VLAN", "ip neigh show {gateway}", "ip route get {gateway}"},
			Darwin:  []string{"# check that the router is on and reachable: cable, Wi-Fi", "[IPv4] arp -n {gateway}", "[IPv6] ndp -an", "route -n get {gateway}"},
			Windows: []string{"# check that the router is on and reachable: cable, Wi-Fi", "Get-NetNeighbor -IPAddress {gateway}", "Find-NetRoute -RemoteIPAddress {gateway}"},
		},
		Why: "The gateway does not answer and nothing gets through it: nothing outside the local network is reachable.",
		How: "The gateway answered neither ICMP echo nor a TCP connection attempt, and the external targets did not answer either; both probe kinds agree.",
	}

	GatewaySilent = &Def{
		ID: "gateway-silent", Severity: SevInfo,
		Title: "Gateway ignores probes", Text: "the gateway {gateway} answers neither ping nor TCP, but traffic through it works (many routers ignore probes)",
		Manual: Steps{
			Linux:   []string{"# nothing to do: many routers ignore ping and closed ports, and traffic through the gateway works"},
			Darwin:  []string{"# nothing to do: many routers ignore ping and closed ports, and traffic through the gateway works"},
			Windows: []string{"# nothing to do: many routers ignore ping and closed ports, and traffic through the gateway works"},
		},
		Why: "Harmless: many routers ignore pings and closed ports. Reported so a later real outage is not blamed on it.",
		How: "The gateway answered neither ping nor TCP, but external targets answered through it.",
	}
)

// gateway judges whether the next hop answers a ping or a TCP connect (a
// refusal counts). A gateway that ignores probes while traffic through it
// works is normal.
func (d *diag) gateway() {
	var parts, skipped []string
	st := StatusPass
	sawGateway := false
	for _, f := range d.usedFamilies() {
		g := f.GatewayProbe
		if g == nil {
			continue
		}
		sawGateway = true
		// A gateway the kernel routes elsewhere, or that the tables
		// already prove dead, is not judged by probes: never "a router
		// that ignores probes".
		if pl := d.gatewayPathLine(f, g); pl != "" {
			skipped = append(skipped, pl)
			continue
		}
		line := targetText(g)
		parts = append(parts, line)
		if g.Reachable() {
			continue
		}
		args := Args{ArgGateway: g.Addr.String(), ArgDetail: line, ArgApp: d.hostApp(), ArgFamily: famName(f.Family)}
		switch {
		case d.inetReach && d.gatewayRefusedLocally(g):
			e, _ := d.gatewayEntries(f)
			if d.s.LocalNetworkPrivacy && e != nil && e.Resolved() && !d.rejected(g.Route, g.RouteErr) {
				fd := d.add(LocalNetworkDenied, args, line, "internet reachable through the same gateway")
				st = worse(st, statusOf(fd.Severity))
				continue
			}
			args[ArgErr] = netstate.ErrText(cmp.Or(g.ICMP.Err, g.TCP.Err))
			fd := d.add(GatewaySendRefused, args, line, "internet reachable through the same gateway")
			st = worse(st, statusOf(fd.Severity))
		case d.inetReach && !famReach(f) && len(f.External) > 0:
			// Only the other family works: family-unreachable names
			// this one; "traffic through it works" would be false.
		case d.inetReach:
			d.add(GatewaySilent, args, line)
		case d.answeredThrough(f) != "":
			d.add(GatewaySilent, args, line, d.answeredThrough(f))
		default:
			d.add(GatewayUnreachable, args, line)
			st = StatusFail
		}
	}
	switch {
	case !sawGateway:
		d.set(StatusSkip, d.noGatewayReason())
	case len(parts) == 0:
		d.set(StatusSkip, strings.Join(skipped, "; "))
	default:
		d.set(st, strings.Join(append(parts, skipped...), "; "))
	}
}

func (d *diag) hostApp() string {
	if d.s.HostApp != "" {
		return d.s.HostApp
	}
	return "the app that runs this check (Terminal, VS Code, Cursor…)"
}
