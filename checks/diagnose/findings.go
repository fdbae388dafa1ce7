package diagnose

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/netguard/netguard/checks/netstate"
)

// Severity of a finding. It decides the verdict: any error makes the run
// unhealthy, any warning degraded.
type Severity string

const (
	SevInfo    Severity = "info"
	SevWarning Severity = "warning"
	SevError   Severity = "error"
)

// Arg names a value a finding's texts refer to as {name}.
type Arg string

const (
	ArgIface    Arg = "iface"
	ArgGateway  Arg = "gateway"
	ArgMAC      Arg = "mac"
	ArgState    Arg = "state"
	ArgFamily   Arg = "family"
	ArgPrefix   Arg = "prefix"
	ArgType     Arg = "type"
	ArgTargets  Arg = "targets"
	ArgName     Arg = "name"
	ArgServer   Arg = "server"
	ArgErr      Arg = "err"
	ArgApp      Arg = "app"
	ArgCount    Arg = "count"
	ArgPct      Arg = "pct"
	ArgDetail   Arg = "detail"
	ArgSelf     Arg = "self" // how to call this binary in a manual step
	ArgPriority Arg = "priority"
	// List args: several values joined with ListSep. A manual step that
	// names one is rendered once per value: one command per target.
	ArgIfaces   Arg = "ifaces"   // interfaces, each holding a copy of an entry
	ArgPrefixes Arg = "prefixes" // route prefixes ("203.0.113.0/24")
	ArgRoutes   Arg = "routes"   // route type and prefix ("blackhole 203.0.113.0/24")

	// Path tracing, uplinks and path MTU (issue 13 §1-3, §6).
	ArgTarget     Arg = "target"  // one address, for a step that takes one
	ArgLink       Arg = "link"    // an interface with its kind and state: "bridge br0 (no carrier)"
	ArgDefault    Arg = "default" // the interface the default route uses
	ArgMetric     Arg = "metric"
	ArgAltIface   Arg = "alt_iface" // the uplink that works
	ArgAltGateway Arg = "alt_gateway"
	ArgAltMetric  Arg = "alt_metric"
	ArgOther      Arg = "other" // the other address family
	ArgEgressMTU  Arg = "egress_mtu"
	ArgSize       Arg = "size"
	ArgMTU        Arg = "mtu"
)

// ListSep joins the values of a list arg ({targets}, {ifaces}, {prefixes},
// {routes}): a summary shows them joined, a manual step is rendered once
// per value.
const ListSep = ", "

// listArgs are the args whose value is a ListSep-joined list.
var listArgs = []Arg{ArgTargets, ArgIfaces, ArgPrefixes, ArgRoutes, ArgStop}

// Args fill a finding's templates.
type Args map[Arg]string

// Def declares one kind of finding. The catalog is fixed and its IDs are
// part of the JSON contract.
type Def struct {
	ID       string
	Severity Severity // default; a finding may raise or lower it
	Title    string
	// Text is the one-line summary, with {arg} placeholders.
	Text string
	// DependsOn hides this finding while any of these is present: a
	// missing route is not also reported as "internet down".
	DependsOn []*Def
	// Fixes are the ladder rungs that may repair it, narrowest first.
	Fixes []netstate.Rung
	// Manual steps per GOOS ("linux", "darwin", "windows"), with {arg}
	// placeholders; every finding has its own for each. Each step pastes
	// as it is: one command in that OS's own terms (a "  # why" comment
	// after it), or a "# " comment alone for what a person does by hand.
	// A placeholder is never quoted by the template: its value is quoted
	// for the OS's shell when filled. A step that starts with "[IPv4] " or
	// "[IPv6] " is shown only when the finding's {family} is that one
	// (macOS: arp for IPv4, ndp for IPv6); one that starts with a manager's
	// name ("[NetworkManager] ", see Manager) only when that manager is in
	// charge. A step naming a list arg is rendered once per value.
	Manual Steps
	// Optional are the args the diagnosis fills only when it knows them
	// (the interface a missing default route would use); a step that
	// names one the finding lacks is left out. Every other arg a step
	// names must be filled (a test enforces it).
	Optional []Arg
}

// Steps are a finding's manual steps for each OS, with {arg} placeholders.
// A struct, not a map keyed by GOOS: the catalog is then laid out by the
// linker instead of built by package init on every run (issue 16).
type Steps struct {
	Linux, Darwin, Windows []string
}

// For returns the steps for goos ("linux", "darwin", "windows"), nil for
// any other.
func (s Steps) For(goos string) []string {
	switch goos {
	case "linux":
		return s.Linux
	case "darwin":
		return s.Darwin
	case "windows":
		return s.Windows
	}
	return nil
}

// catalogDefs is the catalog in root-cause order: the findings of each
// check in the order of Checks, each check's in its own order. Earlier
// findings explain later ones.
var catalogDefs = sync.OnceValue(func() []*Def {
	var out []*Def
	for _, c := range Checks {
		out = append(out, c.Findings...)
	}
	return out
})

// catalogRank is each finding's position in the catalog (root-cause
// order), built on first use.
var catalogRank = sync.OnceValue(func() map[string]int {
	m := make(map[string]int, len(catalogDefs()))
	for i, d := range catalogDefs() {
		m[d.ID] = i
	}
	return m
})

// catalogByID indexes the catalog on first use: a check that finds
// nothing never builds it.
var catalogByID = sync.OnceValue(func() map[string]*Def {
	m := make(map[string]*Def, len(catalogDefs()))
	for _, d := range catalogDefs() {
		if _, dup := m[d.ID]; dup {
			panic("checks: duplicate finding " + d.ID)
		}
		m[d.ID] = d
	}
	return m
})

// Catalog returns every finding definition in root-cause order: earlier
// findings explain later ones.
func Catalog() []*Def { return slices.Clone(catalogDefs()) }

// Lookup returns the definition of id.
func Lookup(id string) (*Def, bool) {
	d, ok := catalogByID()[id]
	return d, ok
}

// Finding is one observed problem or notable fact.
type Finding struct {
	ID       string   `json:"id"`
	Severity Severity `json:"severity"`
	Summary  string   `json:"summary"`
	Evidence []string `json:"evidence"`
	// Fix is the first ladder rung that may repair it; empty if none.
	Fix  netstate.Rung `json:"fix,omitempty"`
	Args Args          `json:"args,omitempty"`
}

func newFinding(d *Def, a Args, evidence ...string) Finding {
	f := Finding{ID: d.ID, Severity: d.Severity, Summary: expand(d.Text, a), Evidence: evidence, Args: a}
	if len(d.Fixes) > 0 {
		f.Fix = d.Fixes[0]
	}
	if f.Evidence == nil {
		f.Evidence = []string{}
	}
	return f
}

// ManualSteps renders the finding's manual steps for goos with every
// manager's steps, as when the managers in charge are not known.
func (f Finding) ManualSteps(goos string) []string {
	return f.ManualStepsFor(goos, netstate.Managers{})
}

// ManualStepsFor renders the finding's manual steps for goos, keeping only
// the steps of the network managers in charge (m), with every value quoted
// for goos's shell (QuoteFor). There is no fallback to another OS's steps:
// a Linux command is wrong on a Mac.
func (f Finding) ManualStepsFor(goos string, m netstate.Managers) []string {
	d, ok := Lookup(f.ID)
	if !ok {
		return nil
	}
	var out []string
	for _, s := range d.Manual.For(goos) {
		out = append(out, renderStep(goos, s, f.Args, d.Optional, m)...)
	}
	return out
}

// familyTags are the step prefixes that select an address family.
var familyTags = []string{"[IPv4] ", "[IPv6] "}

// stepTags splits the tags off a step template: "[IPv6] [NetworkManager]
// nmcli ..." gives the family "IPv6", the managers of which one must be in
// charge for the step to show (need) and the command. ok is false for a
// tag nobody knows.
func stepTags(s string) (family string, need netstate.Manager, rest string, ok bool) {
	for strings.HasPrefix(s, "[") {
		end := strings.Index(s, "] ")
		if end < 0 || strings.ContainsAny(s[:end], " ]:") {
			break // a command that starts with "[" ([Environment]::...)
		}
		tag := s[1:end]
		s = s[end+2:]
		if tag == "IPv4" || tag == "IPv6" {
			family = tag
			continue
		}
		m, known := netstate.ManagerByName(tag)
		if !known {
			return "", 0, s, false
		}
		need |= m
	}
	return family, need, s, true
}

// renderStep expands one step template: none, one, or one per value of the
// list arg it names.
func renderStep(goos, s string, a Args, optional []Arg, m netstate.Managers) []string {
	family, need, s, ok := stepTags(s)
	if !ok || (family != "" && a[ArgFamily] != family) {
		return nil
	}
	if need != 0 && !m.Has(need) {
		return nil
	}
	for _, o := range optional {
		if a[o] == "" && strings.Contains(s, "{"+string(o)+"}") {
			return nil
		}
	}
	for _, l := range listArgs {
		if a[l] == "" || !strings.Contains(s, "{"+string(l)+"}") {
			continue
		}
		vals := strings.Split(a[l], ListSep)
		out := make([]string, 0, len(vals))
		one := maps.Clone(a)
		for _, v := range vals {
			one[l] = v
			out = append(out, expandQuoted(goos, s, one))
		}
		return out
	}
	return []string{expandQuoted(goos, s, a)}
}

// rawArgs hold a command the diagnosis built for this OS from fixed words
// (how to stop using a proxy), placed in a step as it is.
var rawArgs = []Arg{ArgStop}

// wordArgs hold several shell words ("blackhole 203.0.113.0/24"), each
// quoted on its own.
var wordArgs = []Arg{ArgRoutes}

// expandQuoted fills a step template with each value quoted for goos's
// shell: a step is pasted into a shell, and the values come from the
// machine and the network.
func expandQuoted(goos, s string, a Args) string {
	if !strings.Contains(s, "{") {
		return s
	}
	q := make(Args, len(a))
	for k, v := range a {
		switch {
		case slices.Contains(rawArgs, k):
			q[k] = v
		case slices.Contains(wordArgs, k):
			w := strings.Fields(v)
			for i := range w {
				w[i] = QuoteFor(goos, w[i])
			}
			q[k] = strings.Join(w, " ")
		default:
			q[k] = QuoteFor(goos, v)
		}
	}
	return expand(s, q)
}

// expand fills {arg} placeholders with the values as they are: for
// summaries, which are read, not run.
func expand(s string, a Args) string {
	if !strings.Contains(s, "{") {
		return s
	}
	keys := make([]string, 0, len(a))
	for k := range a {
		keys = append(keys, string(k))
	}
	sort.Strings(keys)
	pairs := make([]string, 0, 2*len(keys))
	for _, k := range keys {
		pairs = append(pairs, "{"+k+"}", a[Arg(k)])
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

func famName(f int) string { return fmt.Sprintf("IPv%d", f) }

// The catalog, in root-cause order.
var (
	TimedOut = &Def{
		ID: "timed-out", Severity: SevError,
		Title: "The OS did not answer in time",
		Text:  "reading the network tables did not finish within --timeout: the kernel or a network service is not answering",
		Manual: Steps{
			Linux:   []string{"guard check -v --timeout 10s", "[NetworkManager] systemctl status NetworkManager  # if it still times out: a stuck network service?", "[systemd-networkd] systemctl status systemd-networkd  # if it still times out: a stuck network service?", "[systemd-resolved] systemctl status systemd-resolved  # if it still times out: a stuck resolver?"},
			Darwin:  []string{"guard check -v --timeout 10s", "sudo killall -HUP mDNSResponder  # if it still times out: restart the resolver (or the Mac)"},
			Windows: []string{"guard check -v --timeout 10s", "Get-NetAdapter  # if it still times out: a stuck adapter?", "# restart a stuck adapter in Settings › Network & internet › Advanced network settings"},
		},
	}
	LinkDown = &Def{
		ID: "link-down", Severity: SevError,
		Title: "Network interface is down",
		Text:  "interface {iface} is administratively down",
		Fixes: []netstate.Rung{netstate.RungLinkUp},
		Manual: Steps{
			Linux:   []string{"sudo ip link set dev {iface} up", "[NetworkManager] nmcli device connect {iface}  # or let NetworkManager bring it up", "[ifupdown] sudo ifup {iface}  # or let ifupdown bring it up"},
			Darwin:  []string{"sudo ifconfig {iface} up", "networksetup -listallhardwareports  # names the service of {iface}", "# turn that service on in System Settings › Network"},
			Windows: []string{"Enable-NetAdapter -Name {iface}  # in an elevated PowerShell", "# or enable it in Settings › Network & internet › Advanced network settings"},
		},
	}
	LinkNoCarrier = &Def{
		ID: "link-no-carrier", Severity: SevError,
		Title: "No carrier", Text: "interface {iface} is up but has no carrier (no cable, Wi-Fi not associated, or no peer)",
		Manual: Steps{
			Linux:   []string{"# check the cable, or reconnect Wi-Fi", "[NetworkManager] nmcli device connect {iface}", "ip link show dev {iface}  # NO-CARRIER until the link is back"},
			Darwin:  []string{"# check the cable, or reconnect Wi-Fi (Control Center › Wi-Fi)", "ifconfig {iface}  # status: inactive until the link is back"},
			Windows: []string{"# check the cable, or reconnect Wi-Fi (Settings › Network & internet › Wi-Fi)", "Get-NetAdapter -Name {iface} | Format-List Status, MediaConnectionState"},
		},
	}
	LinkNoAddress = &Def{
		ID: "link-no-address", Severity: SevError,
		Title: "No address", Text: "interface {iface} carries the default route but has no {family} address",
		Fixes: []netstate.Rung{netstate.RungReapplyInterface},
		Manual: Steps{
			Linux:   []string{"[NetworkManager] sudo nmcli device reapply {iface}  # renew DHCP (NetworkManager)", "[systemd-networkd] sudo networkctl renew {iface}  # renew DHCP (systemd-networkd)", "[dhcpcd] sudo dhcpcd -n {iface}  # renew DHCP (dhcpcd)", "[dhclient] sudo dhclient -v {iface}  # renew DHCP (dhclient)", "[netplan] ls /etc/netplan  # the configuration netplan generates; sudo netplan apply after a change", "ip addr show dev {iface}"},
			Darwin:  []string{"# renew DHCP: System Settings › Network › the service of {iface} › Details › TCP/IP › Renew DHCP Lease", "ifconfig {iface}"},
			Windows: []string{"[IPv4] ipconfig /renew {iface}  # renew DHCP", "[IPv6] ipconfig /renew6 {iface}  # renew DHCP", "Get-NetIPAddress -InterfaceAlias {iface}"},
		},
	}
	// Container bridge and tunnel MTUs against the egress (issue 13 §6).
	LinkMTUExceedsEgress = &Def{
		ID: "link-mtu-exceeds-egress", Severity: SevWarning,
		Title: "A bridge or tunnel has a larger MTU than the uplink",
		Text:  "{link} has MTU {mtu}, larger than {default} ({egress_mtu}) that carries the default route: containers, VMs or tunnels behind it send packets the uplink cannot carry, and pulls and TLS handshakes from them stall when 'fragmentation needed' is lost",
		Manual: Steps{
			Linux: []string{"# for Docker, set \"mtu\": {egress_mtu} in /etc/docker/daemon.json and restart Docker (for a user network: docker network create -o com.docker.network.driver.mtu={egress_mtu})",
				"sudo ip link set dev {iface} mtu {egress_mtu}  # or for now"},
			Darwin: []string{"# for Docker Desktop, add \"mtu\": {egress_mtu} under Settings › Docker Engine; for other VM tools, set the VM network's MTU",
				"sudo ifconfig {iface} mtu {egress_mtu}  # or for now"},
			Windows: []string{"# for Docker Desktop, add \"mtu\": {egress_mtu} under Settings › Docker Engine; for WSL, set the MTU inside the distribution",
				"netsh interface ipv4 set subinterface {iface} mtu={egress_mtu} store=active  # or for now, in an elevated prompt"},
		},
	}
	NoDefaultRoute = &Def{
		ID: "no-default-route", Severity: SevError,
		Title: "No default route", Text: "there is no default route: nothing outside the local networks is reachable",
		DependsOn: []*Def{LinkDown, LinkNoCarrier},
		Fixes:     []netstate.Rung{netstate.RungReapplyInterface},
		Optional:  []Arg{ArgIface},
		Manual: Steps{
			Linux:   []string{"# reconnect to the network (cable, Wi-Fi, VPN), or renew DHCP", "[NetworkManager] sudo nmcli device reapply {iface}  # renew DHCP (NetworkManager)", "[systemd-networkd] sudo networkctl renew {iface}  # renew DHCP (systemd-networkd)", "[dhcpcd] sudo dhcpcd -n {iface}  # renew DHCP (dhcpcd)", "[dhclient] sudo dhclient -v {iface}  # renew DHCP (dhclient)", "[netplan] ls /etc/netplan  # the configuration netplan generates; sudo netplan apply after a change", "[ifupdown] sudo ifup {iface}  # ifupdown configures {iface}", "ip route show default", "ip -6 route show default"},
			Darwin:  []string{"# reconnect to the network (cable, Wi-Fi, VPN)", "# renew DHCP: System Settings › Network › the service of {iface} › Details › TCP/IP › Renew DHCP Lease", "route -n get default  # never run route -n flush: it deletes every route", "route -n get -inet6 default"},
			Windows: []string{"# reconnect to the network (cable, Wi-Fi, VPN), or renew DHCP", "ipconfig /renew  # renew DHCP", "Get-NetRoute -DestinationPrefix 0.0.0.0/0", "Get-NetRoute -DestinationPrefix ::/0"},
		},
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
	}
	RouteLookupFailed = &Def{
		ID: "route-lookup-failed", Severity: SevWarning,
		Title: "Route lookup failed", Text: "the kernel found no route to {targets} at this instant ({err}) although a default route exists: routes are changing",
		Manual: Steps{
			Linux:   []string{"guard check  # again: routes are changing", "ip route get {targets}  # if it persists"},
			Darwin:  []string{"guard check  # again: routes are changing (what traceroute's 'findsaddr: write: No such process' means)", "route -n get {targets}  # if it persists; then turn Wi-Fi off and on"},
			Windows: []string{"guard check  # again: routes are changing", "Find-NetRoute -RemoteIPAddress {targets}  # if it persists"},
		},
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
	}
	DefaultRouteVPN = &Def{
		ID: "default-route-vpn", Severity: SevInfo,
		Title: "A VPN owns the default route", Text: "the {family} default route goes through tunnel {iface}: a VPN carries all traffic",
		Manual: Steps{
			Linux:   []string{"# if the VPN is not meant to be on, disconnect it", "ip route show dev {iface}"},
			Darwin:  []string{"# if the VPN is not meant to be on, disconnect it (System Settings › VPN, or the VPN app)", "route -n get default  # interface: {iface}"},
			Windows: []string{"# if the VPN is not meant to be on, disconnect it (Settings › Network & internet › VPN, or the VPN app)", "Get-NetRoute -InterfaceAlias {iface}"},
		},
	}
	// Path tracing (issue 13 §1): a route that sends what the start needs
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
	}
	TargetRouteDiverted = &Def{
		ID: "target-route-diverted", Severity: SevWarning,
		Title: "A route sends external targets somewhere else",
		Text:  "the kernel sends {targets} into {link} (route {prefix}) instead of the default route through {default}",
		Manual: Steps{
			Linux: []string{"ip route get {targets}", "ip route show {prefix}",
				"# a container or VM network: move it off the prefix (docker network ls, docker network inspect, docker network rm); a VPN: reconnect or disconnect it",
				"sudo ip route del {prefix} dev {iface}  # a route you added"},
			Darwin: []string{"route -n get {targets}", "netstat -rn | grep {iface}",
				"# quit or reconfigure what owns the interface (a VPN client, Docker Desktop, OrbStack, UTM)",
				"sudo route -n delete -net {prefix}  # a route you added"},
			Windows: []string{"Find-NetRoute -RemoteIPAddress {targets}",
				"# disconnect or reconfigure what owns the adapter (a VPN client, Hyper-V, WSL, Docker)",
				"Remove-NetRoute -DestinationPrefix {prefix} -InterfaceAlias {iface}  # a route you added; elevated PowerShell"},
		},
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
	}
	// Several default routes (issue 13 §2).
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
	}
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
	}
	GatewayNeighborAmbiguous = &Def{
		ID: "gateway-neighbor-ambiguous", Severity: SevError,
		Title:     "Several MACs answer for the gateway's address: possibly spoofed",
		Text:      "nothing answers through the permanent entry mapping the gateway {gateway} to {mac} on {iface}, and {detail} answered for its address: an address conflict or a host spoofing the gateway",
		DependsOn: []*Def{LinkDown, LinkNoCarrier, LinkNoAddress},
		Manual: Steps{
			Linux:   []string{"ip neigh show {gateway} dev {iface}  # the pinned MAC", "sudo arping -I {iface} -c 3 {gateway}  # every MAC that answers for the gateway", "# compare with the MAC printed on the router or its admin page: keep the pin if it is the router's", "# then find the host answering from the other MAC; guard never removes a pin while several MACs answer"},
			Darwin:  []string{"[IPv4] arp -n {gateway}  # the pinned MAC", "[IPv6] ndp -an  # the pinned MAC", "# compare with the MAC printed on the router or its admin page: keep the pin if it is the router's", "# then find the host answering from the other MAC; guard never removes a pin while several MACs answer"},
			Windows: []string{"Get-NetNeighbor -IPAddress {gateway}  # the pinned MAC", "# compare with the MAC printed on the router or its admin page: keep the pin if it is the router's", "# then find the host answering from the other MAC; guard never removes a pin while several MACs answer"},
		},
	}
	GatewayNeighborWrong = &Def{
		ID: "gateway-neighbor-wrong", Severity: SevError,
		Title:     "The gateway's ARP/NDP entry looks stale or wrong",
		Text:      "the gateway {gateway} resolves to {mac} on {iface} ({state}) but does not answer through it",
		DependsOn: []*Def{LinkDown, LinkNoCarrier, LinkNoAddress},
		Fixes:     []netstate.Rung{netstate.RungDeleteNeighbor, netstate.RungFlushNeighbors, netstate.RungReapplyInterface},
		Manual: Steps{
			Linux:   []string{"sudo ip neigh del {gateway} dev {iface}", "sudo ip neigh flush dev {iface} nud failed nud stale  # if that does not help"},
			Darwin:  []string{"[IPv4] sudo arp -d {gateway} ifscope {iface}", "[IPv6] sudo ndp -d {gateway}%{iface}", "[IPv4] arp -an -i {iface}  # the entry is learnt again with the next packet", "[IPv6] ndp -an  # the entry is learnt again with the next packet"},
			Windows: []string{"Remove-NetNeighbor -IPAddress {gateway} -InterfaceAlias {iface} -Confirm:$false  # in an elevated PowerShell", "Get-NetNeighbor -IPAddress {gateway}  # the entry is learnt again with the next packet"},
		},
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
	}
	LocalNetworkDenied = &Def{
		ID: "local-network-denied", Severity: SevWarning,
		Title: "macOS Local Network privacy blocks this app",
		Text:  "the local network refuses this process (EHOSTUNREACH with a complete ARP entry) while the internet works: macOS Local Network privacy denies {app}",
		Manual: Steps{
			Linux:   []string{"sudo nft list ruleset  # Local Network privacy is macOS only: look for a rule refusing {gateway}"},
			Darwin:  []string{"# System Settings › Privacy & Security › Local Network: turn on {app}, then quit and reopen it", "# if it is not listed, run the start from Terminal once and allow the prompt", "tccutil reset LocalNetwork  # or forget every decision and be asked again"},
			Windows: []string{"Get-NetFirewallRule -Direction Outbound -Action Block -Enabled True  # Local Network privacy is macOS only: look for a rule blocking {gateway}"},
		},
	}
	GatewaySendRefused = &Def{
		ID: "gateway-send-refused", Severity: SevWarning,
		Title:     "This machine refuses to send to the gateway",
		Text:      "sending to the gateway {gateway} fails at once ({err}) while the internet works",
		DependsOn: []*Def{GatewayRouteRejected, LocalNetworkDenied},
		Manual: Steps{
			Linux:   []string{"sudo nft list ruleset  # a firewall rule rejecting it?", "sudo iptables -S OUTPUT", "ip route get {gateway}"},
			Darwin:  []string{"route -n get {gateway}", "sudo pfctl -sr  # a pf rule rejecting it?", "# check a firewall or VPN app that filters the local network"},
			Windows: []string{"Find-NetRoute -RemoteIPAddress {gateway}", "Get-NetFirewallRule -Direction Outbound -Action Block -Enabled True  # a rule blocking it?", "# check a firewall or VPN client that filters the local network"},
		},
	}
	GatewayUnreachable = &Def{
		ID: "gateway-unreachable", Severity: SevError,
		Title:     "Gateway unreachable",
		Text:      "the gateway {gateway} answers neither ping nor TCP ({detail})",
		DependsOn: []*Def{LinkDown, LinkNoCarrier, LinkNoAddress, NoDefaultRoute, GatewayRouteRejected, GatewayNeighborFailed, GatewayNeighborStatic, GatewayNeighborAmbiguous, GatewayNeighborWrong, LocalNetworkDenied, DefaultRouteDead},
		Fixes:     []netstate.Rung{netstate.RungDeleteNeighbor, netstate.RungFlushNeighbors, netstate.RungReapplyInterface},
		Manual: Steps{
			Linux:   []string{"# check that the router is on and reachable: cable, Wi-Fi, VLAN", "ip neigh show {gateway}", "ip route get {gateway}"},
			Darwin:  []string{"# check that the router is on and reachable: cable, Wi-Fi", "[IPv4] arp -n {gateway}", "[IPv6] ndp -an", "route -n get {gateway}"},
			Windows: []string{"# check that the router is on and reachable: cable, Wi-Fi", "Get-NetNeighbor -IPAddress {gateway}", "Find-NetRoute -RemoteIPAddress {gateway}"},
		},
	}
	GatewaySilent = &Def{
		ID: "gateway-silent", Severity: SevInfo,
		Title: "Gateway ignores probes", Text: "the gateway {gateway} answers neither ping nor TCP, but traffic through it works (many routers ignore probes)",
		Manual: Steps{
			Linux:   []string{"# nothing to do: many routers ignore ping and closed ports, and traffic through the gateway works"},
			Darwin:  []string{"# nothing to do: many routers ignore ping and closed ports, and traffic through the gateway works"},
			Windows: []string{"# nothing to do: many routers ignore ping and closed ports, and traffic through the gateway works"},
		},
	}
	LocalFirewallBlocks = &Def{
		ID: "local-firewall-blocks", Severity: SevError,
		Title:     "The local firewall blocks outgoing traffic",
		Text:      "the kernel refuses to send to {targets} (EPERM/EACCES): a local firewall rule rejects outgoing traffic",
		DependsOn: []*Def{LinkDown, LinkNoCarrier, NoDefaultRoute},
		Manual: Steps{
			Linux:   []string{"sudo nft list ruleset", "sudo iptables -S OUTPUT", "# netguard never changes firewall rules: remove or adjust the rule that rejects this traffic"},
			Darwin:  []string{"sudo pfctl -sr", "# check a firewall app (Little Snitch, LuLu) or a VPN client that filters traffic", "# netguard never changes firewall rules: remove or adjust the rule that rejects this traffic"},
			Windows: []string{"Get-NetFirewallRule -Direction Outbound -Action Block -Enabled True", "wf.msc  # Windows Defender Firewall › Outbound Rules", "# netguard never changes firewall rules: remove or adjust the rule that rejects this traffic"},
		},
	}
	KernelNoBuffers = &Def{
		ID: "kernel-no-buffers", Severity: SevError,
		Title: "Kernel out of buffers", Text: "sending fails with ENOBUFS: the kernel has no buffer space for {targets}",
		Manual: Steps{
			Linux:   []string{"ss -s  # a process flooding the network?", "tc -s qdisc show  # a stuck interface queue?"},
			Darwin:  []string{"netstat -m  # mbuf use", "# quit the process flooding the network, or restart the Mac"},
			Windows: []string{"Get-NetTCPConnection | Group-Object -Property OwningProcess | Sort-Object -Property Count -Descending | Select-Object -First 5  # a process holding thousands of sockets?", "# quit that process, or restart Windows"},
		},
	}
	InternetUnreachable = &Def{
		ID: "internet-unreachable", Severity: SevError,
		Title: "Internet unreachable", Text: "none of the external targets answers: {detail}",
		DependsOn: []*Def{LinkDown, LinkNoCarrier, LinkNoAddress, NoDefaultRoute, TargetRouteRejected, TargetRouteDiverted, GatewayNeighborFailed, GatewayNeighborStatic, GatewayNeighborAmbiguous, GatewayNeighborWrong, GatewayUnreachable, LocalFirewallBlocks, KernelNoBuffers, DefaultRouteDead},
		Manual: Steps{
			Linux:   []string{"# check the upstream network (router's WAN, captive portal, VPN)", "ip route get {targets}"},
			Darwin:  []string{"# check the upstream network (router's WAN, captive portal, VPN)", "route -n get {targets}"},
			Windows: []string{"# check the upstream network (router's WAN, captive portal, VPN)", "Find-NetRoute -RemoteIPAddress {targets}"},
		},
	}
	// Each address family on its own (issue 13 §3).
	FamilyUnreachable = &Def{
		ID: "family-unreachable", Severity: SevWarning,
		Title:     "One address family is black-holed",
		Text:      "{family} has a default route through {iface}, but none of its targets ({targets}) answers while {other} works: programs that try {family} first (npm, pip, curl, git) wait before falling back to {other}",
		DependsOn: []*Def{LinkDown, LinkNoCarrier, LinkNoAddress, TargetRouteRejected, TargetRouteDiverted, DefaultRouteDead},
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
	}
	// Path MTU (issue 13 §6).
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
	}
	ICMPBlocked = &Def{
		ID: "icmp-blocked", Severity: SevWarning,
		Title: "Ping is blocked", Text: "no host answers ping while TCP gets through: a firewall drops ICMP (harmless for most development)",
		Manual: Steps{
			Linux:   []string{"# nothing to do unless your environment needs ping", "sudo nft list ruleset"},
			Darwin:  []string{"# nothing to do unless your environment needs ping", "/usr/libexec/ApplicationFirewall/socketfilterfw --getstealthmode"},
			Windows: []string{"# nothing to do unless your environment needs ping", "Get-NetFirewallRule -DisplayName \"*ICMP*\" | Format-Table DisplayName, Enabled, Direction, Action"},
		},
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
	}
	DNSNoServers = &Def{
		ID: "dns-no-servers", Severity: SevError,
		Title: "No name server", Text: "resolving {name} failed and no name server is configured",
		Manual: Steps{
			Linux:   []string{"cat /etc/resolv.conf", "[systemd-resolved] resolvectl status", "# renew DHCP, or set a name server in the network's configuration", "[NetworkManager] nmcli device show  # the DNS servers NetworkManager got", "[resolvconf] ls /etc/resolvconf/resolv.conf.d  # resolvconf writes /etc/resolv.conf from these and each interface's DHCP"},
			Darwin:  []string{"scutil --dns", "# set DNS servers: System Settings › Network › Details › DNS"},
			Windows: []string{"Get-DnsClientServerAddress", "# set DNS servers: Settings › Network & internet › Properties › DNS server assignment"},
		},
	}
	DNSFailed = &Def{
		ID: "dns-failed", Severity: SevError,
		Title: "DNS resolution fails", Text: "resolving {name} failed: {err}",
		DependsOn: []*Def{LinkDown, LinkNoCarrier, NoDefaultRoute, InternetUnreachable, DNSNoServers, LocalFirewallBlocks, NameServerRouteDiverted},
		Fixes:     []netstate.Rung{netstate.RungFlushDNS},
		Manual: Steps{
			Linux:   []string{"cat /etc/resolv.conf  # the name servers asked", "getent hosts {name}", "[systemd-resolved] resolvectl status", "[systemd-resolved] resolvectl query {name}", "[systemd-resolved] sudo systemctl restart systemd-resolved", "[NetworkManager] nmcli device show  # the DNS servers NetworkManager got"},
			Darwin:  []string{"scutil --dns  # the name servers asked", "dscacheutil -q host -a name {name}", "sudo dscacheutil -flushcache", "sudo killall -HUP mDNSResponder"},
			Windows: []string{"Get-DnsClientServerAddress  # the name servers asked", "Resolve-DnsName {name}", "ipconfig /flushdns"},
		},
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
	}
	DNSNameNotFound = &Def{
		ID: "dns-name-not-found", Severity: SevInfo,
		Title: "Test name does not exist", Text: "{name} does not exist (NXDOMAIN): DNS itself works",
		Manual: Steps{
			Linux:   []string{"# nothing to do: DNS works; give --dns a name that exists", "getent hosts {name}"},
			Darwin:  []string{"# nothing to do: DNS works; give --dns a name that exists", "dscacheutil -q host -a name {name}"},
			Windows: []string{"# nothing to do: DNS works; give --dns a name that exists", "Resolve-DnsName {name}"},
		},
	}
	PortsExhausted = &Def{
		ID: "ports-exhausted", Severity: SevError,
		Title:    "Ephemeral ports nearly exhausted",
		Text:     "{count} of the ephemeral ports are in use ({pct}%): {detail}",
		Optional: []Arg{ArgPID, ArgHolder},
		Manual: Steps{
			Linux:   []string{"kill {pid}  # the most are held by {holder}: restart it if it leaks connections", "ss -s", "ss -tanp state time-wait | head  # who holds them", "sudo sysctl -w net.ipv4.ip_local_port_range='15000 65000'  # widen the range if needed"},
			Darwin:  []string{"kill {pid}  # the most are held by {holder}: restart it if it leaks connections", "lsof -nP -iTCP | awk '{print $1, $2}' | sort | uniq -c | sort -rn | head  # who holds them", "sysctl net.inet.ip.portrange.first net.inet.ip.portrange.last", "sudo sysctl -w net.inet.ip.portrange.first=32768  # widen the range if needed"},
			Windows: []string{"Stop-Process -Id {pid}  # the most are held by {holder}: restart it if it leaks connections", "Get-NetTCPConnection | Group-Object -Property OwningProcess | Sort-Object -Property Count -Descending | Select-Object -First 5  # who holds them", "netsh int ipv4 show dynamicport tcp"},
		},
	}
	PortsHigh = &Def{
		ID: "ports-high", Severity: SevWarning,
		Title: "Many ephemeral ports in use", Text: "{count} of the ephemeral ports are in use ({pct}%): {detail}",
		DependsOn: []*Def{PortsExhausted},
		Optional:  []Arg{ArgPID, ArgHolder},
		Manual: Steps{
			Linux:   []string{"kill {pid}  # the most are held by {holder}: restart it if it leaks connections", "ss -s", "ss -tanp | awk '{print $6}' | sort | uniq -c | sort -rn | head  # who holds them"},
			Darwin:  []string{"kill {pid}  # the most are held by {holder}: restart it if it leaks connections", "lsof -nP -iTCP | awk '{print $1, $2}' | sort | uniq -c | sort -rn | head  # who holds them"},
			Windows: []string{"Stop-Process -Id {pid}  # the most are held by {holder}: restart it if it leaks connections", "Get-NetTCPConnection | Group-Object -Property OwningProcess | Sort-Object -Property Count -Descending | Select-Object -First 5  # who holds them"},
		},
	}
	FilesExhausted = &Def{
		ID: "files-exhausted", Severity: SevError,
		Title: "File handles nearly exhausted", Text: "{detail}",
		Manual: Steps{
			Linux:   []string{"for p in /proc/[0-9]*; do echo \"$(ls $p/fd 2>/dev/null | wc -l) $p\"; done | sort -rn | head  # who holds them", "sudo sysctl -w fs.file-max=2097152  # raise the limit"},
			Darwin:  []string{"sysctl kern.num_files kern.maxfiles", "sudo lsof -n | awk '{print $1, $2}' | sort | uniq -c | sort -rn | head  # who holds them", "sudo sysctl -w kern.maxfiles=200000  # raise the limit"},
			Windows: []string{"Get-Process | Sort-Object -Property HandleCount -Descending | Select-Object -First 5 Name, Id, HandleCount  # who holds them"},
		},
	}
	FilesLimitLow = &Def{
		ID: "files-limit-low", Severity: SevInfo,
		Title: "Low open-file limit", Text: "the open-file limit is {count}: servers and bundlers started from here may hit EMFILE",
		Manual: Steps{
			Linux:   []string{"ulimit -n 65536  # in your shell profile", "# raise the hard limit in /etc/security/limits.conf (LimitNOFILE= for services)"},
			Darwin:  []string{"ulimit -n 65536  # in your shell profile", "sudo launchctl limit maxfiles 65536 200000"},
			Windows: []string{"# nothing to do: Windows has no per-process open-file limit"},
		},
	}
)

// Arguments of the local-configuration findings (issue 13 §4, §5, §7, §8).
const (
	ArgPort     Arg = "port"
	ArgPID      Arg = "pid"
	ArgProcess  Arg = "process"
	ArgVar      Arg = "var"
	ArgProxy    Arg = "proxy"
	ArgEndpoint Arg = "endpoint"
	ArgFile     Arg = "file"
	ArgService  Arg = "service"
	ArgNext     Arg = "next"
	ArgWait     Arg = "wait"
	ArgHolder   Arg = "holder"
	ArgStop     Arg = "stop" // how to stop using a proxy setting, on this OS
	ArgUnit     Arg = "unit" // the systemd unit of a local resolver, when known
)

// The local configuration a start depends on: name servers in the
// resolver's order, proxies, the ports the environment needs, localhost,
// the ephemeral port range and the clock. Declared after the network
// findings: a broken network explains a silent remote proxy, not the
// other way round.
var (
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
	}
	DNSFirstServerSilent = &Def{
		ID: "dns-first-server-silent", Severity: SevWarning,
		Title:     "A silent name server comes before a working one",
		Text:      "name server {server} comes first in {file} but does not answer, while {next} does: every lookup waits {wait} for it first{detail}",
		DependsOn: []*Def{LinkDown, LinkNoCarrier, NoDefaultRoute, InternetUnreachable},
		Manual: Steps{
			Linux:   []string{"cat {file}  # {next} should come first", "[systemd-resolved] resolvectl status  # which link lists {server} (often a VPN's leftover)", "[NetworkManager] nmcli device show  # which connection lists {server}: remove it with nmcli connection modify", "[resolvconf] ls /run/resolvconf/interface  # which interface's entry lists {server}", "# or remove it in the VPN client"},
			Darwin:  []string{"scutil --dns  # which service lists {server} (often a VPN's leftover)", "# remove the server in System Settings › Network › Details › DNS, or reconnect or quit the VPN app"},
			Windows: []string{"Get-DnsClientServerAddress  # which adapter lists {server} (often a VPN's leftover)", "# remove the server: Settings › Network & internet › Properties › DNS server assignment", "ipconfig /flushdns"},
		},
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
	}
	ProxyInvalid = &Def{
		ID: "proxy-invalid", Severity: SevError,
		Title: "A proxy setting is not a valid URL",
		Text:  "{var}={proxy} is not a proxy URL programs accept ({err}): downloads through it fail",
		Manual: Steps{
			Linux:   []string{"unset {var}  # or set it to http://HOST:PORT"},
			Darwin:  []string{"unset {var}  # or set it to http://HOST:PORT"},
			Windows: []string{"Remove-Item Env:{var}  # or set it to http://HOST:PORT", "[Environment]::SetEnvironmentVariable({var}, $null, 'User')  # if it is set for the user"},
		},
	}
	ProxyDead = &Def{
		ID: "proxy-dead", Severity: SevError,
		Title:    "The configured proxy is not running",
		Text:     "{var}={proxy}: {detail}; every download through it fails",
		Optional: []Arg{ArgStop},
		Manual: Steps{
			Linux:   []string{"# start the proxy that should listen there (Clash, V2Ray, a corporate agent)", "{stop}  # or stop using it", "curl -v --proxy {proxy} -I https://example.com  # check it"},
			Darwin:  []string{"# start the proxy app that should listen there (ClashX, Surge, a corporate agent)", "{stop}  # or stop using it", "scutil --proxy  # the system proxy"},
			Windows: []string{"# start the proxy app that should listen there", "{stop}  # or stop using it", "netsh winhttp show proxy  # the WinHTTP proxy"},
		},
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
	}
	PortInUse = &Def{
		ID: "port-in-use", Severity: SevError,
		Title:    "A port the environment needs is taken",
		Text:     "port {port} is already in use by {holder}: the environment cannot listen on it",
		Optional: []Arg{ArgPID},
		Manual: Steps{
			Linux:   []string{"sudo ss -ltnp sport = :{port}  # who holds it", "kill {pid}  # if you do not need it; a service: sudo systemctl stop NAME", "docker ps --filter publish={port}  # a container", "# or move the environment to another port"},
			Darwin:  []string{"lsof -nP -iTCP:{port} -sTCP:LISTEN  # who holds it", "kill {pid}  # if you do not need it", "# ControlCenter on 5000 or 7000 is AirPlay Receiver: System Settings › General › AirDrop & Handoff", "docker ps --filter publish={port}  # a container", "# or move the environment to another port"},
			Windows: []string{"Get-NetTCPConnection -LocalPort {port} -State Listen | Select-Object OwningProcess  # who holds it", "Get-Process -Id {pid}", "Stop-Process -Id {pid}  # if you do not need it", "# or move the environment to another port"},
		},
	}
	PortExcluded = &Def{
		ID: "port-excluded", Severity: SevError,
		Title: "A port the environment needs is reserved by Windows",
		Text:  "port {port} lies in a port range Windows has excluded (bind fails with WSAEACCES): nothing can listen on it, though no process uses it",
		Manual: Steps{
			Linux:   []string{"sysctl net.ipv4.ip_local_reserved_ports  # Linux has no excluded ranges; reserved ports still bind", "sudo ss -ltnp sport = :{port}  # who holds it"},
			Darwin:  []string{"lsof -nP -iTCP:{port}  # macOS has no excluded ranges: who holds it"},
			Windows: []string{"netsh int ipv4 show excludedportrange protocol=tcp", "net stop winnat  # elevated: releases the ranges Hyper-V, WSL or Docker took", "net start winnat", "# or move the environment to a port outside the ranges"},
		},
	}
	HostsLocalhostWrong = &Def{
		ID: "hosts-localhost-wrong", Severity: SevError,
		Title: "The hosts file maps localhost elsewhere",
		Text:  "{file} line {detail} maps localhost to a non-loopback address: programs that connect to localhost reach another host",
		Manual: Steps{
			Linux:   []string{"sudo nano {file}  # localhost must map to 127.0.0.1 and ::1 only"},
			Darwin:  []string{"sudo nano {file}  # localhost must map to 127.0.0.1 and ::1 only", "sudo dscacheutil -flushcache"},
			Windows: []string{"notepad {file}  # from an elevated prompt; localhost must map to 127.0.0.1 and ::1 only", "ipconfig /flushdns"},
		},
	}
	HostsLocalhostMissing = &Def{
		ID: "hosts-localhost-missing", Severity: SevError,
		Title: "localhost does not resolve",
		Text:  "{file} has no localhost line and the system resolver does not resolve localhost to loopback ({detail}): programs fail with ENOTFOUND localhost",
		Manual: Steps{
			Linux:   []string{"printf '127.0.0.1 localhost\\n::1 localhost\\n' | sudo tee -a {file}"},
			Darwin:  []string{"printf '127.0.0.1 localhost\\n::1 localhost\\n' | sudo tee -a {file}", "sudo dscacheutil -flushcache"},
			Windows: []string{"Add-Content -Path {file} -Value '127.0.0.1 localhost','::1 localhost'  # elevated", "ipconfig /flushdns"},
		},
	}
	PortsRangeSmall = &Def{
		ID: "ports-range-small", Severity: SevWarning,
		Title: "Ephemeral port range too small",
		Text:  "the ephemeral port range is {detail} ({count} ports): connections and name lookups fail with EADDRNOTAVAIL as soon as that many are open",
		Manual: Steps{
			Linux:   []string{"sudo sysctl -w net.ipv4.ip_local_port_range='32768 60999'  # persist it in /etc/sysctl.d/"},
			Darwin:  []string{"sudo sysctl -w net.inet.ip.portrange.first=49152 net.inet.ip.portrange.last=65535"},
			Windows: []string{"netsh int ipv4 set dynamicport tcp start=49152 num=16384  # elevated", "netsh int ipv4 show dynamicport tcp"},
		},
	}
	ClockWrong = &Def{
		ID: "clock-wrong", Severity: SevWarning,
		Title: "The clock is behind",
		Text:  "the clock says {detail}: TLS certificates will fail to verify (x509: certificate is not yet valid)",
		Manual: Steps{
			Linux:   []string{"sudo timedatectl set-ntp true", "sudo hwclock -s  # WSL2 after sleep", "timedatectl"},
			Darwin:  []string{"sudo sntp -sS time.apple.com", "# System Settings › General › Date & Time › Set time and date automatically"},
			Windows: []string{"w32tm /resync  # elevated", "# Settings › Time & language › Date & time › Sync now"},
		},
	}
	ClockUnsynchronized = &Def{
		ID: "clock-unsynchronized", Severity: SevInfo,
		Title: "The clock is not synchronised",
		Text:  "the kernel reports its clock unsynchronised (no time daemon has disciplined it; error bound {detail}): harmless while it is right, TLS fails once it drifts",
		Manual: Steps{
			Linux:   []string{"timedatectl", "sudo timedatectl set-ntp true  # or install chrony"},
			Darwin:  []string{"sntp time.apple.com  # the offset"},
			Windows: []string{"w32tm /query /status"},
		},
	}
)

// owners maps each finding to the check that lists it.
var owners = sync.OnceValue(func() map[*Def]*Check {
	m := map[*Def]*Check{}
	for _, c := range Checks {
		for _, d := range c.Findings {
			m[d] = c
		}
	}
	return m
})

// CheckOf returns the check that owns d: the one whose Findings list it.
func CheckOf(d *Def) *Check { return owners()[d] }
