package diagnose

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/netguard/netguard/checks/netstate"
)

var (
	deadNS = netip.MustParseAddrPort("203.0.113.9:53")
	goodNS = netip.MustParseAddrPort("203.0.113.5:53")
	stubNS = netip.MustParseAddrPort("127.0.0.53:53")
	proxy1 = netip.MustParseAddr("127.0.0.1")
	proxy2 = netip.MustParseAddr("198.51.100.7")
)

// localHealthy is healthyState with every local check collected and fine.
func localHealthy(goos string) *netstate.State {
	s := healthyState(goos)
	s.Proxy = netstate.ProxyState{Checked: true}
	s.Ports = []netstate.PortResult{{Spec: netstate.PortSpec{Port: 5432}, Free: true}}
	s.Hosts = netstate.HostsState{Checked: true, Path: "/etc/hosts", Localhost: []netstate.HostsEntry{{Line: 1, Addr: netip.MustParseAddr("127.0.0.1"), Text: "127.0.0.1 localhost"}}}
	s.Clock = netstate.ClockState{Checked: true, Synced: netstate.TriYes, Now: time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC), BuildTime: time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)}
	s.DNS.Resolver = netstate.ResolverConfig{Source: "/etc/resolv.conf", Servers: []netip.AddrPort{goodNS}, Timeout: 5 * time.Second, Attempts: 2}
	return s
}

func withProxy(s *netstate.State, name, value string, tcp netstate.ProbeResult) {
	p := netstate.ParseProxy(name, value, strings.TrimSuffix(strings.ToLower(name), "_proxy"))
	if p.Err == nil {
		p.Addr, _ = netip.ParseAddr(p.Host)
		p.TCP = tcp
	}
	s.Proxy.Settings = append(s.Proxy.Settings, p)
}

func tcpAt(a netip.Addr, port uint16, answered, refused bool, err error) netstate.ProbeResult {
	return netstate.ProbeResult{Kind: netstate.ProbeTCP, Target: netip.AddrPortFrom(a, port), Ran: true, Answered: answered, Refused: refused, Err: err, RTT: 300 * time.Microsecond}
}

// directBlocked: the gateway answers, every external target is silent.
func directBlocked(s *netstate.State) {
	for i := range s.V4.External {
		t := &s.V4.External[i]
		t.ICMP, t.TCP = silent(netstate.ProbeICMP, t.Addr), silent(netstate.ProbeTCP, t.Addr)
	}
}

// localCase is one case of TestDiagnoseLocal: a change to the healthy state and what it must give.
type localCase struct {
	name    string
	oses    []string // nil: all three
	mutate  func(s *netstate.State)
	want    []string // the findings, in report order
	verdict Verdict
	// culprit must appear in the summary of the last wanted finding
	// and, when unhealthy or degraded, in the report's summary.
	culprit string
	check   string // a check and the status it must have
	status  Status
	steps   string // in the manual steps, on every OS
	// another finding is the root cause the report's summary names
	notRoot bool
}

// healthyLocalCases are the cases of TestDiagnoseLocal that stay healthy.
var healthyLocalCases = []localCase{
	{name: "healthy with local checks", mutate: func(*netstate.State) {}, want: nil, verdict: Healthy, check: "ports", status: StatusPass},
	{
		name: "port bind error other than in use is unknown, not a failure",
		mutate: func(s *netstate.State) {
			s.Ports = []netstate.PortResult{{Spec: netstate.PortSpec{Port: 80}, Err: syscall.EACCES}}
		},
		want: nil, verdict: Healthy, check: "ports", status: StatusUnknown,
	},
	{
		name: "dead system proxy of a service not in use: ignored", oses: []string{"darwin"},
		mutate: func(s *netstate.State) {
			p := netstate.ParseProxy("macOS SOCKS proxy (USB LAN)", "socks5://192.0.2.9:1080", "all")
			p.Iface, p.Addr, p.TCP = "en5", netip.MustParseAddr("192.0.2.9"), tcpAt(netip.MustParseAddr("192.0.2.9"), 1080, true, true, syscall.ECONNREFUSED)
			s.Proxy.Settings = append(s.Proxy.Settings, p)
		},
		want: nil, verdict: Healthy, check: "proxy", status: StatusPass,
	},
	{
		name: "NO_PROXY=* turns a dead proxy off",
		mutate: func(s *netstate.State) {
			withProxy(s, "HTTPS_PROXY", "http://127.0.0.1:7890", tcpAt(proxy1, 7890, true, true, syscall.ECONNREFUSED))
			s.Proxy.NoProxy = "*"
		},
		want: nil, verdict: Healthy, check: "proxy", status: StatusPass,
	},
	{
		name: "working proxy, direct fine: healthy",
		mutate: func(s *netstate.State) {
			withProxy(s, "HTTPS_PROXY", "http://198.51.100.7:3128", tcpAt(proxy2, 3128, true, false, nil))
		},
		want: nil, verdict: Healthy, check: "proxy", status: StatusPass,
	},
	{
		name: "hosts file without localhost, resolver answers loopback (nss-myhostname)",
		mutate: func(s *netstate.State) {
			s.Hosts.Localhost, s.Hosts.Looked, s.Hosts.Resolved = nil, true, []netip.Addr{netip.MustParseAddr("::1"), netip.MustParseAddr("127.0.0.1")}
		},
		want: nil, verdict: Healthy, check: "hosts", status: StatusPass,
	},
	{
		name: "hosts file without localhost, nss-myhostname answers it for glibc programs", oses: []string{"linux"},
		mutate: func(s *netstate.State) {
			s.Hosts.Localhost, s.Hosts.Looked, s.Hosts.ResolveErr, s.Hosts.NSSModule = nil, true, fmt.Errorf("lookup localhost: %w", syscall.ECONNREFUSED), "myhostname"
		},
		want: nil, verdict: Healthy, check: "hosts", status: StatusPass,
	},
	{
		name: "unreadable hosts file: unknown, not a failure",
		mutate: func(s *netstate.State) {
			s.Hosts = netstate.HostsState{Checked: true, Path: "/etc/hosts", Err: fmt.Errorf("read hosts file: %w", syscall.EACCES)}
		},
		want: nil, verdict: Healthy, check: "hosts", status: StatusUnknown,
	},
	{
		name:   "commit dated a few hours ahead: not behind",
		mutate: func(s *netstate.State) { s.Clock.BuildTime = s.Clock.Now.Add(3 * time.Hour) },
		want:   nil, verdict: Healthy, check: "clock", status: StatusPass,
	},
}

func TestDiagnoseLocal(t *testing.T) {
	tests := slices.Concat(healthyLocalCases, routeLocalCases, internetLocalCases, portalLocalCases, dnsLocalCases, dnsScopedLocalCases, resourcesLocalCases, proxyLocalCases, portsLocalCases, hostsLocalCases, clockLocalCases, firewallLocalCases)
	for _, tt := range tests {
		oses := tt.oses
		if oses == nil {
			oses = []string{"linux", "darwin", "windows"}
		}
		for _, goos := range oses {
			t.Run(tt.name+"/"+goos, func(t *testing.T) {
				s := localHealthy(goos)
				tt.mutate(s)
				d, r := diagnoseWant(t, s, goos, tt.want, tt.verdict)
				if tt.culprit != "" {
					f := d.Findings[len(d.Findings)-1]
					if !strings.Contains(f.Summary, tt.culprit) {
						t.Errorf("finding summary %q does not name %q", f.Summary, tt.culprit)
					}
					if r.Verdict != Healthy && !tt.notRoot && !strings.Contains(r.Summary, tt.culprit) {
						t.Errorf("report summary %q does not name %q", r.Summary, tt.culprit)
					}
				}
				checkRenderedSteps(t, d.Findings)
				checkFindingInvariants(t, s, d)
				if tt.steps != "" && !slices.ContainsFunc(r.ManualSteps, func(m string) bool { return strings.Contains(m, tt.steps) }) {
					t.Errorf("manual steps %q lack %q", r.ManualSteps, tt.steps)
				}
				if tt.check != "" {
					for _, c := range d.Checks {
						if c.ID == tt.check && c.Status != tt.status {
							t.Errorf("check %s = %s, want %s (%s)", c.ID, c.Status, tt.status, c.Detail)
						}
					}
				}
			})
		}
	}
}
