package checks

import (
	"fmt"
	"sort"
	"strings"
)

// Severity of a finding. It decides the verdict: any error makes the run
// unhealthy, any warning degraded.
type Severity string

const (
	SevInfo    Severity = "info"
	SevWarning Severity = "warning"
	SevError   Severity = "error"
)

// Fix names one rung of the repair ladder. The names are a fixed set: the
// privileged helper (guard fix re-run through sudo) accepts nothing else.
type Fix string

const (
	FixNone             Fix = ""
	FixDeleteNeighbor   Fix = "delete-neighbor"
	FixFlushNeighbors   Fix = "flush-neighbors"
	FixLinkUp           Fix = "link-up"
	FixFlushDNS         Fix = "flush-dns"
	FixReapplyInterface Fix = "reapply-interface"
)

func (f Fix) String() string { return string(f) }

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
)

// Args fill a finding's templates.
type Args map[Arg]string

// Def declares one kind of finding. The catalog is fixed and its IDs are
// part of the JSON contract.
type Def struct {
	ID       string
	Check    string   // the check it belongs to
	Severity Severity // default; a finding may raise or lower it
	Title    string
	// Text is the one-line summary, with {arg} placeholders.
	Text string
	// DependsOn hides this finding while any of these is present: a
	// missing route is not also reported as "internet down".
	DependsOn []string
	// Fixes are the ladder rungs that may repair it, narrowest first.
	Fixes []Fix
	// Manual steps per GOOS ("linux", "darwin", "windows"), with {arg}
	// placeholders.
	Manual map[string][]string
}

var catalog = map[string]*Def{}
var catalogOrder []string

func register(d *Def) *Def {
	if _, dup := catalog[d.ID]; dup {
		panic("checks: duplicate finding " + d.ID)
	}
	catalog[d.ID] = d
	catalogOrder = append(catalogOrder, d.ID)
	return d
}

// Catalog returns every finding definition in declaration order, which is
// also root-cause order: earlier findings explain later ones.
func Catalog() []*Def {
	out := make([]*Def, len(catalogOrder))
	for i, id := range catalogOrder {
		out[i] = catalog[id]
	}
	return out
}

// Lookup returns the definition of id.
func Lookup(id string) (*Def, bool) {
	d, ok := catalog[id]
	return d, ok
}

// Finding is one observed problem or notable fact.
type Finding struct {
	ID       string   `json:"id"`
	Severity Severity `json:"severity"`
	Summary  string   `json:"summary"`
	Evidence []string `json:"evidence"`
	// Fix is the first ladder rung that may repair it; empty if none.
	Fix  Fix  `json:"fix,omitempty"`
	Args Args `json:"args,omitempty"`
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

// ManualSteps renders the finding's manual steps for goos.
func (f Finding) ManualSteps(goos string) []string {
	d, ok := catalog[f.ID]
	if !ok {
		return nil
	}
	steps := d.Manual[goos]
	if steps == nil {
		steps = d.Manual["linux"]
	}
	out := make([]string, 0, len(steps))
	for _, s := range steps {
		out = append(out, expand(s, f.Args))
	}
	return out
}

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
	TimedOut = register(&Def{
		ID: "timed-out", Check: "link", Severity: SevError,
		Title: "The OS did not answer in time",
		Text:  "reading the network tables did not finish within --timeout: the kernel or a network service is not answering",
		Manual: map[string][]string{
			"linux":   {"run guard check -v --timeout 10s; if it still times out, look for a stuck network service: systemctl status NetworkManager systemd-networkd systemd-resolved"},
			"darwin":  {"run guard check -v --timeout 10s; if it still times out: sudo killall -HUP mDNSResponder, or restart the Mac"},
			"windows": {"run guard check -v --timeout 10s; if it still times out, restart the network adapter from Settings"},
		},
	})
	LinkDown = register(&Def{
		ID: "link-down", Check: "link", Severity: SevError,
		Title: "Network interface is down",
		Text:  "interface {iface} is administratively down",
		Fixes: []Fix{FixLinkUp},
		Manual: map[string][]string{
			"linux":   {"sudo ip link set dev {iface} up", "or let the network manager do it: nmcli device connect {iface}"},
			"darwin":  {"sudo ifconfig {iface} up", "or turn the service on in System Settings › Network"},
			"windows": {"Enable the adapter: Settings › Network & internet › Advanced network settings › {iface} › Enable", "or, in an elevated prompt: netsh interface set interface \"{iface}\" admin=enabled"},
		},
	})
	LinkNoCarrier = register(&Def{
		ID: "link-no-carrier", Check: "link", Severity: SevError,
		Title: "No carrier", Text: "interface {iface} is up but has no carrier (no cable, Wi-Fi not associated, or no peer)",
		Manual: map[string][]string{
			"linux":   {"check the cable or reconnect Wi-Fi: nmcli device wifi list; nmcli device connect {iface}"},
			"darwin":  {"check the cable or reconnect Wi-Fi (Control Center › Wi-Fi); networksetup -getairportnetwork {iface}"},
			"windows": {"check the cable or reconnect Wi-Fi (Settings › Network & internet)"},
		},
	})
	LinkNoAddress = register(&Def{
		ID: "link-no-address", Check: "link", Severity: SevError,
		Title: "No address", Text: "interface {iface} carries the default route but has no {family} address",
		Fixes: []Fix{FixReapplyInterface},
		Manual: map[string][]string{
			"linux":   {"renew the lease: sudo nmcli device reapply {iface} (NetworkManager) or sudo networkctl renew {iface} (systemd-networkd)"},
			"darwin":  {"renew the lease: sudo ipconfig set {iface} DHCP"},
			"windows": {"renew the lease: ipconfig /renew"},
		},
	})
	NoDefaultRoute = register(&Def{
		ID: "no-default-route", Check: "route", Severity: SevError,
		Title: "No default route", Text: "there is no default route: nothing outside the local networks is reachable",
		DependsOn: []string{"link-down", "link-no-carrier"},
		Fixes:     []Fix{FixReapplyInterface},
		Manual: map[string][]string{
			"linux":   {"reconnect to the network, or renew DHCP: sudo nmcli device reapply <iface> / sudo networkctl renew <iface>", "check: ip route show default; ip -6 route show default"},
			"darwin":  {"reconnect to the network, or renew DHCP: sudo ipconfig set en0 DHCP", "check: netstat -rn -f inet | grep default (never run 'route -n flush': it deletes every route)"},
			"windows": {"reconnect to the network, or renew DHCP: ipconfig /renew", "check: route print 0.0.0.0"},
		},
	})
	GatewayRouteRejected = register(&Def{
		ID: "gateway-route-rejected", Check: "route", Severity: SevWarning,
		Title: "A reject route covers the gateway",
		Text:  "{type} route {prefix} makes the kernel refuse traffic to the gateway {gateway}",
		Manual: map[string][]string{
			"linux":   {"inspect it: ip route show {prefix}; ip rule show", "if nobody added it on purpose, remove it: sudo ip route del {type} {prefix}"},
			"darwin":  {"inspect it: route -n get {gateway}", "if nobody added it on purpose, remove it: sudo route -n delete -host {gateway}"},
			"windows": {"inspect it: route print", "remove it if unintended: route delete {gateway}"},
		},
	})
	TargetRouteRejected = register(&Def{
		ID: "target-route-rejected", Check: "route", Severity: SevWarning,
		Title: "A reject route covers external targets",
		Text:  "the kernel refuses traffic to {targets} ({detail})",
		Manual: map[string][]string{
			"linux":   {"inspect: ip route get <target>; ip rule show", "remove a reject/blackhole route you did not add on purpose: sudo ip route del <type> <prefix>"},
			"darwin":  {"inspect: route -n get <target>"},
			"windows": {"inspect: route print"},
		},
	})
	RouteFlap = register(&Def{
		ID: "route-lookup-failed", Check: "route", Severity: SevWarning,
		Title: "Route lookup failed", Text: "the kernel found no route to {targets} at this instant ({err}) although a default route exists: routes are changing",
		Manual: map[string][]string{
			"linux":  {"run the check again; if it persists: ip route get <target>"},
			"darwin": {"run the check again; this is what 'traceroute: findsaddr: write: No such process' means; if it persists, turn Wi-Fi off and on"},
		},
	})
	TunnelCoversGateway = register(&Def{
		ID: "tunnel-covers-gateway", Check: "route", Severity: SevWarning,
		Title: "A VPN route takes the gateway's subnet",
		Text:  "the route to the gateway {gateway} goes through tunnel {iface} ({prefix}), not the interface the default route uses: a VPN took the local subnet",
		Manual: map[string][]string{
			"linux":   {"ip route get {gateway}", "allow local network access in the VPN client (split tunnelling / 'allow LAN'), or reconnect it"},
			"darwin":  {"route -n get {gateway}; netstat -rn -f inet | grep utun", "allow local network access in the VPN client (e.g. 'Allow LAN traffic'), or reconnect it"},
			"windows": {"Find-NetRoute -RemoteIPAddress {gateway}", "allow local network access in the VPN client, or reconnect it"},
		},
	})
	DefaultRouteVPN = register(&Def{
		ID: "default-route-vpn", Check: "route", Severity: SevInfo,
		Title: "A VPN owns the default route", Text: "the {family} default route goes through tunnel {iface}: a VPN carries all traffic",
		Manual: map[string][]string{"linux": {"if the VPN is not meant to be on, disconnect it"}},
	})
	GatewayNeighborFailed = register(&Def{
		ID: "gateway-neighbor-failed", Check: "neighbor", Severity: SevError,
		Title:     "Gateway does not answer ARP/NDP",
		Text:      "the gateway {gateway} on {iface} does not answer address resolution (entry {state})",
		DependsOn: []string{"link-down", "link-no-carrier", "link-no-address"},
		Fixes:     []Fix{FixDeleteNeighbor, FixFlushNeighbors, FixReapplyInterface},
		Manual: map[string][]string{
			"linux":   {"sudo ip neigh del {gateway} dev {iface}", "check that the router is on and the cable/Wi-Fi is connected"},
			"darwin":  {"sudo arp -d {gateway} -i {iface}", "check that the router is on and Wi-Fi is connected"},
			"windows": {"in an elevated prompt: netsh interface ip delete arpcache", "check that the router is on and Wi-Fi is connected"},
		},
	})
	GatewayNeighborStatic = register(&Def{
		ID: "gateway-neighbor-static", Check: "neighbor", Severity: SevError,
		Title:     "A static ARP/NDP entry pins the gateway to a MAC that does not answer",
		Text:      "a permanent entry maps the gateway {gateway} to {mac} on {iface}, and nothing answers through it",
		DependsOn: []string{"link-down", "link-no-carrier", "link-no-address"},
		Fixes:     []Fix{FixDeleteNeighbor},
		Manual: map[string][]string{
			"linux":   {"sudo ip neigh del {gateway} dev {iface}", "then find what set it (a script, /etc/ethers, a systemd-networkd [Neighbor] section) so it does not come back"},
			"darwin":  {"sudo arp -d {gateway} -i {iface}", "then find what set it (arp -s in a script) so it does not come back"},
			"windows": {"in an elevated prompt: netsh interface ip delete neighbors \"{iface}\" {gateway}"},
		},
	})
	GatewayNeighborWrong = register(&Def{
		ID: "gateway-neighbor-wrong", Check: "neighbor", Severity: SevError,
		Title:     "The gateway's ARP/NDP entry looks stale or wrong",
		Text:      "the gateway {gateway} resolves to {mac} on {iface} ({state}) but does not answer through it",
		DependsOn: []string{"link-down", "link-no-carrier", "link-no-address"},
		Fixes:     []Fix{FixDeleteNeighbor, FixFlushNeighbors, FixReapplyInterface},
		Manual: map[string][]string{
			"linux":   {"sudo ip neigh del {gateway} dev {iface}", "if that does not help: sudo ip neigh flush dev {iface} nud failed nud stale"},
			"darwin":  {"sudo arp -d {gateway} -i {iface} (repeat for every interface listed by: arp -an | grep '({gateway})')"},
			"windows": {"in an elevated prompt: netsh interface ip delete neighbors \"{iface}\" {gateway}"},
		},
	})
	GatewayNeighborDuplicate = register(&Def{
		ID: "gateway-neighbor-duplicate", Check: "neighbor", Severity: SevWarning,
		Title: "The gateway has conflicting ARP/NDP entries",
		Text:  "the gateway {gateway} has {count} entries with different MACs: {detail}",
		Fixes: []Fix{FixDeleteNeighbor},
		Manual: map[string][]string{
			"linux":  {"sudo ip neigh del {gateway} dev <each iface>"},
			"darwin": {"sudo arp -d {gateway} -i <each iface> (macOS keeps one entry per interface scope; arp -d without -i removes only one)"},
		},
	})
	LocalNetworkDenied = register(&Def{
		ID: "local-network-denied", Check: "gateway", Severity: SevWarning,
		Title: "macOS Local Network privacy blocks this app",
		Text:  "the local network refuses this process (EHOSTUNREACH with a complete ARP entry) while the internet works: macOS Local Network privacy denies {app}",
		Manual: map[string][]string{
			"darwin": {"System Settings › Privacy & Security › Local Network: turn on {app}, then quit and reopen {app}", "if {app} is not listed, run the start from Terminal once, or reset with: tccutil reset LocalNetwork (then allow the prompt)"},
			"linux":  {"n/a"},
		},
	})
	GatewayRefused = register(&Def{
		ID: "gateway-send-refused", Check: "gateway", Severity: SevWarning,
		Title:     "This machine refuses to send to the gateway",
		Text:      "sending to the gateway {gateway} fails at once ({err}) while the internet works",
		DependsOn: []string{"gateway-route-rejected", "local-network-denied"},
		Manual: map[string][]string{
			"linux":  {"look for a firewall rule rejecting it: sudo nft list ruleset | grep -n {gateway}; sudo iptables -S OUTPUT", "ip route get {gateway}"},
			"darwin": {"route -n get {gateway}; check a firewall or VPN client that filters the local network"},
		},
	})
	GatewayUnreachable = register(&Def{
		ID: "gateway-unreachable", Check: "gateway", Severity: SevError,
		Title: "Gateway unreachable",
		Text:  "the gateway {gateway} answers neither ping nor TCP ({detail})",
		DependsOn: []string{"link-down", "link-no-carrier", "link-no-address", "no-default-route", "gateway-route-rejected",
			"gateway-neighbor-failed", "gateway-neighbor-static", "gateway-neighbor-wrong", "local-network-denied"},
		Fixes: []Fix{FixDeleteNeighbor, FixFlushNeighbors, FixReapplyInterface},
		Manual: map[string][]string{
			"linux":   {"check that the router is on and reachable: cable, Wi-Fi, VLAN", "ip neigh show {gateway}; ip route get {gateway}"},
			"darwin":  {"check that the router is on and reachable: cable, Wi-Fi", "arp -an | grep '({gateway})'; route -n get {gateway}"},
			"windows": {"check that the router is on and reachable: cable, Wi-Fi", "Get-NetNeighbor -IPAddress {gateway}"},
		},
	})
	GatewaySilent = register(&Def{
		ID: "gateway-silent", Check: "gateway", Severity: SevInfo,
		Title: "Gateway ignores probes", Text: "the gateway {gateway} answers neither ping nor TCP, but traffic through it works (many routers ignore probes)",
	})
	LocalFirewall = register(&Def{
		ID: "local-firewall-blocks", Check: "internet", Severity: SevError,
		Title:     "The local firewall blocks outgoing traffic",
		Text:      "the kernel refuses to send to {targets} (EPERM/EACCES): a local firewall rule rejects outgoing traffic",
		DependsOn: []string{"link-down", "link-no-carrier", "no-default-route"},
		Manual: map[string][]string{
			"linux":   {"list the rules: sudo nft list ruleset; sudo iptables -S OUTPUT", "netguard never changes firewall rules: remove or adjust the rule that rejects this traffic"},
			"darwin":  {"check pf and any firewall/VPN app: sudo pfctl -sr"},
			"windows": {"check Windows Defender Firewall outbound rules (wf.msc)"},
		},
	})
	KernelNoBuffers = register(&Def{
		ID: "kernel-no-buffers", Check: "internet", Severity: SevError,
		Title: "Kernel out of buffers", Text: "sending fails with ENOBUFS: the kernel has no buffer space for {targets}",
		Manual: map[string][]string{
			"linux":  {"look for a process flooding the network or a stuck interface queue: ss -s; tc -s qdisc show"},
			"darwin": {"netstat -m (mbuf use); if exhausted, quit the process flooding the network or reboot"},
		},
	})
	InternetUnreachable = register(&Def{
		ID: "internet-unreachable", Check: "internet", Severity: SevError,
		Title: "Internet unreachable", Text: "none of the external targets answers: {detail}",
		DependsOn: []string{"link-down", "link-no-carrier", "link-no-address", "no-default-route", "target-route-rejected",
			"gateway-neighbor-failed", "gateway-neighbor-static", "gateway-neighbor-wrong", "gateway-unreachable", "local-firewall-blocks", "kernel-no-buffers"},
		Manual: map[string][]string{
			"linux":   {"check the upstream network (router's WAN, captive portal, VPN)", "ip route get {targets}"},
			"darwin":  {"check the upstream network (router's WAN, captive portal, VPN)", "route -n get {targets}"},
			"windows": {"check the upstream network (router's WAN, captive portal, VPN)", "Test-NetConnection {targets}"},
		},
	})
	InternetPartial = register(&Def{
		ID: "internet-partial", Check: "internet", Severity: SevInfo,
		Title: "Some external targets do not answer", Text: "{targets} did not answer while others did",
	})
	TCPBlocked = register(&Def{
		ID: "tcp-blocked", Check: "internet", Severity: SevWarning,
		Title: "Ping works, TCP does not",
		Text:  "external hosts answer ping but no TCP connection gets through ({detail}): a firewall or proxy blocks outgoing connections",
		Manual: map[string][]string{
			"linux":  {"check a proxy (HTTPS_PROXY) or firewall on the way out; curl -v https://<a host you need>"},
			"darwin": {"check a proxy (System Settings › Network › Details › Proxies) or firewall on the way out"},
		},
	})
	ICMPBlocked = register(&Def{
		ID: "icmp-blocked", Check: "internet", Severity: SevWarning,
		Title: "Ping is blocked", Text: "no host answers ping while TCP gets through: a firewall drops ICMP (harmless for most development)",
		Manual: map[string][]string{
			"linux":  {"nothing to do unless your environment needs ping; firewall rules: sudo nft list ruleset"},
			"darwin": {"nothing to do unless your environment needs ping; check the firewall's stealth mode (System Settings › Network › Firewall)"},
		},
	})
	ICMPNotPermitted = register(&Def{
		ID: "icmp-not-permitted", Check: "internet", Severity: SevInfo,
		Title: "ICMP not permitted for this user",
		Text:  "this user may not open ICMP sockets, so reachability was decided by TCP alone",
		Manual: map[string][]string{
			"linux": {"allow unprivileged ping: sudo sysctl -w net.ipv4.ping_group_range='0 2147483647' (persist it in /etc/sysctl.d/)"},
		},
	})
	DNSNoServers = register(&Def{
		ID: "dns-no-servers", Check: "dns", Severity: SevError,
		Title: "No name server", Text: "resolving {name} failed and no name server is configured",
		Manual: map[string][]string{
			"linux":   {"cat /etc/resolv.conf; resolvectl status", "renew DHCP or set a DNS server in the network manager"},
			"darwin":  {"scutil --dns", "set DNS servers: System Settings › Network › Details › DNS"},
			"windows": {"ipconfig /all", "set DNS servers: Settings › Network & internet › Properties › DNS server assignment"},
		},
	})
	DNSFailed = register(&Def{
		ID: "dns-failed", Check: "dns", Severity: SevError,
		Title: "DNS resolution fails", Text: "resolving {name} failed: {err}",
		DependsOn: []string{"link-down", "link-no-carrier", "no-default-route", "internet-unreachable", "dns-no-servers", "local-firewall-blocks"},
		Fixes:     []Fix{FixFlushDNS},
		Manual: map[string][]string{
			"linux":   {"check the name servers: resolvectl status (or cat /etc/resolv.conf); {detail}", "if a VPN or local resolver (dnsmasq, systemd-resolved) is in the path, restart it: sudo systemctl restart systemd-resolved"},
			"darwin":  {"check the name servers: scutil --dns; {detail}", "flush the cache: sudo dscacheutil -flushcache; sudo killall -HUP mDNSResponder"},
			"windows": {"check the name servers: ipconfig /all; {detail}", "flush the cache: ipconfig /flushdns"},
		},
	})
	DNSLossy = register(&Def{
		ID: "dns-lossy", Check: "dns", Severity: SevWarning,
		Title: "DNS replies are being lost", Text: "the system resolver timed out on {name} while {server} answered a direct query: replies are being lost on the way",
		DependsOn: []string{"internet-unreachable"},
		Manual: map[string][]string{
			"linux":  {"look for packet loss to {server}: mtr -n {server} (or ping -c 20 {server})", "check Wi-Fi signal or a congested uplink"},
			"darwin": {"look for packet loss to {server}: ping -c 20 {server}", "check Wi-Fi signal (Option-click the Wi-Fi icon) or a congested uplink"},
		},
	})
	DNSServerFailed = register(&Def{
		ID: "dns-server-failed", Check: "dns", Severity: SevWarning,
		Title: "A name server does not answer", Text: "name server {server} does not answer ({err}) while resolution works",
		DependsOn: []string{"dns-failed"},
		Manual: map[string][]string{
			"linux":  {"remove or fix {server} in the network settings; lookups that try it first will be slow"},
			"darwin": {"remove or fix {server} in System Settings › Network › Details › DNS"},
		},
	})
	DNSNotFound = register(&Def{
		ID: "dns-name-not-found", Check: "dns", Severity: SevInfo,
		Title: "Test name does not exist", Text: "{name} does not exist (NXDOMAIN): DNS itself works",
	})
	PortsExhausted = register(&Def{
		ID: "ports-exhausted", Check: "resources", Severity: SevError,
		Title: "Ephemeral ports nearly exhausted",
		Text:  "{count} of the ephemeral ports are in use ({pct}%): {detail}",
		Manual: map[string][]string{
			"linux":   {"find the holder: ss -tanp state time-wait | head; ss -s", "widen the range if needed: sudo sysctl -w net.ipv4.ip_local_port_range='15000 65000'"},
			"darwin":  {"find the holder: netstat -anv -p tcp | head", "sysctl net.inet.ip.portrange.first net.inet.ip.portrange.last"},
			"windows": {"find the holder: Get-NetTCPConnection | Group-Object OwningProcess | Sort-Object Count -Descending | Select-Object -First 5", "netsh int ipv4 show dynamicport tcp"},
		},
	})
	PortsHigh = register(&Def{
		ID: "ports-high", Check: "resources", Severity: SevWarning,
		Title: "Many ephemeral ports in use", Text: "{count} of the ephemeral ports are in use ({pct}%): {detail}",
		DependsOn: []string{"ports-exhausted"},
		Manual: map[string][]string{
			"linux":   {"find the holder: ss -s; ss -tanp | awk '{print $6}' | sort | uniq -c | sort -rn | head"},
			"darwin":  {"find the holder: netstat -anv -p tcp | head"},
			"windows": {"Get-NetTCPConnection | Group-Object OwningProcess | Sort-Object Count -Descending | Select-Object -First 5"},
		},
	})
	FilesExhausted = register(&Def{
		ID: "files-exhausted", Check: "resources", Severity: SevError,
		Title: "File handles nearly exhausted", Text: "{detail}",
		Manual: map[string][]string{
			"linux":  {"find the holder: for p in /proc/[0-9]*; do echo \"$(ls $p/fd 2>/dev/null | wc -l) $p\"; done | sort -rn | head", "raise the limit: ulimit -n 65536 (or LimitNOFILE= for services)"},
			"darwin": {"sysctl kern.num_files kern.maxfiles; launchctl limit maxfiles"},
		},
	})
	FilesLimitLow = register(&Def{
		ID: "files-limit-low", Check: "resources", Severity: SevInfo,
		Title: "Low open-file limit", Text: "the open-file limit is {count}: servers and bundlers started from here may hit EMFILE",
		Manual: map[string][]string{
			"linux":  {"ulimit -n 65536 in your shell profile, or raise the hard limit in /etc/security/limits.conf"},
			"darwin": {"ulimit -n 65536; sudo launchctl limit maxfiles 65536 200000"},
		},
	})
)
