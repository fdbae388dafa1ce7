package diagnose

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/netguard/netguard/checks/netstate"
)

// Route is the route check.
var Route = &Check{
	ID: "route", Chained: true, judge: (*diag).route,
	Findings: []*Def{NoDefaultRoute, GatewayRouteRejected, TargetRouteRejected, RouteLookupFailed, TunnelCoversGateway, DefaultRouteVPN, TunnelDead, GatewayRouteDiverted, TargetRouteDiverted, NameServerRouteDiverted, DefaultRouteDead},
}

// The findings of the route check, in root-cause order.
var (
	NoDefaultRoute = &Def{
		ID: "no-default-route", Severity: SevError,
		Title: "No default route", Text: "there is no default route: nothing outside the local networks is reachable",
		DependsOn: []*Def{LinkDown, LinkNoCarrier, LinkNoLease},
		Fixes:     []netstate.Rung{netstate.RungReapplyInterface},
		Optional:  []Arg{ArgIface},
		Manual: Steps{
			Linux:   []string{"# reconnect to the network (cable, Wi-Fi, VPN), or renew DHCP", "[NetworkManager] sudo nmcli device reapply {iface}  # renew DHCP (NetworkManager)", "[systemd-networkd] sudo networkctl renew {iface}  # renew DHCP (systemd-networkd)", "[dhcpcd] sudo dhcpcd -n {iface}  # renew DHCP (dhcpcd)", "[dhclient] sudo dhclient -v {iface}  # renew DHCP (dhclient)", "[netplan] ls /etc/netplan  # the configuration netplan generates; sudo netplan apply after a change", "[ifupdown] sudo ifup {iface}  # ifupdown configures {iface}", "ip route show default", "ip -6 route show default"},
			Darwin:  []string{"# reconnect to the network (cable, Wi-Fi, VPN)", "# renew DHCP: System Settings › Network › the service of {iface} › Details › TCP/IP › Renew DHCP Lease", "route -n get default  # never run route -n flush: it deletes every route", "route -n get -inet6 default"},
			Windows: []string{"# reconnect to the network (cable, Wi-Fi, VPN), or renew DHCP", "ipconfig /renew  # renew DHCP", "Get-NetRoute -DestinationPrefix 0.0.0.0/0", "Get-NetRoute -DestinationPrefix ::/0"},
		},
		Why: "Without a default route only directly attached networks are reachable: package registries, container registries and APIs are not.",
		How: "The routing table (main and policy tables) holds no default route of any family.",
	}

	GatewayRouteRejected = &Def{
		ID: "gateway-route-rejected", Severity: SevWarning,
		Title: "A reject route covers the gateway",
		Text:  "{type} route {prefix} makes the kernel refuse traffic to the gateway {gateway}",
		Manual: Steps{
			Linux:   []string{"ip route get {gateway}", "ip rule show", "sudo ip route del {type} {prefix}  # if nobody added it on purpose"},
			Darwin:  []string{"route -n get {gateway}", "sudo route -n delete {prefix}  # if nobody added it on purpose"},
			Windows: []string{"Find-NetRoute -RemoteIPAddress {gateway}", "Remove-NetRoute -DestinationPrefix {prefix}  # if nobody added it on purpose; elevated PowerShell"},
		},
		Why: "A reject, blackhole or prohibit route that covers the gateway makes the kernel drop every packet to it, although the default route looks fine.",
		How: "A route lookup for the gateway's address returned a route of a rejecting type; the route is named with its prefix.",
	}

	TargetRouteRejected = &Def{
		ID: "target-route-rejected", Severity: SevWarning,
		Title: "A reject route covers external targets",
		Text:  "the kernel refuses traffic to {targets} ({detail})",
		Manual: Steps{
			Linux:   []string{"ip route get {targets}", "ip rule show", "sudo ip route del {routes}  # if nobody added it on purpose"},
			Darwin:  []string{"route -n get {targets}", "sudo route -n delete {prefixes}  # if nobody added it on purpose"},
			Windows: []string{"Find-NetRoute -RemoteIPAddress {targets}", "Remove-NetRoute -DestinationPrefix {prefixes}  # if nobody added it on purpose; elevated PowerShell"},
		},
		Why: "Traffic to these external targets is refused inside this machine by a rejecting route, so anything on those networks fails.",
		How: "A route lookup for the targets returned a reject, blackhole, prohibit or unreachable route.",
	}

	RouteLookupFailed = &Def{
		ID: "route-lookup-failed", Severity: SevWarning,
		Title: "Route lookup failed", Text: "the kernel found no route to {targets} at this instant ({err}) although a default route exists: routes are changing",
		Manual: Steps{
			Linux:   []string{"guard check  # again: routes are changing", "ip route get {targets}  # if it persists"},
			Darwin:  []string{"guard check  # again: routes are changing (what traceroute's 'findsaddr: write: No such process' means)", "route -n get {targets}  # if it persists; then turn Wi-Fi off and on"},
			Windows: []string{"guard check  # again: routes are changing", "Find-NetRoute -RemoteIPAddress {targets}  # if it persists"},
		},
		Why: "Routes that change while a check runs (a VPN connecting, Wi-Fi roaming) make connections fail at random for a few seconds.",
		How: "The kernel answered a route lookup for the targets with no route although a default route was present in the dump taken just before.",
	}

	TunnelCoversGateway = &Def{
		ID: "tunnel-covers-gateway", Severity: SevWarning,
		Title: "A VPN route takes the gateway's subnet",
		Text:  "the route to the gateway {gateway} goes through tunnel {iface} ({prefix}), not the interface the default route uses: a VPN took the local subnet",
		Manual: Steps{
			Linux:   []string{"ip route get {gateway}", "# allow local network access in the VPN client (split tunnelling, \"allow LAN\"), or reconnect it"},
			Darwin:  []string{"route -n get {gateway}", "# allow local network access in the VPN client (e.g. \"Allow LAN traffic\"), or reconnect it"},
			Windows: []string{"Find-NetRoute -RemoteIPAddress {gateway}", "# allow local network access in the VPN client, or reconnect it"},
		},
		Why: "A VPN that claims the local subnet sends traffic meant for the gateway into the tunnel: the local network, and often the internet, stop working.",
		How: "The route lookup for the gateway chose a tunnel interface instead of the interface that carries the default route.",
	}

	DefaultRouteVPN = &Def{
		ID: "default-route-vpn", Severity: SevInfo,
		Title: "A VPN owns the default route", Text: "the {family} default route goes through tunnel {iface}: a VPN carries all traffic",
		Manual: Steps{
			Linux:   []string{"# if the VPN is not meant to be on, disconnect it", "ip route show dev {iface}"},
			Darwin:  []string{"# if the VPN is not meant to be on, disconnect it (System Settings › VPN, or the VPN app)", "route -n get default  # interface: {iface}"},
			Windows: []string{"# if the VPN is not meant to be on, disconnect it (Settings › Network & internet › VPN, or the VPN app)", "Get-NetRoute -InterfaceAlias {iface}"},
		},
		Why: "All traffic goes through a VPN; a problem further on may be the VPN's, not the local network's.",
		How: "The default route's interface is a tunnel (its kind in the link table: tun, wireguard, ppp, utun, ...).",
	}

	// Path tracing: a route that sends what the start needs
	// somewhere else than the default route.
	GatewayRouteDiverted = &Def{
		ID: "gateway-route-diverted", Severity: SevWarning,
		Title: "Another interface's route takes the gateway's subnet",
		Text:  "the kernel sends traffic for the gateway {gateway} into {link} (route {prefix}), not {default} that carries the default route: a container, VM or other network uses the same addresses as the local network",
		Manual: Steps{
			Linux: []string{"ip route get {gateway}", "ip route show {prefix}",
				"# move that network off the subnet: for Docker, docker network rm the network on it (or set default-address-pools in /etc/docker/daemon.json); for libvirt, virsh net-list",
				"docker network ls  # which Docker network uses {prefix}",
				"sudo ip link set dev {iface} down  # or, if {iface} is not needed, bring it down"},
			Darwin: []string{"route -n get {gateway}", "netstat -rn -f inet | grep {iface}",
				"# quit or reconfigure the VM or container tool that owns {iface} (Docker Desktop, OrbStack, UTM, Parallels, Internet Sharing) so its network uses another subnet"},
			Windows: []string{"Find-NetRoute -RemoteIPAddress {gateway}",
				"# move the Hyper-V, WSL or Docker network on that adapter to another subnet, or disable it",
				"Disable-NetAdapter -Name {iface}  # in an elevated PowerShell, if it is not needed"},
		},
		Why: "A container, VM or other network that uses the local network's addresses takes the traffic meant for the gateway and the LAN: SSH to a machine on the LAN, a local registry or the router's own services fail, while the internet may still work.",
		How: "The kernel's route lookup for the gateway chose another interface than the default route's (named with its kind from the link table and the covering route's prefix); the gateway is then not probed, so it is never called 'a router that ignores probes'.",
	}

	TargetRouteDiverted = &Def{
		ID: "target-route-diverted", Severity: SevWarning,
		Title: "A route sends external targets somewhere else",
		Text:  "the kernel sends {targets} into {link} (route {prefix}) instead of the default route through {default}",
		Manual: Steps{
			Linux: []string{"ip route get {targets}", "ip route show {prefix}",
				"# a container or VM network: move it off the prefix (docker network ls, docker network inspect, docker network rm); a VPN: reconnect or disconnect it",
				"sudo ip route del {prefix} dev {iface} table {table}  # a route you added"},
			Darwin: []string{"route -n get {targets}", "netstat -rn | grep {iface}",
				"# quit or reconfigure what owns the interface (a VPN client, Docker Desktop, OrbStack, UTM)",
				"sudo route -n delete -net {prefix}  # a route you added"},
			Windows: []string{"Find-NetRoute -RemoteIPAddress {targets}",
				"# disconnect or reconfigure what owns the adapter (a VPN client, Hyper-V, WSL, Docker)",
				"Remove-NetRoute -DestinationPrefix {prefix} -InterfaceAlias {iface}  # a route you added; elevated PowerShell"},
		},
		Why: "Traffic to these hosts never reaches the internet: a bridge, tunnel or other interface takes it, so everything the start fetches from them fails or hangs.",
		How: "The kernel's route lookup for each target chose another interface than the default route's. A route into a container bridge or veth, or into a link without carrier, decides at once: those targets are not probed. A split tunnel whose targets answer is not reported.",
	}

	NameServerRouteDiverted = &Def{
		ID: "nameserver-route-diverted", Severity: SevWarning,
		Title: "A route sends a name server's traffic somewhere else",
		Text:  "the kernel sends queries for name server {server} into {link} (route {prefix}), not the default route through {default}, and it does not answer there",
		Manual: Steps{
			Linux: []string{"ip route get {server}", "ip route show {prefix}",
				"[systemd-resolved] resolvectl status  # which link lists {server}", "cat /etc/resolv.conf",
				"# remove the server from the resolver configuration if it belongs to a network that is gone, or move the container or VM network off the prefix"},
			Darwin: []string{"route -n get {server}", "scutil --dns",
				"# remove the server in System Settings › Network › Details › DNS if it belongs to a VPN or VM network that is gone, or quit what owns {iface}"},
			Windows: []string{"Find-NetRoute -RemoteIPAddress {server}", "Get-DnsClientServerAddress",
				"# remove the server from the adapter's DNS servers if it belongs to a VPN or VM network that is gone, or disable that adapter"},
		},
		Why: "Name lookups go to this server first; when its route leads into a network where it does not answer, every lookup waits for it before trying the next server, or fails.",
		How: "The kernel's route lookup for the server (read from the resolver configuration before asking it) chose another interface than the default route's, and the server did not answer a direct query there; loopback resolvers are never counted.",
	}

	// Several default routes.
	DefaultRouteDead = &Def{
		ID: "default-route-dead", Severity: SevError,
		Title: "The preferred default route leads nowhere; another uplink works",
		Text:  "the {family} default route in use, through {iface} (gateway {gateway}, metric {metric}), leads nowhere, while the one through {alt_iface} (gateway {alt_gateway}, metric {alt_metric}) reaches {target}: the kernel prefers the dead uplink",
		Manual: Steps{
			Linux: []string{"# disconnect the dead uplink (or unplug it), or prefer the working one",
				"[NetworkManager] nmcli device disconnect {iface}  # the dead uplink",
				"[IPv4] [NetworkManager] sudo nmcli device modify {alt_iface} ipv4.route-metric 10  # or prefer the working one for now",
				"[IPv6] [NetworkManager] sudo nmcli device modify {alt_iface} ipv6.route-metric 10  # or prefer the working one for now",
				"[IPv4] [NetworkManager] sudo nmcli connection modify \"$(nmcli -g GENERAL.CONNECTION device show {alt_iface})\" ipv4.route-metric 10  # to keep it",
				"[IPv6] [NetworkManager] sudo nmcli connection modify \"$(nmcli -g GENERAL.CONNECTION device show {alt_iface})\" ipv6.route-metric 10  # to keep it",
				"[systemd-networkd] networkctl status {iface}  # set RouteMetric= in its .network file to prefer the working uplink",
				"[IPv4] ip route show default", "[IPv6] ip -6 route show default"},
			Darwin: []string{"# disconnect the dead uplink (unplug the dock or adapter, or turn its service off in System Settings › Network)",
				"networksetup -listnetworkserviceorder  # or put the service of {alt_iface} first: System Settings › Network › … › Set Service Order",
				"netstat -rn -f inet | grep default"},
			Windows: []string{"Disable-NetAdapter -Name {iface}  # disconnect the dead uplink (elevated PowerShell), or unplug it",
				"Set-NetIPInterface -InterfaceAlias {alt_iface} -InterfaceMetric 5  # or prefer the working one (elevated PowerShell)",
				"Get-NetRoute -DestinationPrefix 0.0.0.0/0,::/0 | Sort-Object RouteMetric"},
		},
		Why: "With two uplinks (a dock and Wi-Fi, a phone hotspot) the kernel uses the one with the lowest metric even when it leads nowhere, while the other would work.",
		How: "None of the family's targets answered through the default route in use; the first one answered when probed through another default route's interface (a socket bound with SO_BINDTODEVICE, IP_BOUND_IF or IP_UNICAST_IF; no route is changed). A healthy machine never sends these probes.",
	}
)

// route: a default route exists; no reject route covers the gateway or the
// targets. slowTableRead: a route dump at least this slow is named in the
// route check's detail.
const slowTableRead = 100 * time.Millisecond

func (d *diag) route() {
	if d.s.RoutesErr != nil {
		d.set(StatusUnknown, "could not read routes: "+d.s.RoutesErr.Error())
		return
	}
	used := d.usedFamilies()
	if len(used) == 0 {
		args := Args{}
		if l := d.upCandidate(); l != nil {
			args[ArgIface] = l.Name // whose DHCP lease the manual steps renew
		}
		d.add(NoDefaultRoute, args, "no default route in any table, for IPv4 or IPv6")
		d.set(StatusFail, "no default route")
		return
	}
	var parts []string
	st := StatusPass
	for _, f := range used {
		r := f.Default
		p := fmt.Sprintf("%s default", famName(f.Family))
		if r.Gateway.IsValid() {
			p += " via " + r.Gateway.String()
		}
		p += " dev " + r.IfName
		if n := d.countDefaults(f.Family); n > 1 {
			p += fmt.Sprintf(" (%d default routes, metric %d wins)", n, r.Metric)
		}
		if u := d.usedRoute(f); u != "" {
			p += "; " + u
		}
		parts = append(parts, p)
		if l := d.linkByIndex(r.IfIndex); l != nil && l.KindOf() == netstate.LinkTunnel {
			d.add(DefaultRouteVPN, Args{ArgFamily: famName(f.Family), ArgIface: l.Name}, p)
		}
		if g := f.GatewayProbe; g != nil && g.RouteErr == nil && g.Route.IfIndex != 0 && g.Route.IfIndex != r.IfIndex {
			if l := d.linkByIndex(g.Route.IfIndex); l != nil && l.KindOf() == netstate.LinkTunnel {
				fd := d.add(TunnelCoversGateway, Args{ArgGateway: g.Addr.String(), ArgIface: l.Name, ArgPrefix: g.Route.Dst.String()},
					fmt.Sprintf("route to %s: dev %s; default route: dev %s", g.Addr, l.Name, r.IfName))
				st = worse(st, statusOf(fd.Severity))
			}
		}
		if g := f.GatewayProbe; g != nil && d.rejected(g.Route, g.RouteErr) {
			fd := d.add(GatewayRouteRejected, d.rejectArgs(g.Addr, g.Route, g.RouteErr), "route lookup "+g.Addr.String()+": "+netstate.ErrText(g.RouteErr))
			st = worse(st, d.errorWhenOffline(fd))
		}
		var rejected, flapped, rejRoutes, rejPrefixes []string
		var rejEvidence []string
		for _, t := range f.External {
			switch {
			case d.rejected(t.Route, t.RouteErr):
				rejected = append(rejected, t.Addr.String())
				a := d.rejectArgs(t.Addr, t.Route, t.RouteErr)
				rejEvidence = append(rejEvidence, fmt.Sprintf("%s: %s route %s", t.Addr, a[ArgType], a[ArgPrefix]))
				if rt := a[ArgType] + " " + a[ArgPrefix]; !slices.Contains(rejRoutes, rt) {
					rejRoutes = append(rejRoutes, rt)
				}
				if !slices.Contains(rejPrefixes, a[ArgPrefix]) {
					rejPrefixes = append(rejPrefixes, a[ArgPrefix])
				}
			case netstate.Classify(t.RouteErr) == netstate.ClassNoRouteNow || netstate.Classify(t.RouteErr) == netstate.ClassNetUnreach:
				flapped = append(flapped, t.Addr.String())
			}
		}
		if len(rejected) > 0 {
			fd := d.add(TargetRouteRejected, Args{ArgTargets: strings.Join(rejected, ListSep), ArgDetail: strings.Join(rejEvidence, "; "),
				ArgRoutes: strings.Join(rejRoutes, ListSep), ArgPrefixes: strings.Join(rejPrefixes, ListSep)}, rejEvidence...)
			st = worse(st, d.errorWhenOffline(fd))
		}
		if len(flapped) > 0 {
			fd := d.add(RouteLookupFailed, Args{ArgTargets: strings.Join(flapped, ListSep), ArgErr: "no route"}, "default route present, lookup failed for "+strings.Join(flapped, ", "))
			st = worse(st, statusOf(fd.Severity))
		}
	}
	st = worse(st, d.tracePaths())
	for _, f := range used {
		st = worse(st, d.uplinks(f))
	}
	for _, f := range d.s.Families() {
		if f.Default == nil {
			parts = append(parts, famName(f.Family)+" not used (no default route)")
		}
	}
	if took := d.s.Took["route"]; took >= slowTableRead {
		// A slow dump is a fact (a VPN's tens of thousands of routes),
		// not a fault: the probes' window began only after it.
		parts = append(parts, fmt.Sprintf("%d routes read in %s", len(d.s.Routes), ms(took)))
	}
	d.set(st, strings.Join(parts, "; "))
}

func (d *diag) countDefaults(fam int) int {
	n := 0
	for _, r := range d.s.Routes {
		if r.IsDefault() && r.Type == netstate.RouteUnicast && (r.Dst.Addr().Is4() == (fam == 4)) {
			n++
		}
	}
	return n
}

// gatewayEntries returns the neighbor entries for the gateway, the one on
// the default route's interface first.
func (d *diag) gatewayEntries(f *netstate.FamilyState) (onRoute *netstate.Neighbor, all []netstate.Neighbor) {
	for _, n := range d.s.Neighbors {
		if n.IP == f.Gateway {
			all = append(all, n)
		}
	}
	for i := range all {
		if f.Default != nil && all[i].IfIndex == f.Default.IfIndex {
			onRoute = &all[i]
		}
	}
	if onRoute == nil && len(all) > 0 {
		onRoute = &all[0]
	}
	return onRoute, all
}

// divertedGroup collects the addresses one covering route takes away.
type divertedGroup struct {
	fam   *netstate.FamilyState
	tr    netstate.PathTrace
	addrs []string
	ev    []string
}

func groupDiverted(groups []*divertedGroup, f *netstate.FamilyState, tr netstate.PathTrace, a netip.Addr) []*divertedGroup {
	for _, g := range groups {
		if g.tr.Cover.Dst == tr.Cover.Dst && g.tr.Cover.IfIndex == tr.Cover.IfIndex {
			g.addrs = append(g.addrs, a.String())
			g.ev = append(g.ev, pathText(a, tr))
			return groups
		}
	}
	return append(groups, &divertedGroup{fam: f, tr: tr, addrs: []string{a.String()}, ev: []string{pathText(a, tr)}})
}

// tracePaths adds the findings of path tracing and returns the route
// check's status for them.
func (d *diag) tracePaths() Status {
	st, deadTunnels := d.tunnels()
	for _, f := range d.usedFamilies() {
		if g := f.GatewayProbe; g != nil {
			tr := d.trace(f, g.Addr, g.Route, g.RouteErr)
			// A tunnel taking the gateway has its own finding
			// (tunnel-covers-gateway, in route()).
			if tr.Diverted && tr.Link != nil && tr.Link.KindOf() != netstate.LinkTunnel {
				a := pathArgs(f, tr)
				a[ArgGateway] = g.Addr.String()
				fd := d.add(GatewayRouteDiverted, a, pathText(g.Addr, tr), "default route: dev "+f.Default.IfName)
				st = worse(st, statusOf(fd.Severity))
			}
		}
		var groups []*divertedGroup
		for i := range f.External {
			t := &f.External[i]
			tr := d.trace(f, t.Addr, t.Route, t.RouteErr)
			// A split tunnel or a second uplink that answers is a
			// choice, not a fault.
			if !tr.Diverted || (!tr.Dead() && t.Reachable()) {
				continue
			}
			if tr.Link != nil && deadTunnels[tr.Link.Index] {
				continue // named as tunnel-dead
			}
			groups = groupDiverted(groups, f, tr, t.Addr)
		}
		for _, g := range groups {
			a := pathArgs(f, g.tr)
			a[ArgTargets], a[ArgTarget] = strings.Join(g.addrs, ListSep), g.addrs[0]
			fd := d.add(TargetRouteDiverted, a, append(g.ev, "default route: dev "+f.Default.IfName)...)
			st = worse(st, d.errorWhenOffline(fd))
		}
	}
	var groups []*divertedGroup
	for _, nr := range d.s.NameServerRoutes {
		f := d.s.Family(netstate.FamilyOf(nr.Addr))
		if f.Default == nil {
			continue
		}
		tr := d.trace(f, nr.Addr, nr.Route, nr.RouteErr)
		if !tr.Diverted || d.serverAnswered(nr.Addr) || (tr.Link != nil && deadTunnels[tr.Link.Index]) {
			continue
		}
		// One finding per server: {server} names one in each step.
		groups = append(groups, &divertedGroup{fam: f, tr: tr, addrs: []string{nr.Addr.String()}, ev: []string{pathText(nr.Addr, tr)}})
	}
	dnsFailed := d.s.DNS.Ran && d.s.DNS.Err != nil
	for _, g := range groups {
		f := g.fam
		a := pathArgs(f, g.tr)
		a[ArgServer] = g.addrs[0]
		fd := d.add(NameServerRouteDiverted, a, append(g.ev, "default route: dev "+f.Default.IfName)...)
		if dnsFailed {
			fd.Severity = SevError
		}
		st = worse(st, statusOf(fd.Severity))
	}
	return st
}

// uplinks judges the other uplinks: when none of a family's targets answers
// through the default route in use, but one answers through another default
// route's interface, the preferred uplink is the dead one (several default
// routes).
func (d *diag) uplinks(f *netstate.FamilyState) Status {
	if f.Default == nil || len(f.Uplinks) == 0 || famReach(f) {
		return StatusPass
	}
	for i := range f.Uplinks {
		u := &f.Uplinks[i]
		if !u.Probe.Reachable() {
			continue
		}
		a := Args{
			ArgFamily: famName(f.Family), ArgIface: f.Default.IfName, ArgGateway: addrOrOnLink(f.Default.Gateway), ArgMetric: fmt.Sprint(f.Default.Metric),
			ArgAltIface: u.Route.IfName, ArgAltGateway: addrOrOnLink(u.Route.Gateway), ArgAltMetric: fmt.Sprint(u.Route.Metric),
			ArgTarget: u.Probe.Addr.String(),
		}
		ev := []string{
			fmt.Sprintf("through %s: %s", f.Default.IfName, d.familyTargetsText(f)),
			fmt.Sprintf("bound to %s: %s", u.Route.IfName, targetText(&u.Probe)),
		}
		fd := d.add(DefaultRouteDead, a, ev...)
		return statusOf(fd.Severity)
	}
	return StatusPass
}
