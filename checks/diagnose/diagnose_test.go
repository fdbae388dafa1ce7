package diagnose

import (
	"context"
	"net"
	"net/netip"
	"os"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/netguard/netguard/checks/netstate"
)

var (
	gw    = netip.MustParseAddr("198.18.3.1")
	ext1  = netip.MustParseAddr("203.0.113.5")
	ext2  = netip.MustParseAddr("203.0.113.6")
	gwMAC = net.HardwareAddr{0x02, 0xaa, 0, 0, 0, 1}
)

func answered(kind netstate.ProbeKind, a netip.Addr) netstate.ProbeResult {
	return netstate.ProbeResult{Kind: kind, Target: netip.AddrPortFrom(a, 0), Ran: true, Answered: true, RTT: time.Millisecond}
}

func silent(kind netstate.ProbeKind, a netip.Addr) netstate.ProbeResult {
	return netstate.ProbeResult{Kind: kind, Target: netip.AddrPortFrom(a, 0), Ran: true, Err: netstate.ErrNoReply}
}

func failed(kind netstate.ProbeKind, a netip.Addr, err error) netstate.ProbeResult {
	return netstate.ProbeResult{Kind: kind, Target: netip.AddrPortFrom(a, 0), Ran: true, Err: err}
}

// healthyState is the lab's client: one interface, a default route via
// the gateway, both answering, DNS resolving.
func healthyState(goos string) *netstate.State {
	ifName := map[string]string{"linux": "eth0", "darwin": "en0", "windows": "Wi-Fi"}[goos]
	def := netstate.Route{Dst: netip.MustParsePrefix("0.0.0.0/0"), Gateway: gw, IfIndex: 2, IfName: ifName, Table: 254}
	return &netstate.State{
		OS: goos,
		// What the engine sets on each OS: Diagnose reads the data, not
		// the OS name.
		LocalNetworkPrivacy: goos == "darwin",
		NameServersListed:   goos != "windows",
		Links: []netstate.Link{
			{Index: 1, Name: "lo", AdminUp: true, Carrier: true, Loopback: true, Addrs: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/8")}},
			{Index: 2, Name: ifName, AdminUp: true, Carrier: true, Addrs: []netip.Prefix{netip.MustParsePrefix("198.18.3.2/24")}},
		},
		Routes:    []netstate.Route{def, {Dst: netip.MustParsePrefix("198.18.3.0/24"), IfIndex: 2, IfName: ifName, Table: 254}},
		Neighbors: []netstate.Neighbor{{IfIndex: 2, IfName: ifName, IP: gw, MAC: gwMAC, State: netstate.NeighStale}},
		Sockets:   netstate.SocketStats{EphemeralLow: 32768, EphemeralHigh: 60999, TCPEphemeralInUse: 10, UDPEphemeralInUse: 2, OpenFilesLimit: 65536, SystemFiles: 1000, SystemFilesMax: 100000},
		V4: netstate.FamilyState{
			Family: 4, Default: &def, Gateway: gw,
			GatewayProbe: &netstate.TargetResult{Addr: gw, Role: "gateway", Route: def, ICMP: answered(netstate.ProbeICMP, gw), TCP: answered(netstate.ProbeTCP, gw)},
			External:     []netstate.TargetResult{{Addr: ext1, Role: "external", Route: def, ICMP: answered(netstate.ProbeICMP, ext1), TCP: answered(netstate.ProbeTCP, ext1)}},
		},
		V6:  netstate.FamilyState{Family: 6},
		DNS: netstate.DNSResult{Ran: true, Name: "www.lab.test", Addrs: []netip.Addr{netip.MustParseAddr("203.0.113.80")}, Servers: []netstate.DNSServerResult{{Server: netip.MustParseAddrPort("203.0.113.5:53"), Answered: true, Rcode: "NOERROR"}}},
	}
}

func allSilent(s *netstate.State) {
	g := s.V4.GatewayProbe
	g.ICMP, g.TCP = silent(netstate.ProbeICMP, gw), silent(netstate.ProbeTCP, gw)
	for i := range s.V4.External {
		t := &s.V4.External[i]
		t.ICMP, t.TCP = silent(netstate.ProbeICMP, t.Addr), silent(netstate.ProbeTCP, t.Addr)
	}
	s.DNS = netstate.DNSResult{Ran: true, Name: "www.lab.test", Err: context.DeadlineExceeded, Servers: []netstate.DNSServerResult{{Server: netip.MustParseAddrPort("203.0.113.5:53"), Err: context.DeadlineExceeded}}}
}

func noDefault(s *netstate.State) {
	s.Routes = s.Routes[1:]
	s.V4.Default, s.V4.Gateway, s.V4.GatewayProbe = nil, netip.Addr{}, nil
	for i := range s.V4.External {
		s.V4.External[i] = netstate.TargetResult{Addr: s.V4.External[i].Addr, Role: "external", RouteErr: syscall.ENETUNREACH}
	}
	s.DNS = netstate.DNSResult{Ran: true, Name: "www.lab.test", Err: syscall.ENETUNREACH, Servers: []netstate.DNSServerResult{{Server: netip.MustParseAddrPort("203.0.113.5:53"), Err: syscall.ENETUNREACH}}}
}

// diagCase is one case of TestDiagnose: a change to the healthy state and what it must give.
type diagCase struct {
	name    string
	oses    []string
	mutate  func(s *netstate.State)
	want    []string // finding IDs, in report order
	verdict Verdict
	manual  string // a manual step must contain this (on the first OS)
}

// healthyCases are the cases of TestDiagnose that stay healthy.
var healthyCases = []diagCase{
	{name: "healthy", mutate: func(*netstate.State) {}, verdict: Healthy},
	{name: "stale entry is normal", mutate: func(s *netstate.State) { s.Neighbors[0].State = netstate.NeighStale }, verdict: Healthy},
	{name: "resolver timed out before sending (a hosts file of several MB): nothing lost", mutate: func(s *netstate.State) {
		s.DNS.Err, s.DNS.Addrs, s.DNS.Sent = context.DeadlineExceeded, nil, netstate.TriNo
	}, want: nil, verdict: Healthy},
	{name: "an IPv6 name server on an IPv4-only machine is not a failing server", mutate: func(s *netstate.State) {
		s.DNS.Servers = append(s.DNS.Servers, netstate.DNSServerResult{Server: netip.MustParseAddrPort("[2001:db8::53]:53"), Err: syscall.ENETUNREACH})
	}, verdict: Healthy},
	{name: "bounded count proves ports are fine", mutate: func(s *netstate.State) {
		s.Sockets.TCPEphemeralInUse, s.Sockets.UDPEphemeralInUse = -1, -1
		s.Sockets.TCPEphemeralBound, s.Sockets.UDPEphemeralBound = 100, 3
	}, verdict: Healthy},
	{name: "unreadable neighbor table is unknown, not a failure", mutate: func(s *netstate.State) {
		s.Neighbors, s.NeighborsErr = nil, syscall.EPERM
	}, verdict: Healthy},
}

func TestDiagnose(t *testing.T) {
	tests := slices.Concat(healthyCases, linkCases, addressCases, routeCases, tunnelCases, neighborCases, gatewayCases, internetCases, dnsCases, resourcesCases)
	for _, tt := range tests {
		oses := tt.oses
		if oses == nil {
			oses = []string{"linux"}
		}
		for _, goos := range oses {
			t.Run(tt.name+"/"+goos, func(t *testing.T) {
				s := healthyState(goos)
				tt.mutate(s)
				d, r := diagnoseWant(t, s, goos, tt.want, tt.verdict)
				if r.Verdict == Unhealthy && len(r.ManualSteps) == 0 {
					t.Fatal("unhealthy without manual steps")
				}
				if tt.manual != "" && goos == oses[0] && !slices.ContainsFunc(r.ManualSteps, func(s string) bool { return strings.Contains(s, tt.manual) }) {
					t.Fatalf("manual steps %q lack %q", r.ManualSteps, tt.manual)
				}
				checkRenderedSteps(t, d.Findings)
				if len(d.Checks) != len(Checks) {
					t.Fatalf("got %d checks, want %d", len(d.Checks), len(Checks))
				}
				checkFindingInvariants(t, s, d)
			})
		}
	}
}

// summaryPlaceholder is a template's placeholder left in a summary; a
// value's own braces (an NRPT rule's GUID, {5abe529b-...}) are not one.
var summaryPlaceholder = regexp.MustCompile(`\{[a-z0-9_]+\}`)

// checkFindingInvariants holds for every finding of every case on every
// OS: the summary is the catalog text with every placeholder filled from
// the finding's own args (which name this OS's interface where they name
// one), a problem has evidence, and the check it belongs to is not "pass"
// while it reports a warning or an error.
func checkFindingInvariants(t *testing.T, s *netstate.State, d Diagnosis) {
	t.Helper()
	ifaces := map[string]bool{}
	for _, l := range s.Links {
		ifaces[l.Name] = true
	}
	status := map[string]Status{}
	for _, c := range d.Checks {
		status[c.ID] = c.Status
	}
	for _, f := range d.Findings {
		def, ok := Lookup(f.ID)
		if !ok {
			t.Errorf("%s: not in the catalog", f.ID)
			continue
		}
		if summaryPlaceholder.MatchString(f.Summary) {
			t.Errorf("%s: placeholder left in summary %q (args %v)", f.ID, f.Summary, f.Args)
		}
		for _, m := range regexp.MustCompile(`\{(\w+)\}`).FindAllStringSubmatch(def.Text, -1) {
			if _, ok := f.Args[Arg(m[1])]; !ok {
				t.Errorf("%s: text needs {%s}, args %v", f.ID, m[1], f.Args)
			}
		}
		if ifc := f.Args[ArgIface]; ifc != "" && !ifaces[ifc] {
			t.Errorf("%s: names interface %q, which this state does not have", f.ID, ifc)
		}
		if f.Severity != SevInfo && len(f.Evidence) == 0 {
			t.Errorf("%s (%s): no evidence", f.ID, f.Severity)
		}
		if f.Severity != SevInfo && status[CheckOf(def).ID] == StatusPass {
			t.Errorf("%s (%s): its check %q says pass", f.ID, f.Severity, CheckOf(def).ID)
		}
	}
}

// outcome is what a report takes from a diagnosis.
type outcome struct {
	Verdict     Verdict
	Summary     string
	ManualSteps []string
}

// diagnoseWant diagnoses s and checks the findings (IDs in report order)
// and the verdict, the two things every diagnosis table asserts first.
func diagnoseWant(t *testing.T, s *netstate.State, goos string, want []string, verdict Verdict) (Diagnosis, *outcome) {
	t.Helper()
	d := Diagnose(s)
	logSummaries(t, d)
	var got []string
	for _, f := range d.Findings {
		got = append(got, f.ID)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("findings = %v, want %v\n%s", got, want, dump(d))
	}
	r := &outcome{d.Verdict(), d.Summary(), d.ManualSteps(goos)}
	if r.Verdict != verdict {
		t.Fatalf("verdict = %s, want %s\n%s", r.Verdict, verdict, dump(d))
	}
	return d, r
}

func dump(d Diagnosis) string {
	var b strings.Builder
	for _, c := range d.Checks {
		b.WriteString(c.ID + " " + string(c.Status) + " " + c.Detail + "\n")
	}
	for _, f := range d.Findings {
		b.WriteString(f.ID + " " + string(f.Severity) + ": " + f.Summary + "\n")
	}
	return b.String()
}

func TestCatalogComplete(t *testing.T) {
	for _, d := range Catalog() {
		if d.Title == "" || d.Text == "" || CheckOf(d) == nil {
			t.Errorf("%s: missing title, text or check", d.ID)
		}
		if d.Severity != SevInfo && len(d.Manual.Linux) == 0 {
			t.Errorf("%s: no manual steps", d.ID)
		}
		for _, dep := range d.DependsOn {
			if _, ok := Lookup(dep.ID); !ok {
				t.Errorf("%s depends on %s, which no check lists", d.ID, dep.ID)
			}
		}
		for _, goos := range []string{"linux", "darwin", "windows"} {
			for _, m := range d.Manual.For(goos) {
				if strings.Contains(m, "route -n flush") && !strings.Contains(m, "never") {
					t.Errorf("%s: manual step suggests route -n flush", d.ID)
				}
			}
		}
	}
}

func TestChainSkipsAfterRootCause(t *testing.T) {
	s := healthyState("linux")
	allSilent(s)
	s.Neighbors[0].Permanent, s.Neighbors[0].State = true, netstate.NeighPermanent
	d := Diagnose(s)
	want := map[string]Status{"link": StatusPass, "route": StatusPass, "neighbor": StatusFail, "gateway": StatusSkip, "internet": StatusSkip, "dns": StatusSkip, "resources": StatusPass}
	for _, c := range d.Checks {
		if _, ok := want[c.ID]; !ok {
			continue // the local checks, not collected from this state
		}
		if c.Status != want[c.ID] {
			t.Errorf("%s = %s, want %s (%s)", c.ID, c.Status, want[c.ID], c.Detail)
		}
		if c.Status == StatusSkip && !strings.Contains(c.Detail, "because neighbor failed") {
			t.Errorf("%s: skip without its reason: %q", c.ID, c.Detail)
		}
	}
}

// The README documents the JSON contract: every finding ID must be listed.
func TestReadmeListsCatalog(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range Catalog() {
		if !strings.Contains(string(b), "`"+d.ID+"`") {
			t.Errorf("README does not list finding %s", d.ID)
		}
	}
}

// pathCase is a diagnosis test that checks more than the IDs: each
// finding's summary and args, and the checks' statuses and details.
type pathCase struct {
	name    string
	mutate  func(s *netstate.State)
	want    []string // finding IDs (error and warning ones, plus info ones listed here), in report order
	verdict Verdict
	// summaries: finding ID -> substrings its summary must hold.
	summaries map[string][]string
	args      map[string]Args
	// checks: check ID -> status, and a substring of its detail.
	checks map[string]Status
	detail map[string]string
	// manual: (goos, substring) a manual step of the first finding must hold.
	manual map[string]string
}

func runPathCase(t *testing.T, tt pathCase) {
	t.Helper()
	s := healthyState("linux")
	tt.mutate(s)
	d, _ := diagnoseWant(t, s, "linux", tt.want, tt.verdict)
	checkRenderedSteps(t, d.Findings)
	checkFindingInvariants(t, s, d)
	for _, f := range d.Findings {
		for _, sub := range tt.summaries[f.ID] {
			if !strings.Contains(f.Summary, sub) {
				t.Errorf("%s summary %q lacks %q", f.ID, f.Summary, sub)
			}
		}
		for k, v := range tt.args[f.ID] {
			if f.Args[k] != v {
				t.Errorf("%s arg %s = %q, want %q", f.ID, k, f.Args[k], v)
			}
		}
		if strings.Contains(f.Summary, "{") {
			t.Errorf("%s summary has an unfilled placeholder: %q", f.ID, f.Summary)
		}
	}
	for id := range tt.summaries {
		if !slices.Contains(tt.want, id) {
			t.Errorf("expected summary checks for absent finding %s", id)
		}
	}
	for _, c := range d.Checks {
		if st, ok := tt.checks[c.ID]; ok && c.Status != st {
			t.Errorf("check %s = %s, want %s (%s)", c.ID, c.Status, st, c.Detail)
		}
		if sub, ok := tt.detail[c.ID]; ok && !strings.Contains(c.Detail, sub) {
			t.Errorf("check %s detail %q lacks %q", c.ID, c.Detail, sub)
		}
	}
	if len(d.Findings) > 0 {
		for goos, sub := range tt.manual {
			steps := d.Findings[0].ManualSteps(goos)
			if !slices.ContainsFunc(steps, func(s string) bool { return strings.Contains(s, sub) }) {
				t.Errorf("%s manual steps on %s %q lack %q", d.Findings[0].ID, goos, steps, sub)
			}
			for _, st := range steps {
				if strings.Contains(st, "{") || strings.Contains(st, "<iface>") {
					t.Errorf("%s manual step on %s has an unfilled placeholder: %q", d.Findings[0].ID, goos, st)
				}
			}
		}
	}
}

var (
	br0      = netstate.Link{Index: 5, Name: "br-5f3a", Kind: netstate.LinkBridge, AdminUp: true, Carrier: true, MTU: 1500, Addrs: []netip.Prefix{netip.MustParsePrefix("198.18.3.14/28")}}
	wg0      = netstate.Link{Index: 9, Name: "wg0", Kind: netstate.LinkTunnel, Tunnel: true, AdminUp: true, Carrier: true, MTU: 1420, Addrs: []netip.Prefix{netip.MustParsePrefix("100.64.0.2/32")}}
	nsServer = netip.MustParseAddrPort("203.0.113.5:53")
)

// onLink returns the route of s's table through link l covering p.
func routeVia(s *netstate.State, p string, l netstate.Link) netstate.Route {
	r := netstate.Route{Dst: netip.MustParsePrefix(p), IfIndex: l.Index, IfName: l.Name, Table: 254}
	s.Routes = append(s.Routes, r)
	return r
}

// dualStack adds a working IPv6 default route, gateway and target.
func dualStack(s *netstate.State) {
	gw6, ext6 := netip.MustParseAddr("2001:db8:3::1"), netip.MustParseAddr("2001:db8:113::5")
	def6 := netstate.Route{Dst: netip.MustParsePrefix("::/0"), Gateway: gw6, IfIndex: 2, IfName: "eth0", Metric: 1024, Table: 254}
	s.Routes = append(s.Routes, def6)
	s.Links[1].Addrs = append(s.Links[1].Addrs, netip.MustParsePrefix("2001:db8:3::2/64"))
	s.V6 = netstate.FamilyState{Family: 6, Default: &def6, Gateway: gw6,
		GatewayProbe: &netstate.TargetResult{Addr: gw6, Role: "gateway", Route: def6, ICMP: answered(netstate.ProbeICMP, gw6), TCP: answered(netstate.ProbeTCP, gw6)},
		External:     []netstate.TargetResult{{Addr: ext6, Role: "external", Route: def6, ICMP: answered(netstate.ProbeICMP, ext6), TCP: answered(netstate.ProbeTCP, ext6)}},
	}
	s.Neighbors = append(s.Neighbors, netstate.Neighbor{IfIndex: 2, IfName: "eth0", IP: gw6, MAC: gwMAC, State: netstate.NeighStale, Router: true})
}

func notRun(t *netstate.TargetResult) {
	t.ICMP, t.TCP = netstate.ProbeResult{Kind: netstate.ProbeICMP}, netstate.ProbeResult{Kind: netstate.ProbeTCP}
}

func TestDiagnosePaths(t *testing.T) {
	for _, tt := range []pathCase{
		{
			name: "a container bridge takes the gateway's subnet",
			mutate: func(s *netstate.State) {
				s.Links = append(s.Links, br0)
				r := routeVia(s, "198.18.3.0/28", br0)
				g := s.V4.GatewayProbe
				g.Route = netstate.Route{Dst: netip.PrefixFrom(gw, 32), IfIndex: r.IfIndex, Table: 254}
				notRun(g)
			},
			want: []string{"gateway-route-diverted"}, verdict: Degraded,
			summaries: map[string][]string{"gateway-route-diverted": {"198.18.3.1", "bridge br-5f3a", "route 198.18.3.0/28", "not eth0"}},
			args:      map[string]Args{"gateway-route-diverted": {ArgIface: "br-5f3a", ArgPrefix: "198.18.3.0/28", ArgDefault: "eth0", ArgGateway: "198.18.3.1"}},
			checks:    map[string]Status{"route": StatusWarn, "gateway": StatusSkip, "neighbor": StatusPass, "internet": StatusPass},
			detail:    map[string]string{"gateway": "routes it into bridge br-5f3a"},
			manual:    map[string]string{"linux": "ip route get 198.18.3.1", "darwin": "route -n get 198.18.3.1", "windows": "Find-NetRoute -RemoteIPAddress 198.18.3.1"},
		},
		{
			name: "a bridge takes the external target and the name server: decided from the tables",
			mutate: func(s *netstate.State) {
				s.Links = append(s.Links, br0)
				r := routeVia(s, "203.0.113.0/24", br0)
				t := &s.V4.External[0]
				t.Route = netstate.Route{Dst: netip.PrefixFrom(ext1, 32), IfIndex: r.IfIndex, Table: 254}
				notRun(t)
				s.NameServerRoutes = []netstate.AddrRoute{{Addr: nsServer.Addr(), Route: t.Route}}
				s.DNS = netstate.DNSResult{Ran: true, Name: "www.lab.test", Err: context.Canceled, Servers: []netstate.DNSServerResult{{Server: nsServer, Err: context.Canceled}}}
			},
			want: []string{"target-route-diverted", "nameserver-route-diverted"}, verdict: Unhealthy,
			summaries: map[string][]string{
				"target-route-diverted":     {"203.0.113.5", "bridge br-5f3a", "route 203.0.113.0/24", "through eth0"},
				"nameserver-route-diverted": {"name server 203.0.113.5", "bridge br-5f3a"},
			},
			args: map[string]Args{
				"target-route-diverted":     {ArgTargets: "203.0.113.5", ArgTarget: "203.0.113.5", ArgIface: "br-5f3a", ArgPrefix: "203.0.113.0/24"},
				"nameserver-route-diverted": {ArgServer: "203.0.113.5", ArgIface: "br-5f3a"},
			},
			checks: map[string]Status{"route": StatusFail, "gateway": StatusPass, "internet": StatusSkip, "dns": StatusSkip},
			detail: map[string]string{"internet": "203.0.113.5: route 203.0.113.0/24 into bridge br-5f3a"},
			manual: map[string]string{"linux": "ip route get 203.0.113.5", "windows": "Remove-NetRoute -DestinationPrefix 203.0.113.0/24 -InterfaceAlias br-5f3a"},
		},
		{
			name: "a route into a tunnel without carrier takes one of two targets",
			mutate: func(s *netstate.State) {
				l := wg0
				l.Carrier = false
				s.Links = append(s.Links, l)
				r := routeVia(s, "203.0.113.6/32", l)
				s.V4.External = append(s.V4.External, netstate.TargetResult{Addr: ext2, Role: "external", Route: r})
			},
			want: []string{"target-route-diverted"}, verdict: Degraded,
			summaries: map[string][]string{"target-route-diverted": {"203.0.113.6", "tunnel wg0 (no carrier)"}},
			checks:    map[string]Status{"route": StatusWarn, "internet": StatusPass},
			detail:    map[string]string{"internet": "203.0.113.6: route 203.0.113.6/32 into tunnel wg0 (no carrier)"},
		},
		{
			name: "a stale static route sends the target to another next hop on the LAN",
			mutate: func(s *netstate.State) {
				hop := netip.MustParseAddr("198.18.3.99")
				r := netstate.Route{Dst: netip.MustParsePrefix("203.0.113.0/24"), Gateway: hop, IfIndex: 2, IfName: "eth0", Table: 254}
				s.Routes = append(s.Routes, r)
				t := &s.V4.External[0]
				t.Route = r
				t.ICMP, t.TCP = silent(netstate.ProbeICMP, ext1), silent(netstate.ProbeTCP, ext1)
			},
			want: []string{"target-route-diverted"}, verdict: Unhealthy,
			summaries: map[string][]string{"target-route-diverted": {"203.0.113.5", "eth0 via 198.18.3.99", "route 203.0.113.0/24"}},
			args:      map[string]Args{"target-route-diverted": {ArgTargets: "203.0.113.5", ArgIface: "eth0", ArgPrefix: "203.0.113.0/24"}},
			checks:    map[string]Status{"route": StatusFail},
			manual:    map[string]string{"linux": "ip route get 203.0.113.5", "darwin": "route -n get 203.0.113.5", "windows": "Find-NetRoute -RemoteIPAddress 203.0.113.5"},
		},
		{
			name: "a more specific route through the default route's own gateway is no detour",
			mutate: func(s *netstate.State) {
				r := netstate.Route{Dst: netip.MustParsePrefix("203.0.113.0/24"), Gateway: gw, IfIndex: 2, IfName: "eth0", Table: 254}
				s.Routes = append(s.Routes, r)
				s.V4.External[0].Route = r
			},
			verdict: Healthy,
			checks:  map[string]Status{"route": StatusPass, "internet": StatusPass},
		},
		{
			name: "a split tunnel that answers is a choice, not a fault",
			mutate: func(s *netstate.State) {
				s.Links = append(s.Links, wg0)
				r := routeVia(s, "203.0.113.6/32", wg0)
				s.V4.External = append(s.V4.External, netstate.TargetResult{Addr: ext2, Role: "external", Route: r, ICMP: answered(netstate.ProbeICMP, ext2), TCP: answered(netstate.ProbeTCP, ext2)})
			},
			verdict: Healthy,
			checks:  map[string]Status{"route": StatusPass, "internet": StatusPass},
		},
		{
			name: "a name server in a container network that answers is fine",
			mutate: func(s *netstate.State) {
				s.Links = append(s.Links, br0)
				r := routeVia(s, "172.17.0.0/16", br0)
				s.NameServerRoutes = []netstate.AddrRoute{{Addr: netip.MustParseAddr("172.17.0.2"), Route: r}}
				s.DNS.Servers = []netstate.DNSServerResult{{Server: netip.MustParseAddrPort("172.17.0.2:53"), Answered: true, Rcode: "NOERROR"}}
			},
			verdict: Healthy,
			checks:  map[string]Status{"route": StatusPass, "dns": StatusPass},
		},
		{
			name: "a local stub resolver on loopback is never diverted",
			mutate: func(s *netstate.State) {
				s.NameServerRoutes = []netstate.AddrRoute{{Addr: netip.MustParseAddr("127.0.0.53"), Route: netstate.Route{Dst: netip.MustParsePrefix("127.0.0.53/32"), IfIndex: 1}}}
			},
			verdict: Healthy,
			checks:  map[string]Status{"route": StatusPass, "dns": StatusPass},
		},
		{
			name: "every name server behind a blackhole route: decided from the tables",
			mutate: func(s *netstate.State) {
				s.Routes = append(s.Routes, netstate.Route{Dst: netip.MustParsePrefix("192.0.2.53/32"), Type: netstate.RouteBlackhole, Table: 254})
				s.NameServerRoutes = []netstate.AddrRoute{{Addr: netip.MustParseAddr("192.0.2.53"), RouteErr: syscall.EINVAL}}
				s.DNS = netstate.DNSResult{Ran: true, Name: "www.lab.test", Err: context.Canceled, Servers: []netstate.DNSServerResult{{Server: netip.MustParseAddrPort("192.0.2.53:53"), Err: context.Canceled}}}
			},
			want: []string{"dns-failed"}, verdict: Unhealthy,
			summaries: map[string][]string{"dns-failed": {"no name server is reachable"}},
			checks:    map[string]Status{"dns": StatusFail},
			detail:    map[string]string{"dns": "192.0.2.53: blackhole route 192.0.2.53/32"},
		},
		{
			name: "two default routes, the preferred one leads nowhere, the other works",
			mutate: func(s *netstate.State) {
				allSilent(s)
				s.V4.Default.Metric, s.Routes[0].Metric = 100, 100
				eth1 := netstate.Link{Index: 3, Name: "wlan0", Kind: netstate.LinkPhysical, AdminUp: true, Carrier: true, Addrs: []netip.Prefix{netip.MustParsePrefix("198.18.4.2/24")}}
				s.Links = append(s.Links, eth1)
				alt := netstate.Route{Dst: netip.MustParsePrefix("0.0.0.0/0"), Gateway: netip.MustParseAddr("198.18.4.1"), IfIndex: 3, IfName: "wlan0", Metric: 600, Table: 254}
				s.Routes = append(s.Routes, alt)
				s.V4.Uplinks = []netstate.UplinkResult{{Route: alt, Probe: netstate.TargetResult{Addr: ext1, Role: "uplink", Route: alt, ICMP: answered(netstate.ProbeICMP, ext1), TCP: answered(netstate.ProbeTCP, ext1)}}}
			},
			want: []string{"default-route-dead", "gateway-neighbor-wrong"}, verdict: Unhealthy,
			summaries: map[string][]string{"default-route-dead": {"IPv4", "through eth0 (gateway 198.18.3.1, metric 100)", "wlan0 (gateway 198.18.4.1, metric 600)", "reaches 203.0.113.5"}},
			args:      map[string]Args{"default-route-dead": {ArgIface: "eth0", ArgAltIface: "wlan0", ArgAltGateway: "198.18.4.1", ArgMetric: "100", ArgAltMetric: "600"}},
			checks:    map[string]Status{"route": StatusFail, "neighbor": StatusSkip, "gateway": StatusSkip, "internet": StatusSkip},
			manual:    map[string]string{"linux": "nmcli device modify wlan0 ipv4.route-metric", "darwin": "Set Service Order", "windows": "Set-NetIPInterface -InterfaceAlias wlan0 -InterfaceMetric 5"},
		},
		{
			name: "two default routes, neither works: no uplink is named",
			mutate: func(s *netstate.State) {
				allSilent(s)
				alt := netstate.Route{Dst: netip.MustParsePrefix("0.0.0.0/0"), Gateway: netip.MustParseAddr("198.18.4.1"), IfIndex: 3, IfName: "wlan0", Metric: 600, Table: 254}
				s.Links = append(s.Links, netstate.Link{Index: 3, Name: "wlan0", Kind: netstate.LinkPhysical, AdminUp: true, Carrier: true})
				s.Routes = append(s.Routes, alt)
				s.V4.Uplinks = []netstate.UplinkResult{{Route: alt, Probe: netstate.TargetResult{Addr: ext1, Role: "uplink", Route: alt, ICMP: silent(netstate.ProbeICMP, ext1), TCP: silent(netstate.ProbeTCP, ext1)}}}
			},
			want: []string{"gateway-neighbor-wrong"}, verdict: Unhealthy,
		},
		{
			name: "IPv6 black-holed while IPv4 works",
			mutate: func(s *netstate.State) {
				dualStack(s)
				t := &s.V6.External[0]
				t.ICMP, t.TCP = silent(netstate.ProbeICMP, t.Addr), silent(netstate.ProbeTCP, t.Addr)
			},
			want: []string{"family-unreachable"}, verdict: Degraded,
			summaries: map[string][]string{"family-unreachable": {"IPv6 has a default route through eth0", "2001:db8:113::5", "while IPv4 works", "falling back to IPv4"}},
			args:      map[string]Args{"family-unreachable": {ArgFamily: "IPv6", ArgOther: "IPv4", ArgIface: "eth0", ArgTarget: "2001:db8:113::5"}},
			checks:    map[string]Status{"internet": StatusWarn, "gateway": StatusPass},
			manual:    map[string]string{"linux": "sysctl -w net.ipv6.conf.eth0.disable_ipv6=1", "darwin": "Configure IPv6: Link-local only", "windows": "Disable-NetAdapterBinding -Name eth0 -ComponentID ms_tcpip6"},
		},
		{
			name: "IPv6 black-holed at its gateway: not a router that ignores probes",
			mutate: func(s *netstate.State) {
				dualStack(s)
				t := &s.V6.External[0]
				t.ICMP, t.TCP = silent(netstate.ProbeICMP, t.Addr), silent(netstate.ProbeTCP, t.Addr)
				g := s.V6.GatewayProbe
				g.ICMP, g.TCP = silent(netstate.ProbeICMP, g.Addr), silent(netstate.ProbeTCP, g.Addr)
			},
			want: []string{"family-unreachable"}, verdict: Degraded,
		},
		{
			name: "one silent target of a family that works stays internet-partial",
			mutate: func(s *netstate.State) {
				dualStack(s)
				s.V6.External = append(s.V6.External, netstate.TargetResult{Addr: netip.MustParseAddr("2001:db8:113::6"), Role: "external", Route: *s.V6.Default,
					ICMP: silent(netstate.ProbeICMP, netip.MustParseAddr("2001:db8:113::6")), TCP: silent(netstate.ProbeTCP, netip.MustParseAddr("2001:db8:113::6"))})
			},
			want: []string{"internet-partial"}, verdict: Healthy,
		},
		{
			name: "path-MTU black hole: the large echo is lost, small ones answer",
			mutate: func(s *netstate.State) {
				s.Links[1].MTU = 1500
				s.V4.PMTU = &netstate.PMTUResult{Target: ext1, Size: 1500, Iface: "eth0", Probe: netstate.ProbeResult{Kind: netstate.ProbeICMP, Ran: true, Err: netstate.ErrNoReply, Attempts: 8}}
			},
			want: []string{"path-mtu-blackhole"}, verdict: Degraded,
			summaries: map[string][]string{"path-mtu-blackhole": {"1500-byte packets", "to 203.0.113.5", "MTU of eth0 (now 1500)"}},
			args:      map[string]Args{"path-mtu-blackhole": {ArgSize: "1500", ArgTarget: "203.0.113.5", ArgIface: "eth0", ArgMTU: "1500"}},
			checks:    map[string]Status{"internet": StatusWarn},
			manual:    map[string]string{"linux": "ip link set dev eth0 mtu 1400", "darwin": "ifconfig eth0 mtu 1400", "windows": "netsh interface ipv4 set subinterface eth0 mtu=1400"},
		},
		{
			name: "path-MTU discovery works: EMSGSIZE is not a black hole",
			mutate: func(s *netstate.State) {
				s.V4.PMTU = &netstate.PMTUResult{Target: ext1, Size: 1500, Iface: "eth0", Probe: netstate.ProbeResult{Kind: netstate.ProbeICMP, Ran: true, Err: syscall.EMSGSIZE}}
			},
			verdict: Healthy,
		},
		{
			name: "large echo lost while ping is blocked anyway: nothing to compare",
			mutate: func(s *netstate.State) {
				t := &s.V4.External[0]
				t.ICMP = silent(netstate.ProbeICMP, ext1)
				s.V4.GatewayProbe.ICMP = silent(netstate.ProbeICMP, gw)
				s.V4.PMTU = &netstate.PMTUResult{Target: ext1, Size: 1500, Iface: "eth0", Probe: netstate.ProbeResult{Kind: netstate.ProbeICMP, Ran: true, Err: netstate.ErrNoReply}}
			},
			want: []string{"icmp-blocked"}, verdict: Degraded,
		},
		{
			name: "a container bridge with a larger MTU than the VPN that carries the default route",
			mutate: func(s *netstate.State) {
				s.Links[1].MTU = 1420
				s.Links[1].Name, s.Links[1].Kind = "wg0", netstate.LinkTunnel
				s.Links = append(s.Links, netstate.Link{Index: 4, Name: "docker0", Kind: netstate.LinkBridge, AdminUp: true, MTU: 1500, Addrs: []netip.Prefix{netip.MustParsePrefix("172.17.0.1/16")}})
			},
			want: []string{"link-mtu-exceeds-egress", "default-route-vpn"}, verdict: Degraded,
			summaries: map[string][]string{"link-mtu-exceeds-egress": {"bridge docker0 (no carrier) has MTU 1500", "larger than tunnel wg0 (1420)"}},
			args:      map[string]Args{"link-mtu-exceeds-egress": {ArgIface: "docker0", ArgMTU: "1500", ArgEgressMTU: "1420"}},
			checks:    map[string]Status{"link": StatusWarn},
			manual:    map[string]string{"linux": "\"mtu\": 1420 in /etc/docker/daemon.json", "darwin": "sudo ifconfig docker0 mtu 1420"},
		},
		{
			name: "a bridge with the same MTU as the uplink is fine",
			mutate: func(s *netstate.State) {
				s.Links[1].MTU = 1500
				s.Links = append(s.Links, netstate.Link{Index: 4, Name: "docker0", Kind: netstate.LinkBridge, AdminUp: true, MTU: 1500, Addrs: []netip.Prefix{netip.MustParsePrefix("172.17.0.1/16")}})
			},
			verdict: Healthy,
		},
		{
			name:    "no default route: neighbor and gateway skip with the reason",
			mutate:  noDefault,
			want:    []string{"no-default-route"},
			verdict: Unhealthy,
			checks:  map[string]Status{"route": StatusFail, "neighbor": StatusSkip, "gateway": StatusSkip, "internet": StatusSkip},
			detail:  map[string]string{"neighbor": "no default route", "gateway": "no default route"},
		},
	} {
		t.Run(tt.name, func(t *testing.T) { runPathCase(t, tt) })
	}
}
