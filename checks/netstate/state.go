package netstate

import (
	"net/netip"
	"strings"
	"time"
)

// State is everything one run observed: the kernel's tables and the probe
// results. Collectors fill one field and its error each and decide nothing;
// Diagnose turns a State into findings without any I/O.
type State struct {
	OS string
	// Privileged is true when the run may use raw sockets and change tables
	// (root on Unix, an elevated token on Windows).
	Privileged bool

	Links        []Link
	LinksErr     error
	Routes       []Route
	RoutesErr    error
	Neighbors    []Neighbor
	NeighborsErr error
	Sockets      SocketStats
	SocketsErr   error

	V4 FamilyState
	V6 FamilyState

	DNS DNSResult
	// NameServerRoutes is the kernel's route to each name server the DNS
	// probe asks, looked up before it asks (path tracing); empty when the
	// prober cannot list its servers in advance.
	NameServerRoutes []AddrRoute

	// TimedOut: the OS did not answer within the deadline; nothing else in
	// the state was observed.
	TimedOut bool

	// Took is how long the collection behind each check (by check ID) ran.
	Took map[string]time.Duration

	// LocalNetworkPrivacy: the OS can deny an app the local network
	// (macOS 15+), so a refusal on the LAN may be that, not a route.
	LocalNetworkPrivacy bool
	// NameServersListed: the resolver configuration was read, so an empty
	// DNS.Servers means that none is configured (false on Windows, whose
	// servers the prober does not list).
	NameServersListed bool
	// HostApp names the app that launched us (VS Code, Cursor, Terminal),
	// where the OS tells; used in manual steps.
	HostApp string

	// The machine's local configuration a start depends on, collected
	// in parallel with the probes. Each is its zero value when not
	// collected (an OS layer without LocalSystem): the checks then say
	// "skip".
	Proxy ProxyState   // proxy variables and the system proxy, each probed
	Ports []PortResult // the ports the environment needs, bind-tested
	Hosts HostsState   // the hosts file and how localhost resolves
	Clock ClockState   // the kernel's clock discipline

	// PortNotes are Options.PortNotes: the project's ports not checked.
	PortNotes []string

	// Rules are the policy routing rules, in the kernel's order (empty
	// where the OS layer has none: RuleReader); RulesErr why they could
	// not be read.
	Rules    []Rule
	RulesErr error
	// Tunnels is the evidence read from the tunnel devices the targets'
	// routes lead into when none of them answered (WireGuard's last
	// handshake); empty otherwise.
	Tunnels []TunnelInfo
	// Portal is the GET to port 80 of the address the --dns name
	// resolved to, sent only when PortalSuspect; nil when not sent.
	Portal *PortalResult
	// TunApp is the tunnel device the external targets are routed into,
	// looked at only when names resolved to fake-ip addresses: who holds
	// it and whether a first request through it is answered.
	TunApp TunAppState
	// AddrProbes are this host's own IPv4 addresses on the default
	// route's interface, each probed as RFC 5227 does; empty when not
	// probed, AddrProbeSkipped then says why when it matters.
	AddrProbes       []AddrProbe
	AddrProbeSkipped string

	// Firewall is the local packet filter's output path, read where the
	// OS layer can (FirewallReader); zero when not read.
	Firewall FirewallState
}

// Families returns the states of both address families, IPv4 first.
func (s *State) Families() []*FamilyState {
	return []*FamilyState{&s.V4, &s.V6}
}

// Family returns the state of one address family (4 or 6).
func (s *State) Family(f int) *FamilyState {
	if f == 6 {
		return &s.V6
	}
	return &s.V4
}

// FamilyState is what one address family looked like.
type FamilyState struct {
	Family int // 4 or 6
	// Default is the default route the kernel uses (lowest metric), nil if
	// there is none.
	Default *Route
	// Gateway is the next hop probed: --gateway, else Default's gateway.
	Gateway netip.Addr
	// GatewayProbe is nil when there is no gateway to probe.
	GatewayProbe *TargetResult
	External     []TargetResult
	// Uplinks are the family's other default routes, each probed through
	// its own interface when none of External answered through Default
	// (several default routes); empty otherwise.
	Uplinks []UplinkResult
	// PMTU is the don't-fragment probe of the egress MTU, nil when not
	// sent (another family was probed, no target, MTU unknown).
	PMTU *PMTUResult
	// Solicit is the gateway's answer to one ARP request / neighbor
	// solicitation, sent as root when a permanent entry pins its MAC;
	// nil when not sent.
	Solicit *SolicitResult
}

// UplinkResult is one other default route and what answered through it.
type UplinkResult struct {
	Route Route
	// Probe is the family's first external target, probed bound to
	// Route's interface.
	Probe TargetResult
}

// Used reports whether the machine uses this family at all: a default
// route, or external targets of this family to reach.
func (f *FamilyState) Used() bool { return f.Default != nil || len(f.External) > 0 }

// TargetResult is everything learnt about one target host.
type TargetResult struct {
	Addr netip.Addr
	Role string // "gateway" or "external"
	// Route is the kernel's route to Addr; RouteErr its errno when the
	// lookup failed (no route, reject route).
	Route    Route
	RouteErr error
	ICMP     ProbeResult
	TCP      ProbeResult
}

// Reachable reports whether any kind of probe got an answer from the host.
func (t *TargetResult) Reachable() bool {
	return t != nil && (t.ICMP.Answered || t.TCP.Answered)
}

// DNSResult is the system resolver's answer for the test name, plus each
// configured server asked directly so the report can say which one failed.
type DNSResult struct {
	Ran   bool
	Name  string
	Addrs []netip.Addr
	Err   error
	// NotFound is NXDOMAIN/NODATA: the resolver works, the name does not
	// exist. It is not an outage.
	NotFound bool
	Duration time.Duration
	// Sent: the system resolver sent a query to a name server during the
	// lookup. No means Go's own resolver was in use and never got that
	// far (it spent the time on local files, such as a hosts file of
	// several MB); Unknown means the OS's resolver does the sending and
	// cannot be watched.
	Sent    Tri
	Servers []DNSServerResult
	// Resolver is the resolver configuration, read once per run, in the
	// order the resolver uses its servers.
	Resolver ResolverConfig
}

// DNSServerResult is one configured name server asked directly.
type DNSServerResult struct {
	Server   netip.AddrPort
	Answered bool   // any DNS response, NXDOMAIN included
	Rcode    string // "NOERROR", "NXDOMAIN", "SERVFAIL", ...
	RTT      time.Duration
	Err      error
	// Upstream: not in the resolver's own list but behind its local stub
	// (systemd-resolved's upstreams when resolv.conf names 127.0.0.53).
	Upstream bool
	// Route is the kernel's route to a server that did not answer, looked
	// up only then; RouteErr its errno (no route, reject route).
	Route    *Route
	RouteErr error
}

// ResolverConfig is the system resolver's configuration, servers in the
// order the resolver tries them.
type ResolverConfig struct {
	// Source is where it was read: a file path, or the OS API.
	Source  string
	Servers []netip.AddrPort
	// Timeout per query and Attempts per server, as configured or the
	// resolver's defaults (glibc and Go: 5 s and 2); zero when unknown.
	Timeout  time.Duration
	Attempts int
	// Rotate: queries are spread over the servers (options rotate), so no
	// server is "first".
	Rotate bool
	// Upstreams are the servers behind a local stub (systemd-resolved's
	// own list when resolv.conf names 127.0.0.53), from UpstreamSource.
	Upstreams      []netip.AddrPort
	UpstreamSource string
	// Found: the configuration exists and was read (a resolv.conf, the
	// Windows adapters); without it no server listed means "not known".
	Found bool
	// Err: the configuration could not be read.
	Err error
	// Search is the search list (resolv.conf's last search or domain
	// line): a VPN that sets its resolver usually sets its domain too.
	Search []string
	// Scoped are the per-domain resolvers (macOS /etc/resolver/<domain>,
	// Windows NRPT rules), which VPN clients write to send one domain's
	// names to their own servers, in file-name order or in the order the
	// rules were read; ServersFor picks the one a name uses.
	Scoped []ScopedResolver
}

// ScopedResolver is a resolver for one domain and every name under it,
// for one host name alone (Exact), or for every name (Domain ".").
type ScopedResolver struct {
	// Domain is the domain it serves (the file's domain line, else the
	// file's name; the NRPT rule's namespace), lower case, without a
	// leading or trailing dot; "." for every name.
	Domain string
	// Source is where it was read, as a person finds it: the file
	// (/etc/resolver/corp.example) or the rule (NRPT rule {GUID} (local)).
	Source  string
	Servers []netip.AddrPort
	// Timeout per query, zero when the file sets none.
	Timeout time.Duration
	// Order is the file's search_order: of two resolvers for the same
	// domain the lower is used; zero when the file sets none.
	Order int
	// Exact: it serves Domain itself and no name under it (an NRPT rule
	// for one host).
	Exact bool
	// Exempt: a rule without servers of its own (an NRPT exemption, or a
	// DirectAccess or DNSSEC-only rule): the names it covers go to the
	// default servers even under a less specific resolver's domain.
	Exempt bool
	// Rule is the NRPT rule's name (its registry key, a GUID), and Policy
	// whether Group Policy set it; empty and false for a file.
	Rule   string
	Policy bool
}

// covers reports whether s serves name, and how specifically: the
// length of the domain it matched, -1 for the resolver of every name.
func (s *ScopedResolver) covers(name string) (bool, int) {
	switch {
	case s.Domain == "":
		return false, 0
	case s.Domain == ".":
		return true, -1
	case name == s.Domain:
		return true, len(s.Domain)
	case !s.Exact && strings.HasSuffix(name, "."+s.Domain):
		return true, len(s.Domain)
	}
	return false, 0
}

// ScopeFor returns the per-domain resolver the system resolver uses for
// name: the most specific one that covers it (the longest domain at a
// label boundary, a host's own rule before its domain's, any domain
// before the resolver of every name), then one with servers before an
// exemption, the lower search_order, the earlier read. nil when none
// covers it, or when the one that does is an exemption.
func (c *ResolverConfig) ScopeFor(name string) *ScopedResolver {
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	var best *ScopedResolver
	bestLen := 0
	for i := range c.Scoped {
		s := &c.Scoped[i]
		if len(s.Servers) == 0 && !s.Exempt {
			continue
		}
		ok, n := s.covers(name)
		if !ok {
			continue
		}
		if best == nil || n > bestLen || (n == bestLen && scopeBefore(s, best)) {
			best, bestLen = s, n
		}
	}
	if best == nil || best.Exempt {
		return nil
	}
	return best
}

// scopeBefore orders two resolvers that cover a name equally long.
func scopeBefore(s, t *ScopedResolver) bool {
	switch {
	case s.Exact != t.Exact:
		return s.Exact
	case s.Exempt != t.Exempt:
		return !s.Exempt
	}
	return s.Order < t.Order
}

// ServersFor lists the servers the DNS probe asks directly for name, in
// the resolver's order: a per-domain resolver's when one covers name,
// else the default servers and the upstreams behind a local stub.
func (c *ResolverConfig) ServersFor(name string) (servers, upstreams []netip.AddrPort) {
	if s := c.ScopeFor(name); s != nil {
		return s.Servers, nil
	}
	return c.Servers, c.Upstreams
}

// DefaultResolverTimeout and DefaultResolverAttempts are glibc's (resolv.h
// RES_TIMEOUT, RES_DFLRETRY), which Go's own resolver copies.
const (
	DefaultResolverTimeout  = 5 * time.Second
	DefaultResolverAttempts = 2
)

// ResolvedStub is systemd-resolved's local stub listener.
var ResolvedStub = netip.MustParseAddr("127.0.0.53")

// FamilyOf is the address family of a, 4 or 6.
func FamilyOf(a netip.Addr) int {
	if a.Is4() {
		return 4
	}
	return 6
}

// DefaultTCPPorts are tried when a target has no port: HTTPS, DNS, HTTP.
// A refusal on any of them proves the host answered.
var DefaultTCPPorts = []uint16{443, 53, 80}
