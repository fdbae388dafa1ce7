package diagnose

// Explanation is the longer text `guard explain ID` prints for a finding:
// why it matters to a developer about to start work, and how guard
// decided it (which table or probe, and what confirmed it).
type Explanation struct {
	Why string
	How string
}

// Explain returns the explanation of a catalog finding.
func Explain(id string) (Explanation, bool) {
	e, ok := explanations[id]
	return e, ok
}

// explanations are kept beside the catalog rather than in it so the
// catalog stays one screen per finding; a test holds them to the catalog.
var explanations = map[string]Explanation{
	"timed-out": {
		Why: "Without the routing and neighbor tables nothing else can be judged, and a kernel or network service that stalls usually stalls the dev environment's own connections too.",
		How: "The read of the OS's tables (netlink, the routing socket or IP Helper) had not returned when the --timeout deadline passed.",
	},
	"link-down": {
		Why: "An interface that is administratively down carries no traffic at all: the default route through it is dead.",
		How: "The interface the default route uses (or the only candidate) has its administrative UP flag cleared in the OS's link table.",
	},
	"link-no-carrier": {
		Why: "Up but without carrier means no cable, no Wi-Fi association or no peer: nothing leaves the machine.",
		How: "The interface is administratively up but the link table reports no carrier (lower layer down).",
	},
	"link-no-address": {
		Why: "Without an address of the route's family the machine cannot send a packet the gateway would answer; usually DHCP or SLAAC has not finished or has failed.",
		How: "The interface that carries the default route has no global address of that family in the address table.",
	},
	"no-default-route": {
		Why: "Without a default route only directly attached networks are reachable: package registries, container registries and APIs are not.",
		How: "The routing table (main and policy tables) holds no default route of any family.",
	},
	"gateway-route-rejected": {
		Why: "A reject, blackhole or prohibit route that covers the gateway makes the kernel drop every packet to it, although the default route looks fine.",
		How: "A route lookup for the gateway's address returned a route of a rejecting type; the route is named with its prefix.",
	},
	"target-route-rejected": {
		Why: "Traffic to these external targets is refused inside this machine by a rejecting route, so anything on those networks fails.",
		How: "A route lookup for the targets returned a reject, blackhole, prohibit or unreachable route.",
	},
	"route-lookup-failed": {
		Why: "Routes that change while a check runs (a VPN connecting, Wi-Fi roaming) make connections fail at random for a few seconds.",
		How: "The kernel answered a route lookup for the targets with no route although a default route was present in the dump taken just before.",
	},
	"tunnel-covers-gateway": {
		Why: "A VPN that claims the local subnet sends traffic meant for the gateway into the tunnel: the local network, and often the internet, stop working.",
		How: "The route lookup for the gateway chose a tunnel interface instead of the interface that carries the default route.",
	},
	"default-route-vpn": {
		Why: "All traffic goes through a VPN; a problem further on may be the VPN's, not the local network's.",
		How: "The default route's interface is a tunnel (its kind in the link table: tun, wireguard, ppp, utun, ...).",
	},
	"gateway-neighbor-failed": {
		Why: "If the gateway's MAC cannot be resolved no packet can be handed to it: the whole network path is down although the link is up.",
		How: "The gateway's neighbor (ARP/NDP) entry is FAILED or INCOMPLETE, confirmed by a probe of the gateway that got no answer.",
	},
	"gateway-neighbor-static": {
		Why: "A permanent entry is never refreshed: if it points at a MAC that no longer answers, traffic to the gateway stays lost until it is removed.",
		How: "The gateway's neighbor entry is PERMANENT/static, and probes through it get no answer. As root it is removed only when, in addition, exactly one MAC, not the pinned one, answers address resolution for the gateway (replies addressed to this host, gathered for the whole probe window); the privileged helper checks the same before deleting, and puts the entry back if the gateway stays silent without it.",
	},
	"gateway-neighbor-ambiguous": {
		Why: "Anyone on the LAN can answer ARP or NDP for the gateway's address; when several MACs answer, one may be an attacker who wants the pin gone so that traffic flows through it. Removing the pin on such evidence would hand the gateway's address to whoever answered.",
		How: "As root, the gateway pinned by a permanent entry is asked for its MAC for the whole probe window; only answers addressed to this host count. Traffic through the pin fails and more than one MAC answered: no repair is tried.",
	},
	"gateway-neighbor-wrong": {
		Why: "A cached MAC that no longer belongs to the gateway (a replaced router, a moved address) sends every packet to the wrong place until the entry expires.",
		How: "The gateway's neighbor entry holds a MAC, the gateway does not answer through it, and a fresh resolution (where permitted) answers differently or not at all.",
	},
	"gateway-neighbor-duplicate": {
		Why: "Two MACs for the gateway on different interfaces or scopes means some traffic may go to the wrong one: an address conflict or a stale scoped entry.",
		How: "The neighbor table holds more than one entry for the gateway's address with different MACs.",
	},
	"local-network-denied": {
		Why: "macOS Local Network privacy cuts this app (terminal, IDE) off from local hosts while other apps work: local servers, databases and the router seem down.",
		How: "Sending to the gateway failed with EHOSTUNREACH although its ARP entry is complete and the internet answers; the app that started guard is named.",
	},
	"gateway-send-refused": {
		Why: "The machine refuses to send to its own gateway (a local firewall rule or policy) while other traffic works; local services behind it fail.",
		How: "Sending to the gateway failed at once with a refusal errno (EPERM, EACCES, EHOSTUNREACH) while external targets answered.",
	},
	"gateway-unreachable": {
		Why: "The gateway does not answer and nothing gets through it: nothing outside the local network is reachable.",
		How: "The gateway answered neither ICMP echo nor a TCP connection attempt, and the external targets did not answer either; both probe kinds agree.",
	},
	"gateway-silent": {
		Why: "Harmless: many routers ignore pings and closed ports. Reported so a later real outage is not blamed on it.",
		How: "The gateway answered neither ping nor TCP, but external targets answered through it.",
	},
	"local-firewall-blocks": {
		Why: "A local firewall rule rejects outgoing traffic: every download and API call from this machine fails.",
		How: "Sending to the external targets failed at once with EPERM or EACCES from the kernel, the errno a local firewall reject produces.",
	},
	"kernel-no-buffers": {
		Why: "The kernel has run out of buffer space for sending: connections fail until whatever holds the buffers lets go.",
		How: "Sending to the targets failed with ENOBUFS.",
	},
	"internet-unreachable": {
		Why: "None of the external targets answers: dependency downloads, registries and remote APIs will fail.",
		How: "Every external target failed both ICMP and TCP probes within the probe wait; the local path (link, route, gateway) was checked first.",
	},
	"internet-partial": {
		Why: "Some targets answer and others do not: a single provider or route is blocked, which is seldom a problem for development.",
		How: "At least one external target answered and at least one answered neither ping nor TCP.",
	},
	"tcp-blocked": {
		Why: "Ping gets through but TCP does not: a firewall or a proxy requirement blocks the connections tools actually make.",
		How: "External targets answered ICMP echo but no TCP connection to them (on their port, or 443, 53, 80) succeeded.",
	},
	"icmp-blocked": {
		Why: "Only ping is blocked; TCP, which development tools use, works. Reported so ping failures are not mistaken for an outage.",
		How: "No target answered ICMP echo while TCP connections to them succeeded.",
	},
	"icmp-not-permitted": {
		Why: "Informational: this user may not send ICMP, so reachability was decided by TCP alone.",
		How: "Opening both an unprivileged and a raw ICMP socket failed with a permission error.",
	},
	"dns-no-servers": {
		Why: "Without a name server no host name resolves: every tool that connects by name fails.",
		How: "Resolution through the system resolver failed and the resolver configuration lists no name server.",
	},
	"dns-failed": {
		Why: "Host names do not resolve: registries, git remotes and APIs are unreachable by name even though the network may work.",
		How: "The system resolver failed for the test name (after a retry on a fresh resolver), and the name servers were queried directly to tell a lossy path from a dead server.",
	},
	"dns-lossy": {
		Why: "Replies are being lost on the way: name lookups are slow or fail intermittently, which looks like random timeouts in tools.",
		How: "The system resolver timed out while a direct query to a configured server answered.",
	},
	"dns-server-failed": {
		Why: "One configured name server does not answer; lookups still work through the others but may be slow when it is tried first.",
		How: "A direct query to this server failed while resolution through the system resolver succeeded.",
	},
	"dns-name-not-found": {
		Why: "Informational: the test name does not exist, which proves DNS itself works. Pick another --dns name to test a real one.",
		How: "The resolver answered NXDOMAIN for the test name.",
	},
	"ports-exhausted": {
		Why: "With the ephemeral port range nearly used up, new outgoing connections fail with EADDRNOTAVAIL: builds and dev servers break in odd ways.",
		How: "A probe's connect failed with EADDRNOTAVAIL. The count shown is of local ports in the ephemeral range, TCP per remote endpoint (the kernel reuses a local port for other destinations) and UDP in all, against the range's size; the process holding most is named where the OS tells.",
	},
	"ports-high": {
		Why: "Many ephemeral ports are in use (often TIME_WAIT from a busy test loop); exhaustion is close.",
		How: "At least 70% of the range counted as for ports-exhausted (TCP toward one endpoint, UDP in all), while no connect has failed yet.",
	},
	"files-exhausted": {
		Why: "The system or this user is close to its open-file limit: servers, watchers and bundlers will fail with EMFILE or ENFILE.",
		How: "Open file handles counted by the OS against the system and per-process limits.",
	},
	"files-limit-low": {
		Why: "Informational: the open-file limit processes started from here inherit is low for file watchers and bundlers.",
		How: "The soft RLIMIT_NOFILE of the process that started guard (not the one Go raised for itself).",
	},
	// Path tracing, uplinks, address families and path MTU (issue 13).
	"link-mtu-exceeds-egress": {
		Why: "Containers and VMs behind the bridge send full-size packets the uplink (a VPN tunnel, PPPoE) cannot carry; when the 'fragmentation needed' answers are lost on the way, image pulls and TLS handshakes from inside them hang.",
		How: "The link table: a bridge that is up and has an address reports a larger MTU than the interface that carries the default route.",
	},
	"gateway-route-diverted": {
		Why: "A container, VM or other network that uses the local network's addresses takes the traffic meant for the gateway and the LAN: SSH to a machine on the LAN, a local registry or the router's own services fail, while the internet may still work.",
		How: "The kernel's route lookup for the gateway chose another interface than the default route's (named with its kind from the link table and the covering route's prefix); the gateway is then not probed, so it is never called 'a router that ignores probes'.",
	},
	"target-route-diverted": {
		Why: "Traffic to these hosts never reaches the internet: a bridge, tunnel or other interface takes it, so everything the start fetches from them fails or hangs.",
		How: "The kernel's route lookup for each target chose another interface than the default route's. A route into a container bridge or veth, or into a link without carrier, decides at once: those targets are not probed. A split tunnel whose targets answer is not reported.",
	},
	"nameserver-route-diverted": {
		Why: "Name lookups go to this server first; when its route leads into a network where it does not answer, every lookup waits for it before trying the next server, or fails.",
		How: "The kernel's route lookup for the server (read from the resolver configuration before asking it) chose another interface than the default route's, and the server did not answer a direct query there; loopback resolvers are never counted.",
	},
	"default-route-dead": {
		Why: "With two uplinks (a dock and Wi-Fi, a phone hotspot) the kernel uses the one with the lowest metric even when it leads nowhere, while the other would work.",
		How: "None of the family's targets answered through the default route in use; the first one answered when probed through another default route's interface (a socket bound with SO_BINDTODEVICE, IP_BOUND_IF or IP_UNICAST_IF; no route is changed). A healthy machine never sends these probes.",
	},
	"family-unreachable": {
		Why: "Programs that try IPv6 first (npm, pip, curl, git, Go) wait for every IPv6 attempt to time out before falling back, so installs and pulls hang or crawl although IPv4 works.",
		How: "The family has a default route, none of its targets answered any probe (or the tables proved them unreachable), and a target of the other family did answer.",
	},
	"path-mtu-blackhole": {
		Why: "Small packets pass and full-size ones vanish: pings and connects work, but TLS handshakes and large downloads stall, the classic symptom of a tunnel or PPPoE hop whose 'fragmentation needed' messages are filtered.",
		How: "One echo of the egress interface's MTU with don't-fragment set went to an external target that answered small echoes, and every attempt was lost; an EMSGSIZE (the kernel already learnt a smaller path MTU) means discovery works and is not reported.",
	},
	// The local configuration (issue 13 §4, §5, §7, §8).
	"dns-local-resolver-down": {
		Why: "Every lookup goes to a resolver on this machine that is not running: nothing resolves, though the network and the upstream servers may be fine.",
		How: "A direct query to the loopback name server was refused at once (ICMP port unreachable, ECONNREFUSED); for systemd-resolved's stub, its upstreams from /run/systemd/resolve/resolv.conf are asked directly too.",
	},
	"dns-first-server-silent": {
		Why: "The resolver asks its servers in order and waits its whole timeout for a silent first one (a VPN's leftover) before asking the next: every lookup of the start is that much slower, and tools with a shorter timeout fail.",
		How: "The servers in the resolver's order (resolv.conf with its timeout and attempts, the Windows adapters by metric) are each asked directly: the first stays silent while a later one answers; the kernel's route lookup says whether a route still leads to it. Loss is reported instead only when the same server answers directly while the resolver timed out.",
	},
	"proxy-fake-ip": {
		Why: "A proxy app in fake-ip mode answers every name with an address of its own, which only it can route: SSH, Docker networks and tools that bypass the proxy reach nothing, or the wrong host.",
		How: "The --dns name resolved into 198.18.0.0/15 (on no local interface's network) while the default route's interface is a TUN device.",
	},
	"proxy-invalid": {
		Why: "Programs that read the variable fail every request through it, or silently go direct, depending on the tool.",
		How: "The value was parsed as curl and Go parse it (http:// assumed without a scheme): the scheme, host or port is not one a proxy can have.",
	},
	"proxy-dead": {
		Why: "Package managers, registries and downloads send everything through the proxy the environment names: with nothing listening there, every download of the start fails (connection refused to 127.0.0.1:7890 when Clash or V2Ray was closed).",
		How: "One TCP connect to the proxy itself, nothing beyond it: refused, or silent while the network path to it works. Each variable and the system proxy (macOS per-service settings, Windows Internet Settings) are read; NO_PROXY=* turns them off.",
	},
	"network-proxy-only": {
		Why: "Direct connections are blocked, as on many corporate networks, but programs that use the proxy get out: the start is not blocked for it.",
		How: "Every external target was silent to both probes while an HTTPS (or ALL) proxy accepted a connection; a proxy on this machine only proves that the app runs, so that case is a warning.",
	},
	"port-in-use": {
		Why: "The environment cannot listen on a port another process holds: the database or dev server fails at start-up with 'address already in use' (AirPlay on 5000 and 7000 on macOS).",
		How: "The port is bound and closed at once on 0.0.0.0, ::, 127.0.0.1 and ::1 (or the configured address), with the SO_REUSEADDR servers use; EADDRINUSE names it, and the holder comes from the socket table (/proc on Linux, the owner-PID TCP table on Windows).",
	},
	"port-excluded": {
		Why: "Windows reserves port ranges for Hyper-V, WSL or Docker; nothing can listen there, though no process shows up as using the port.",
		How: "The bind test failed with WSAEACCES, which Windows answers for a port in an excluded range.",
	},
	"hosts-localhost-wrong": {
		Why: "Programs that connect to localhost reach another host: dev servers, databases and health checks fail or talk to the wrong machine.",
		How: "A line of the hosts file maps the name localhost to an address that is not this machine's (not loopback).",
	},
	"hosts-localhost-missing": {
		Why: "Without a localhost entry, and with no resolver that answers it, 'localhost' fails to resolve: getaddrinfo ENOTFOUND localhost.",
		How: "The hosts file has no line for localhost, the system resolver did not answer loopback for it, and no NSS module (nss-myhostname, nss-resolve) that answers it is configured.",
	},
	"ports-range-small": {
		Why: "Every outgoing connection and name lookup takes a port from this range: with only a few, they fail with EADDRNOTAVAIL as soon as that many are open.",
		How: "The kernel's ephemeral range (ip_local_port_range, net.inet.ip.portrange) holds fewer than 1000 ports; under 128 it is an error.",
	},
	"clock-wrong": {
		Why: "TLS certificates are valid from a date: a clock that is behind makes every HTTPS download fail with 'certificate is not yet valid' (WSL2 after sleep).",
		How: "The clock reads earlier than the commit this binary was built from, by more than a day: it is at least that much behind.",
	},
	"clock-unsynchronized": {
		Why: "Informational: no time daemon has told the kernel its clock is right. Harmless while it is, and the normal state of containers and CI machines.",
		How: "adjtimex(2) without changes returns TIME_ERROR or sets STA_UNSYNC (Linux); macOS and Windows do not report it.",
	},
}
