package diagnose

import (
	"context"
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

func TestDiagnoseLocal(t *testing.T) {
	tests := []struct {
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
	}{
		{name: "healthy with local checks", mutate: func(*netstate.State) {}, want: nil, verdict: Healthy, check: "ports", status: StatusPass},
		{
			name: "port taken, owner named",
			mutate: func(s *netstate.State) {
				s.Ports = []netstate.PortResult{{Spec: netstate.PortSpec{Port: 5432}, Addr: netip.IPv4Unspecified(), Err: fmt.Errorf("bind 0.0.0.0:5432: %w", syscall.EADDRINUSE), InUse: true, Owner: netstate.PortOwner{PID: 4242, Name: "postgres"}}}
			},
			want: []string{"port-in-use"}, verdict: Unhealthy, culprit: "postgres (pid 4242)", check: "ports", status: StatusFail,
		},
		{
			name: "port taken, owner unreadable",
			mutate: func(s *netstate.State) {
				s.Ports = []netstate.PortResult{{Spec: netstate.PortSpec{Addr: netip.MustParseAddr("127.0.0.1"), Port: 8080}, Err: syscall.EADDRINUSE, InUse: true, OwnerErr: fmt.Errorf("not readable by this user")}}
			},
			want: []string{"port-in-use"}, verdict: Unhealthy, culprit: "port 8080", check: "ports", status: StatusFail,
		},
		{
			name: "excluded port range (Windows)", oses: []string{"windows"},
			mutate: func(s *netstate.State) {
				s.Ports = []netstate.PortResult{{Spec: netstate.PortSpec{Port: 50051}, Err: syscall.EACCES, Excluded: true}}
			},
			want: []string{"port-excluded"}, verdict: Unhealthy, culprit: "50051", check: "ports", status: StatusFail,
		},
		{
			name: "port bind error other than in use is unknown, not a failure",
			mutate: func(s *netstate.State) {
				s.Ports = []netstate.PortResult{{Spec: netstate.PortSpec{Port: 80}, Err: syscall.EACCES}}
			},
			want: nil, verdict: Healthy, check: "ports", status: StatusUnknown,
		},
		{
			name: "HTTPS_PROXY to a closed port",
			mutate: func(s *netstate.State) {
				withProxy(s, "HTTPS_PROXY", "http://127.0.0.1:7890", tcpAt(proxy1, 7890, true, true, syscall.ECONNREFUSED))
			},
			want: []string{"proxy-dead"}, verdict: Unhealthy, culprit: "HTTPS_PROXY=http://127.0.0.1:7890", check: "proxy", status: StatusFail,
		},
		{
			name: "dead WinHTTP proxy: services' proxy, a warning, never a blocked start",
			oses: []string{"windows"},
			mutate: func(s *netstate.State) {
				p := netstate.ParseProxy(netstate.WinHTTPProxyVar, "127.0.0.1:7890", "all")
				p.Addr, p.TCP = proxy1, tcpAt(proxy1, 7890, true, true, syscall.ECONNREFUSED)
				s.Proxy.Settings = append(s.Proxy.Settings, p)
			},
			want: []string{"proxy-dead"}, verdict: Degraded, culprit: "WinHTTP proxy", check: "proxy", status: StatusWarn,
		},
		{
			name: "same dead proxy in two variables: one finding naming both",
			mutate: func(s *netstate.State) {
				withProxy(s, "HTTPS_PROXY", "127.0.0.1:7890", tcpAt(proxy1, 7890, true, true, syscall.ECONNREFUSED))
				withProxy(s, "http_proxy", "127.0.0.1:7890", tcpAt(proxy1, 7890, true, true, syscall.ECONNREFUSED))
			},
			want: []string{"proxy-dead"}, verdict: Unhealthy, culprit: "HTTPS_PROXY, http_proxy", check: "proxy", status: StatusFail,
		},
		{
			name: "dead HTTP-only proxy is a warning",
			mutate: func(s *netstate.State) {
				withProxy(s, "http_proxy", "http://127.0.0.1:3128", tcpAt(proxy1, 3128, true, true, syscall.ECONNREFUSED))
			},
			want: []string{"proxy-dead"}, verdict: Degraded, culprit: "http_proxy", check: "proxy", status: StatusWarn,
		},
		{
			name: "silent remote proxy",
			mutate: func(s *netstate.State) {
				withProxy(s, "ALL_PROXY", "socks5://198.51.100.7:1080", tcpAt(proxy2, 1080, false, false, netstate.ErrNoReply))
			},
			want: []string{"proxy-dead"}, verdict: Unhealthy, culprit: "198.51.100.7:1080", check: "proxy", status: StatusFail,
		},
		{
			name: "dead loopback proxy is named even without a default route",
			mutate: func(s *netstate.State) {
				noDefault(s)
				withProxy(s, "HTTPS_PROXY", "http://127.0.0.1:7890", tcpAt(proxy1, 7890, true, true, syscall.ECONNREFUSED))
			},
			want: []string{"no-default-route", "proxy-dead"}, verdict: Unhealthy, culprit: "HTTPS_PROXY", check: "proxy", status: StatusFail, notRoot: true,
		},
		{
			name: "silent remote proxy without a default route: the route is the cause",
			mutate: func(s *netstate.State) {
				noDefault(s)
				withProxy(s, "HTTPS_PROXY", "http://198.51.100.7:3128", tcpAt(proxy2, 3128, false, false, netstate.ErrNoReply))
			},
			want: []string{"no-default-route"}, verdict: Unhealthy, check: "proxy", status: StatusPass,
		},
		{
			name: "dead macOS system proxy on the default route's service", oses: []string{"darwin"},
			mutate: func(s *netstate.State) {
				p := netstate.ParseProxy("macOS HTTPS proxy (Wi-Fi)", "http://127.0.0.1:7890", "https")
				p.Iface, p.Addr, p.TCP = "en0", proxy1, tcpAt(proxy1, 7890, true, true, syscall.ECONNREFUSED)
				s.Proxy.Settings = append(s.Proxy.Settings, p)
			},
			want: []string{"proxy-dead"}, verdict: Unhealthy, culprit: "macOS HTTPS proxy (Wi-Fi)", check: "proxy", status: StatusFail,
			steps: "turn off the macOS HTTPS proxy (Wi-Fi) in System Settings › Network › Details › Proxies",
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
			name: "dead proxy variable on Windows: the PowerShell way to drop it", oses: []string{"windows"},
			mutate: func(s *netstate.State) {
				withProxy(s, "HTTPS_PROXY", "http://127.0.0.1:7890", tcpAt(proxy1, 7890, true, true, syscall.ECONNREFUSED))
			},
			want: []string{"proxy-dead"}, verdict: Unhealthy, culprit: "HTTPS_PROXY", check: "proxy", status: StatusFail,
			steps: "Remove-Item Env:HTTPS_PROXY",
		},
		{
			name:   "malformed proxy URL",
			mutate: func(s *netstate.State) { withProxy(s, "HTTPS_PROXY", "ftp://proxy.example:21", netstate.ProbeResult{}) },
			want:   []string{"proxy-invalid"}, verdict: Unhealthy, culprit: "HTTPS_PROXY=ftp://proxy.example:21", check: "proxy", status: StatusFail,
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
			name: "working proxy, direct blocked: proxy-only, not unhealthy",
			mutate: func(s *netstate.State) {
				withProxy(s, "HTTPS_PROXY", "http://198.51.100.7:3128", tcpAt(proxy2, 3128, true, false, nil))
				directBlocked(s)
			},
			want: []string{"network-proxy-only"}, verdict: Healthy, check: "internet", status: StatusPass,
		},
		{
			name: "local proxy app answers, direct blocked: degraded, never unhealthy",
			mutate: func(s *netstate.State) {
				withProxy(s, "https_proxy", "http://127.0.0.1:7890", tcpAt(proxy1, 7890, true, false, nil))
				directBlocked(s)
			},
			want: []string{"network-proxy-only"}, verdict: Degraded, culprit: "127.0.0.1:7890", check: "internet", status: StatusWarn,
		},
		{
			name: "working HTTP-only proxy is no way out for HTTPS",
			mutate: func(s *netstate.State) {
				withProxy(s, "http_proxy", "http://198.51.100.7:3128", tcpAt(proxy2, 3128, true, false, nil))
				directBlocked(s)
			},
			want: []string{"internet-unreachable"}, verdict: Unhealthy, check: "internet", status: StatusFail,
		},
		{
			name: "working proxy, direct fine: healthy",
			mutate: func(s *netstate.State) {
				withProxy(s, "HTTPS_PROXY", "http://198.51.100.7:3128", tcpAt(proxy2, 3128, true, false, nil))
			},
			want: nil, verdict: Healthy, check: "proxy", status: StatusPass,
		},
		{
			name: "dead first name server, second answers, resolution works",
			mutate: func(s *netstate.State) {
				s.DNS.Resolver.Servers = []netip.AddrPort{deadNS, goodNS}
				s.DNS.Servers = []netstate.DNSServerResult{{Server: deadNS, Err: netstate.ErrNoReply, RouteErr: syscall.ENETUNREACH}, {Server: goodNS, Answered: true, Rcode: "NOERROR"}}
			},
			want: []string{"dns-first-server-silent"}, verdict: Degraded, culprit: "203.0.113.9", check: "dns", status: StatusWarn,
		},
		{
			name: "dead first name server: resolver timed out, not loss, and never blocking",
			mutate: func(s *netstate.State) {
				s.DNS.Resolver.Servers = []netip.AddrPort{deadNS, goodNS}
				s.DNS.Err, s.DNS.Addrs = context.DeadlineExceeded, nil
				def := s.Routes[0]
				s.DNS.Servers = []netstate.DNSServerResult{{Server: deadNS, Err: netstate.ErrNoReply, Route: &def}, {Server: goodNS, Answered: true, Rcode: "NOERROR"}}
			},
			want: []string{"dns-first-server-silent"}, verdict: Degraded, culprit: "203.0.113.9", check: "dns", status: StatusWarn,
		},
		{
			name: "one server, answers directly but the resolver timed out: loss",
			mutate: func(s *netstate.State) {
				s.DNS.Err, s.DNS.Addrs = context.DeadlineExceeded, nil
			},
			want: []string{"dns-lossy"}, verdict: Degraded, check: "dns", status: StatusWarn,
		},
		{
			name: "rotate: no server is first",
			mutate: func(s *netstate.State) {
				s.DNS.Resolver.Servers, s.DNS.Resolver.Rotate = []netip.AddrPort{deadNS, goodNS}, true
				s.DNS.Servers = []netstate.DNSServerResult{{Server: deadNS, Err: netstate.ErrNoReply}, {Server: goodNS, Answered: true, Rcode: "NOERROR"}}
			},
			want: []string{"dns-server-failed"}, verdict: Degraded, check: "dns", status: StatusWarn,
		},
		{
			name: "stub resolver not running", oses: []string{"linux"},
			mutate: func(s *netstate.State) {
				up := netip.MustParseAddrPort("203.0.113.5:53")
				s.DNS.Resolver = netstate.ResolverConfig{Source: "/etc/resolv.conf", Servers: []netip.AddrPort{stubNS}, Upstreams: []netip.AddrPort{up}}
				s.DNS.Err, s.DNS.Addrs = fmt.Errorf("resolve: %w", syscall.ECONNREFUSED), nil
				s.DNS.Servers = []netstate.DNSServerResult{{Server: stubNS, Err: syscall.ECONNREFUSED}, {Server: up, Upstream: true, Answered: true, Rcode: "NOERROR"}}
			},
			want: []string{"dns-local-resolver-down"}, verdict: Unhealthy, culprit: "systemd-resolved", check: "dns", status: StatusFail,
		},
		{
			name: "local dnsmasq refuses while another server answers", oses: []string{"linux"},
			mutate: func(s *netstate.State) {
				lo := netip.MustParseAddrPort("127.0.0.1:53")
				s.DNS.Servers = []netstate.DNSServerResult{{Server: lo, Err: syscall.ECONNREFUSED}, {Server: goodNS, Answered: true, Rcode: "NOERROR"}}
			},
			want: []string{"dns-local-resolver-down"}, verdict: Degraded, culprit: "dnsmasq", check: "dns", status: StatusWarn,
		},
		{
			name: "fake-ip: a TUN owns the default route and names resolve into 198.18.0.0/15",
			mutate: func(s *netstate.State) {
				s.Links = append(s.Links, netstate.Link{Index: 9, Name: "utun7", AdminUp: true, Carrier: true, Tunnel: true, Addrs: []netip.Prefix{netip.MustParsePrefix("198.18.0.1/30")}})
				// A TUN's default route has no gateway; the targets go into it.
				def := netstate.Route{Dst: netip.MustParsePrefix("0.0.0.0/0"), IfIndex: 9, IfName: "utun7", Table: 254}
				s.Routes[0] = def
				s.V4.Default, s.V4.Gateway, s.V4.GatewayProbe = &def, netip.Addr{}, nil
				s.V4.External[0].Route = def
				s.DNS.Addrs = []netip.Addr{netip.MustParseAddr("198.18.9.194")}
			},
			want: []string{"default-route-vpn", "proxy-fake-ip"}, verdict: Degraded, culprit: "utun7", check: "dns", status: StatusWarn,
		},
		{
			name: "198.18 answer on a local interface's network is real (the lab's range)",
			mutate: func(s *netstate.State) {
				s.Links[1].Tunnel = true
				s.DNS.Addrs = []netip.Addr{netip.MustParseAddr("198.18.3.80")}
			},
			want: []string{"default-route-vpn"}, verdict: Healthy, check: "dns", status: StatusPass,
		},
		{
			name: "hosts file maps localhost elsewhere",
			mutate: func(s *netstate.State) {
				s.Hosts.Localhost = []netstate.HostsEntry{{Line: 3, Addr: netip.MustParseAddr("192.0.2.10"), Text: "192.0.2.10 localhost"}}
			},
			want: []string{"hosts-localhost-wrong"}, verdict: Unhealthy, culprit: "/etc/hosts line 3", check: "hosts", status: StatusFail,
		},
		{
			name: "hosts file without localhost, resolver fails",
			mutate: func(s *netstate.State) {
				s.Hosts.Localhost, s.Hosts.Looked, s.Hosts.ResolveErr = nil, true, fmt.Errorf("lookup localhost: %w", syscall.ECONNREFUSED)
			},
			want: []string{"hosts-localhost-missing"}, verdict: Unhealthy, culprit: "/etc/hosts", check: "hosts", status: StatusFail,
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
			name: "ephemeral range of two ports",
			mutate: func(s *netstate.State) {
				s.Sockets.EphemeralLow, s.Sockets.EphemeralHigh = 40000, 40001
				s.Sockets.TCPEphemeralInUse, s.Sockets.UDPEphemeralInUse = 0, 0
			},
			want: []string{"ports-range-small"}, verdict: Unhealthy, culprit: "40000-40001", check: "resources", status: StatusFail,
		},
		{
			name: "many ports toward one endpoint: the steps name the holder",
			mutate: func(s *netstate.State) {
				s.Sockets.TCPEphemeralInUse, s.Sockets.TCPBusiestPeer = 27000, netip.MustParseAddrPort("10.0.0.7:5432")
				s.Sockets.TopProcess, s.Sockets.TopProcessPID, s.Sockets.TopProcessSockets = "node", 4242, 26000
			},
			want: []string{"ports-high"}, verdict: Degraded, culprit: "27000 toward 10.0.0.7:5432", check: "resources", status: StatusWarn,
			steps: "node (pid 4242, 26000 sockets)",
		},
		{
			name:   "ephemeral range of 500 ports: a warning",
			mutate: func(s *netstate.State) { s.Sockets.EphemeralLow, s.Sockets.EphemeralHigh = 60000, 60499 },
			want:   []string{"ports-range-small"}, verdict: Degraded, culprit: "60000-60499", check: "resources", status: StatusWarn,
		},
		{
			name:   "clock unsynchronised: info only (CI boxes without a time daemon)",
			mutate: func(s *netstate.State) { s.Clock.Synced, s.Clock.MaxError = netstate.TriNo, 16*time.Second },
			want:   []string{"clock-unsynchronized"}, verdict: Healthy, check: "clock", status: StatusPass,
		},
		{
			name:   "clock before the binary's commit: behind",
			mutate: func(s *netstate.State) { s.Clock.Now = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC) },
			want:   []string{"clock-wrong"}, verdict: Degraded, culprit: "2025-01-01", check: "clock", status: StatusWarn,
		},
		{
			name:   "commit dated a few hours ahead: not behind",
			mutate: func(s *netstate.State) { s.Clock.BuildTime = s.Clock.Now.Add(3 * time.Hour) },
			want:   nil, verdict: Healthy, check: "clock", status: StatusPass,
		},
	}
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
