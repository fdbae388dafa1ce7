package diagnose

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/netguard/netguard/checks/netstate"
)

// Neighbor is the neighbor check.
var Neighbor = &Check{
	ID: "neighbor", Chained: true, judge: (*diag).neighbor,
	Findings: []*Def{GatewayNeighborFailed, GatewayNeighborStatic, GatewayNeighborAmbiguous, GatewayNeighborWrong, GatewayNeighborDuplicate},
}

// The findings of the neighbor check, in root-cause order.
var (
	GatewayNeighborFailed = &Def{
		ID: "gateway-neighbor-failed", Severity: SevError,
		Title:     "Gateway does not answer ARP/NDP",
		Text:      "the gateway {gateway} on {iface} does not answer address resolution (entry {state})",
		DependsOn: []*Def{LinkDown, LinkNoCarrier, LinkNoAddress},
		Fixes:     []netstate.Rung{netstate.RungDeleteNeighbor, netstate.RungFlushNeighbors, netstate.RungReapplyInterface},
		Manual: Steps{
			Linux:   []string{"sudo ip neigh del {gateway} dev {iface}", "# check that the router is on and the cable or Wi-Fi is connected"},
			Darwin:  []string{"[IPv4] sudo arp -d {gateway} ifscope {iface}", "[IPv6] sudo ndp -d {gateway}%{iface}", "# check that the router is on and the cable or Wi-Fi is connected"},
			Windows: []string{"Remove-NetNeighbor -IPAddress {gateway} -InterfaceAlias {iface} -Confirm:$false  # in an elevated PowerShell", "# check that the router is on and the cable or Wi-Fi is connected"},
		},
		Why: "If the gateway's MAC cannot be resolved no packet can be handed to it: the whole network path is down although the link is up.",
		How: "The gateway's neighbor (ARP/NDP) entry is FAILED or INCOMPLETE, confirmed by a probe of the gateway that got no answer.",
	}

	GatewayNeighborStatic = &Def{
		ID: "gateway-neighbor-static", Severity: SevError,
		Title:     "A static ARP/NDP entry pins the gateway to a MAC that does not answer",
		Text:      "a permanent entry maps the gateway {gateway} to {mac} on {iface}, and nothing answers through it",
		DependsOn: []*Def{LinkDown, LinkNoCarrier, LinkNoAddress},
		Fixes:     []netstate.Rung{netstate.RungDeleteNeighbor},
		Manual: Steps{
			Linux:   []string{"sudo ip neigh del {gateway} dev {iface}", "# then find what set it (a script, /etc/ethers, a systemd-networkd [Neighbor] section) so it does not come back"},
			Darwin:  []string{"[IPv4] sudo arp -d {gateway} ifscope {iface}", "[IPv6] sudo ndp -d {gateway}%{iface}", "# then find what set it (arp -s or ndp -s in a script or a launchd job) so it does not come back"},
			Windows: []string{"Remove-NetNeighbor -IPAddress {gateway} -InterfaceAlias {iface} -Confirm:$false  # in an elevated PowerShell", "# then find what set it (New-NetNeighbor or netsh in a script or scheduled task) so it does not come back"},
		},
		Why: "A permanent entry is never refreshed: if it points at a MAC that no longer answers, traffic to the gateway stays lost until it is removed.",
		How: "The gateway's neighbor entry is PERMANENT/static, and probes through it get no answer. As root it is removed only when, in addition, exactly one MAC, not the pinned one, answers address resolution for the gateway (replies addressed to this host, gathered for the whole probe window); the privileged helper checks the same before deleting, and puts the entry back if the gateway stays silent without it. Where the OS layer cannot put a permanent entry back (macOS, Windows) it is never removed: the answers are evidence for the manual steps.",
	}

	GatewayNeighborAmbiguous = &Def{
		ID: "gateway-neighbor-ambiguous", Severity: SevError,
		Title:     "Several MACs answer for the gateway's address: possibly spoofed",
		Text:      "nothing answers through the permanent entry mapping the gateway {gateway} to {mac} on {iface}, and {detail} answered for its address: an address conflict or a host spoofing the gateway",
		DependsOn: []*Def{LinkDown, LinkNoCarrier, LinkNoAddress},
		Manual: Steps{
			Linux:   []string{"ip neigh show {gateway} dev {iface}  # the pinned MAC", "sudo arping -I {iface} -c 3 {gateway}  # every MAC that answers for the gateway", "# compare with the MAC printed on the router or its admin page: keep the pin if it is the router's", "# then find the host answering from the other MAC; guard never removes a pin while several MACs answer"},
			Darwin:  []string{"[IPv4] arp -n {gateway}  # the pinned MAC", "[IPv6] ndp -an  # the pinned MAC", "[IPv4] sudo tcpdump -n -e -c 20 -i {iface} arp and host {gateway}  # the MACs that send ARP for the gateway's address", "# compare with the MAC printed on the router or its admin page: keep the pin if it is the router's", "# then find the host answering from the other MAC; guard never removes a pin while several MACs answer"},
			Windows: []string{"Get-NetNeighbor -IPAddress {gateway}  # the pinned MAC", "# compare with the MAC printed on the router or its admin page: keep the pin if it is the router's", "# then find the host answering from the other MAC; guard never removes a pin while several MACs answer"},
		},
		Why: "Anyone on the LAN can answer ARP or NDP for the gateway's address; when several MACs answer, one may be an attacker who wants the pin gone so that traffic flows through it. Removing the pin on such evidence would hand the gateway's address to whoever answered.",
		How: "As root, the gateway pinned by a permanent entry is asked for its MAC for the whole probe window; only answers addressed to this host count. Traffic through the pin fails and more than one MAC answered: no repair is tried.",
	}

	GatewayNeighborWrong = &Def{
		ID: "gateway-neighbor-wrong", Severity: SevError,
		Title:     "The gateway's ARP/NDP entry looks stale or wrong",
		Text:      "the gateway {gateway} resolves to {mac} on {iface} ({state}) but does not answer through it",
		DependsOn: []*Def{LinkDown, LinkNoCarrier, LinkNoAddress, AddressConflict, FirewallKillSwitch, FirewallBlocksOutbound, FirewallOutboundAllowlist, LocalFirewallBlocks},
		Fixes:     []netstate.Rung{netstate.RungDeleteNeighbor, netstate.RungFlushNeighbors, netstate.RungReapplyInterface},
		Manual: Steps{
			Linux:   []string{"sudo ip neigh del {gateway} dev {iface}", "sudo ip neigh flush dev {iface} nud failed nud stale  # if that does not help"},
			Darwin:  []string{"[IPv4] sudo arp -d {gateway} ifscope {iface}", "[IPv6] sudo ndp -d {gateway}%{iface}", "[IPv4] arp -an -i {iface}  # the entry is learnt again with the next packet", "[IPv6] ndp -an  # the entry is learnt again with the next packet"},
			Windows: []string{"Remove-NetNeighbor -IPAddress {gateway} -InterfaceAlias {iface} -Confirm:$false  # in an elevated PowerShell", "Get-NetNeighbor -IPAddress {gateway}  # the entry is learnt again with the next packet"},
		},
		Why: "A cached MAC that no longer belongs to the gateway (a replaced router, a moved address) sends every packet to the wrong place until the entry expires.",
		How: "The gateway's neighbor entry holds a MAC, the gateway does not answer through it, and a fresh resolution (where permitted) answers differently or not at all.",
	}

	GatewayNeighborDuplicate = &Def{
		ID: "gateway-neighbor-duplicate", Severity: SevWarning,
		Title: "The gateway has conflicting ARP/NDP entries",
		Text:  "the gateway {gateway} has {count} entries with different MACs: {detail}",
		Fixes: []netstate.Rung{netstate.RungDeleteNeighbor},
		Manual: Steps{
			Linux:   []string{"sudo ip neigh del {gateway} dev {ifaces}"},
			Darwin:  []string{"[IPv4] sudo arp -d {gateway} ifscope {ifaces}", "[IPv6] sudo ndp -d {gateway}%{ifaces}"},
			Windows: []string{"Remove-NetNeighbor -IPAddress {gateway} -InterfaceAlias {ifaces} -Confirm:$false  # in an elevated PowerShell"},
		},
		Why: "Two MACs for the gateway on different interfaces or scopes means some traffic may go to the wrong one: an address conflict or a stale scoped entry.",
		How: "The neighbor table holds more than one entry for the gateway's address with different MACs.",
	}
)

// neighbor judges the gateway's ARP/NDP entry together with the probes.
// STALE is the normal idle state of a good entry; FAILED/INCOMPLETE and a
// MAC nothing answers through are the bad ones.
func (d *diag) neighbor() {
	if d.s.NeighborsErr != nil {
		d.set(StatusUnknown, "could not read the neighbor table: "+d.s.NeighborsErr.Error())
		return
	}
	var parts []string
	st := StatusPass
	sawGateway := false
	for _, f := range d.usedFamilies() {
		if !f.Gateway.IsValid() {
			continue
		}
		sawGateway = true
		e, all := d.gatewayEntries(f)
		if macs := distinctMACs(all); len(macs) > 1 {
			var ev, ifaces []string
			for _, n := range all {
				ev = append(ev, fmt.Sprintf("%s at %s on %s (%s)", n.IP, netstate.MACText(n.MAC), n.IfName, n.State))
				if !slices.Contains(ifaces, n.IfName) {
					ifaces = append(ifaces, n.IfName)
				}
			}
			fd := d.add(GatewayNeighborDuplicate, Args{ArgGateway: f.Gateway.String(), ArgCount: strconv.Itoa(len(all)), ArgDetail: strings.Join(ev, ", "),
				ArgIfaces: strings.Join(ifaces, ListSep), ArgFamily: famName(f.Family)}, ev...)
			st = worse(st, statusOf(fd.Severity))
		}
		if e == nil {
			parts = append(parts, f.Gateway.String()+": no entry")
			continue
		}
		parts = append(parts, fmt.Sprintf("%s at %s on %s (%s)", e.IP, netstate.MACText(e.MAC), e.IfName, stateText(e)))
		g := f.GatewayProbe
		if g == nil || g.Reachable() || d.inetReach || d.answeredThrough(f) != "" || d.gatewayRefusedLocally(g) || d.gatewayPathLine(f, g) != "" {
			continue
		}
		// The gateway answered address resolution with the entry's own
		// MAC: the entry is right, the silence is the gateway's.
		if f.Solicit.Confirms() && f.Solicit.Entry.IfIndex == e.IfIndex {
			continue
		}
		args := Args{ArgGateway: f.Gateway.String(), ArgIface: e.IfName, ArgMAC: netstate.MACText(e.MAC), ArgState: stateText(e), ArgFamily: famName(f.Family)}
		ev := fmt.Sprintf("%s on %s: %s %s; gateway and internet silent (icmp: %s, tcp: %s)", e.IP, e.IfName, netstate.MACText(e.MAC), stateText(e), netstate.ErrText(g.ICMP.Err), netstate.ErrText(g.TCP.Err))
		evs := []string{ev}
		r := f.Solicit
		if r != nil && r.Entry.IfIndex != e.IfIndex {
			r = nil
		}
		if r.Ambiguous() {
			// Several MACs claim the gateway's address: one of them may be
			// spoofing it, so none is evidence against the entry.
			var macs []string
			for _, a := range r.Answers {
				macs = append(macs, fmt.Sprintf("%s in %s", netstate.MACText(a.MAC), ms(a.RTT)))
			}
			args[ArgDetail] = strings.Join(macs, ", ")
			d.add(GatewayNeighborAmbiguous, args, append(evs, "address resolution for "+e.IP.String()+" was answered by "+args[ArgDetail])...)
			st = StatusFail
			continue
		}
		if r.Contradicts() {
			evs = append(evs, fmt.Sprintf("the gateway's address answered address resolution from %s in %s: the entry's %s is not its MAC", netstate.MACText(r.Answers[0].MAC), ms(r.Answers[0].RTT), netstate.MACText(e.MAC)))
		}
		switch {
		case e.State == netstate.NeighFailed || e.State == netstate.NeighIncomplete:
			d.add(GatewayNeighborFailed, args, evs...)
		case e.Permanent:
			d.add(GatewayNeighborStatic, args, evs...)
		case e.Resolved():
			d.add(GatewayNeighborWrong, args, evs...)
		default:
			continue
		}
		st = StatusFail
	}
	if !sawGateway {
		d.set(StatusSkip, d.noGatewayReason())
		return
	}
	d.set(st, strings.Join(parts, "; "))
}

func distinctMACs(ns []netstate.Neighbor) []string {
	var out []string
	for _, n := range ns {
		if len(n.MAC) == 0 {
			continue
		}
		if m := netstate.MACText(n.MAC); !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	return out
}
