package diagnose

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/netguard/netguard/checks/netstate"
)

// dnsCases are the cases of TestDiagnose whose first finding is the dns check's.
var dnsCases = []diagCase{
	{name: "DNS server down", mutate: func(s *netstate.State) {
		s.DNS = netstate.DNSResult{Ran: true, Name: "www.lab.test", Err: syscall.ECONNREFUSED, Servers: []netstate.DNSServerResult{{Server: netip.MustParseAddrPort("203.0.113.5:53"), Err: syscall.ECONNREFUSED}}}
	}, want: []string{"dns-failed"}, verdict: Unhealthy, manual: "cat /etc/resolv.conf"},
	{name: "DNS down on macOS", oses: []string{"darwin"}, mutate: func(s *netstate.State) {
		s.DNS = netstate.DNSResult{Ran: true, Name: "www.lab.test", Err: context.DeadlineExceeded, Servers: []netstate.DNSServerResult{{Server: netip.MustParseAddrPort("203.0.113.5:53"), Err: context.DeadlineExceeded}}}
	}, want: []string{"dns-failed"}, verdict: Unhealthy, manual: "dscacheutil -flushcache"},
	{name: "resolver timed out but the server answers directly: loss, not an outage", mutate: func(s *netstate.State) {
		s.DNS.Err, s.DNS.Addrs = context.DeadlineExceeded, nil
	}, want: []string{"dns-lossy"}, verdict: Degraded, manual: "ping -c 20 203.0.113.5"},
	{name: "resolver timed out having sent a query: loss", mutate: func(s *netstate.State) {
		s.DNS.Err, s.DNS.Addrs, s.DNS.Sent = context.DeadlineExceeded, nil, netstate.TriYes
	}, want: []string{"dns-lossy"}, verdict: Degraded},
	{name: "no name server", mutate: func(s *netstate.State) {
		s.DNS = netstate.DNSResult{Ran: true, Name: "www.lab.test", Err: syscall.ECONNREFUSED}
	}, want: []string{"dns-no-servers"}, verdict: Unhealthy},
	{name: "one of two name servers down", mutate: func(s *netstate.State) {
		s.DNS.Servers = append(s.DNS.Servers, netstate.DNSServerResult{Server: netip.MustParseAddrPort("203.0.113.9:53"), Err: context.DeadlineExceeded})
	}, want: []string{"dns-server-failed"}, verdict: Degraded},
	{name: "NXDOMAIN is not an outage", mutate: func(s *netstate.State) {
		s.DNS = netstate.DNSResult{Ran: true, Name: "nope.lab.test", NotFound: true, Servers: []netstate.DNSServerResult{{Server: netip.MustParseAddrPort("203.0.113.5:53"), Answered: true, Rcode: "NXDOMAIN"}}}
	}, want: []string{"dns-name-not-found"}, verdict: Healthy},
}

// dnsLocalCases are the cases of TestDiagnoseLocal whose first finding is the dns check's.
var dnsLocalCases = []localCase{
	{
		name: "fake-ip TUN app whose upstream is dead: the device, its process, the reset",
		oses: []string{"linux"},
		mutate: func(s *netstate.State) {
			fakeIPTun(s, "Meta")
			s.TunApp.Holders = []netstate.TunHolder{{PID: 812, Command: "mihomo"}}
			s.TunApp.Hello = netstate.StreamResult{Ran: true, Target: netip.MustParseAddrPort("203.0.113.5:443"), Connected: true, Reset: true, Err: syscall.ECONNRESET}
		},
		want: []string{"proxy-fake-ip", "proxy-app-upstream-dead"}, verdict: Unhealthy,
		culprit: "Meta, the TUN device of a fake-ip proxy app (mihomo, pid 812), accepts connections to 203.0.113.5:443 and then resets them", check: "dns", status: StatusFail,
		steps: "ps -o pid,user,args -p 812",
	},
	{
		name: "macOS fake-ip utun app whose upstream is dead: the holder named from the kernel-control sockets",
		oses: []string{"darwin"},
		mutate: func(s *netstate.State) {
			fakeIPTun(s, "utun4")
			s.TunApp.Holders = []netstate.TunHolder{{PID: 640, Command: "ClashX Meta"}, {PID: 812, Command: "com.metacubex.C"}}
			s.TunApp.Hello = netstate.StreamResult{Ran: true, Target: netip.MustParseAddrPort("203.0.113.5:443"), Connected: true, Reset: true, Err: syscall.ECONNRESET}
		},
		want: []string{"proxy-fake-ip", "proxy-app-upstream-dead"}, verdict: Unhealthy,
		culprit: "utun4, the TUN device of a fake-ip proxy app (ClashX Meta, pid 640), accepts connections to 203.0.113.5:443 and then resets them", check: "dns", status: StatusFail,
		steps: "ps -o pid,user,command -p 640",
	},
	{
		name: "fake-ip TUN app, upstream dead, holder unreadable (not root)",
		mutate: func(s *netstate.State) {
			fakeIPTun(s, "utun7")
			s.TunApp.HoldersErr = errors.New("the process holding utun7 is not readable by this user (3 processes of other users; run as root to name it)")
			s.TunApp.Hello = netstate.StreamResult{Ran: true, Target: netip.MustParseAddrPort("203.0.113.5:443"), Connected: true, Reset: true, Err: io.EOF}
		},
		want: []string{"proxy-fake-ip", "proxy-app-upstream-dead"}, verdict: Unhealthy,
		culprit: "utun7, the TUN device of a fake-ip proxy app, accepts connections", check: "dns", status: StatusFail,
	},
	{
		name: "fake-ip pool as the TUN's own network (198.18.0.1/16): still fake; upstream not judged",
		mutate: func(s *netstate.State) {
			fakeIPTun(s, "utun7")
			s.Links[len(s.Links)-1].Addrs = []netip.Prefix{netip.MustParsePrefix("198.18.0.1/16")}
			s.TunApp.Hello = netstate.StreamResult{Ran: true, Target: netip.MustParseAddrPort("203.0.113.5:443"), Connected: true, Err: context.DeadlineExceeded}
		},
		want: []string{"proxy-fake-ip"}, verdict: Degraded, culprit: "utun7", check: "dns", status: StatusWarn,
	},
	{
		name: "fake-ip TUN app whose upstream answers: information only",
		mutate: func(s *netstate.State) {
			fakeIPTun(s, "utun7")
			s.TunApp.Holders = []netstate.TunHolder{{PID: 812, Command: "sing-box"}}
			s.TunApp.Hello = netstate.StreamResult{Ran: true, Target: netip.MustParseAddrPort("203.0.113.5:443"), Connected: true, Replied: true, RTT: 9 * time.Millisecond}
		},
		want: []string{"proxy-fake-ip"}, verdict: Healthy, culprit: "(utun7 is held by sing-box (pid 812)); its upstream answers", check: "dns", status: StatusPass,
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
		// The dns check comes before resources in Checks, so its findings
		// do too, whatever was added to the catalog first.
		name: "stub resolver not running while ports run high: the resolver comes first", oses: []string{"linux"},
		mutate: func(s *netstate.State) {
			up := netip.MustParseAddrPort("203.0.113.5:53")
			s.DNS.Resolver = netstate.ResolverConfig{Source: "/etc/resolv.conf", Servers: []netip.AddrPort{stubNS}, Upstreams: []netip.AddrPort{up}}
			s.DNS.Err, s.DNS.Addrs = fmt.Errorf("resolve: %w", syscall.ECONNREFUSED), nil
			s.DNS.Servers = []netstate.DNSServerResult{{Server: stubNS, Err: syscall.ECONNREFUSED}, {Server: up, Upstream: true, Answered: true, Rcode: "NOERROR"}}
			s.Sockets.UDPEphemeralInUse = 21000
		},
		want: []string{"dns-local-resolver-down", "ports-high"}, verdict: Unhealthy, culprit: "ports", check: "dns", status: StatusFail, notRoot: true,
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
		name: "a VPN's resolver left behind refuses public names: named with its search domain",
		mutate: func(s *netstate.State) {
			s.DNS.Resolver.Servers, s.DNS.Resolver.Search = []netip.AddrPort{corpNS}, []string{"corp.example"}
			s.DNS.Err, s.DNS.Addrs = errors.New("lookup www.lab.test on 10.8.0.1:53: server misbehaving"), nil
			s.DNS.Servers = []netstate.DNSServerResult{{Server: corpNS, Answered: true, Rcode: "REFUSED"}}
		},
		want: []string{"dns-server-refused"}, verdict: Unhealthy, culprit: "10.8.0.1", check: "dns", status: StatusFail, steps: "corp.example",
	},
	{
		name: "a refusing server ahead of one that answers: lookups work, a warning",
		mutate: func(s *netstate.State) {
			s.DNS.Resolver.Servers = []netip.AddrPort{corpNS, goodNS}
			s.DNS.Servers = []netstate.DNSServerResult{{Server: corpNS, Answered: true, Rcode: "REFUSED"}, {Server: goodNS, Answered: true, Rcode: "NOERROR"}}
		},
		want: []string{"dns-server-refused"}, verdict: Degraded, culprit: "10.8.0.1", check: "dns", status: StatusWarn,
	},
	{
		name: "a silent first server and a refusing second: the refusal is the error",
		mutate: func(s *netstate.State) {
			s.DNS.Resolver.Servers = []netip.AddrPort{deadNS, corpNS}
			s.DNS.Err, s.DNS.Addrs = errors.New("lookup www.lab.test: server misbehaving"), nil
			s.DNS.Servers = []netstate.DNSServerResult{{Server: deadNS, Err: netstate.ErrNoReply}, {Server: corpNS, Answered: true, Rcode: "REFUSED"}}
		},
		want: []string{"dns-server-refused"}, verdict: Unhealthy, culprit: "10.8.0.1", check: "dns", status: StatusFail,
	},
	{
		name: "systemd-resolved answers SERVFAIL: its upstreams are all silent", oses: []string{"linux"},
		mutate: func(s *netstate.State) {
			s.DNS.Resolver = netstate.ResolverConfig{Source: "/etc/resolv.conf", Servers: []netip.AddrPort{stubNS}, Upstreams: []netip.AddrPort{deadNS, corpNS}, Found: true}
			s.DNS.Err, s.DNS.Addrs = errors.New("lookup www.lab.test on 127.0.0.53:53: server misbehaving"), nil
			s.DNS.Servers = []netstate.DNSServerResult{{Server: stubNS, Answered: true, Rcode: "SERVFAIL"},
				{Server: deadNS, Upstream: true, Err: netstate.ErrNoReply}, {Server: corpNS, Upstream: true, Err: syscall.EHOSTUNREACH}}
		},
		want: []string{"dns-stub-upstreams-dead"}, verdict: Unhealthy, culprit: "203.0.113.9", check: "dns", status: StatusFail, steps: "ip route get 10.8.0.1",
	},
	{
		name: "dnsmasq on loopback answers SERVFAIL, its upstreams unreadable",
		mutate: func(s *netstate.State) {
			lo := netip.MustParseAddrPort("127.0.0.1:53")
			s.DNS.Resolver.Servers = []netip.AddrPort{lo}
			s.DNS.Err, s.DNS.Addrs = errors.New("lookup www.lab.test on 127.0.0.1:53: server misbehaving"), nil
			s.DNS.Servers = []netstate.DNSServerResult{{Server: lo, Answered: true, Rcode: "SERVFAIL"}}
		},
		want: []string{"dns-stub-upstreams-dead"}, verdict: Unhealthy, culprit: "127.0.0.1", check: "dns", status: StatusFail,
	},
	{
		name: "dnsmasq on loopback refuses: it has no upstream",
		mutate: func(s *netstate.State) {
			lo := netip.MustParseAddrPort("127.0.0.1:53")
			s.DNS.Resolver.Servers = []netip.AddrPort{lo}
			s.DNS.Err, s.DNS.Addrs = errors.New("lookup www.lab.test on 127.0.0.1:53: server misbehaving"), nil
			s.DNS.Servers = []netstate.DNSServerResult{{Server: lo, Answered: true, Rcode: "REFUSED"}}
		},
		want: []string{"dns-stub-upstreams-dead"}, verdict: Unhealthy, culprit: "no upstream", check: "dns", status: StatusFail,
	},
	{
		name: "dnsmasq on loopback takes the query and stays silent: its upstreams do not answer",
		mutate: func(s *netstate.State) {
			lo := netip.MustParseAddrPort("127.0.0.1:53")
			s.DNS.Resolver.Servers = []netip.AddrPort{lo}
			s.DNS.Err, s.DNS.Addrs = context.DeadlineExceeded, nil
			s.DNS.Servers = []netstate.DNSServerResult{{Server: lo, Err: netstate.ErrNoReply}}
		},
		want: []string{"dns-stub-upstreams-dead"}, verdict: Unhealthy, culprit: "127.0.0.1", check: "dns", status: StatusFail,
	},
	{
		name: "a silent stub whose upstream answers directly is not blamed on the upstreams", oses: []string{"linux"},
		mutate: func(s *netstate.State) {
			s.DNS.Resolver = netstate.ResolverConfig{Source: "/etc/resolv.conf", Servers: []netip.AddrPort{stubNS}, Upstreams: []netip.AddrPort{goodNS}, Found: true}
			s.DNS.Err, s.DNS.Addrs = context.DeadlineExceeded, nil
			s.DNS.Servers = []netstate.DNSServerResult{{Server: stubNS, Err: netstate.ErrNoReply}, {Server: goodNS, Upstream: true, Answered: true, Rcode: "NOERROR"}}
		},
		want: []string{"dns-lossy"}, verdict: Degraded, check: "dns", status: StatusWarn,
	},
	{
		name: "the stub answers SERVFAIL while its upstream answers: the stub itself fails", oses: []string{"linux"},
		mutate: func(s *netstate.State) {
			s.DNS.Resolver = netstate.ResolverConfig{Source: "/etc/resolv.conf", Servers: []netip.AddrPort{stubNS}, Upstreams: []netip.AddrPort{goodNS}, Found: true}
			s.DNS.Err, s.DNS.Addrs = errors.New("lookup www.lab.test on 127.0.0.53:53: server misbehaving"), nil
			s.DNS.Servers = []netstate.DNSServerResult{{Server: stubNS, Answered: true, Rcode: "SERVFAIL"}, {Server: goodNS, Upstream: true, Answered: true, Rcode: "NOERROR"}}
		},
		want: []string{"dns-server-servfail"}, verdict: Unhealthy, culprit: "203.0.113.5 answers directly", check: "dns", status: StatusFail,
	},
	{
		name: "a remote server answers SERVFAIL",
		mutate: func(s *netstate.State) {
			s.DNS.Err, s.DNS.Addrs = errors.New("lookup www.lab.test on 203.0.113.5:53: server misbehaving"), nil
			s.DNS.Servers = []netstate.DNSServerResult{{Server: goodNS, Answered: true, Rcode: "SERVFAIL"}}
		},
		want: []string{"dns-server-servfail"}, verdict: Unhealthy, culprit: "203.0.113.5", check: "dns", status: StatusFail,
	},
	{
		name: "SERVFAIL while the internet is down: the internet is the cause",
		mutate: func(s *netstate.State) {
			for i := range s.V4.External {
				s.V4.External[i].ICMP = netstate.ProbeResult{Kind: netstate.ProbeICMP, Ran: true, Err: netstate.ErrNoReply}
				s.V4.External[i].TCP = netstate.ProbeResult{Kind: netstate.ProbeTCP, Ran: true, Err: netstate.ErrNoReply}
			}
			s.DNS.Err, s.DNS.Addrs = errors.New("lookup www.lab.test on 198.18.3.1:53: server misbehaving"), nil
			s.DNS.Servers = []netstate.DNSServerResult{{Server: netip.MustParseAddrPort("198.18.3.1:53"), Answered: true, Rcode: "SERVFAIL"}}
		},
		want: []string{"internet-unreachable"}, verdict: Unhealthy, check: "dns", status: StatusSkip,
	},
}

// corpNS is a VPN's resolver, left in resolv.conf.
var corpNS = netip.MustParseAddrPort("10.8.0.1:53")

// A refusal and a SERVFAIL are answers: no cache flush is offered for
// them, on any OS.
func TestDNSAnswersOfferNoFlush(t *testing.T) {
	for _, def := range []*Def{DNSServerRefused, DNSStubUpstreamsDead, DNSServerServfail} {
		if len(def.Fixes) != 0 {
			t.Errorf("%s offers repairs %v", def.ID, def.Fixes)
		}
		for _, goos := range []string{"linux", "darwin", "windows"} {
			for _, st := range def.Manual.For(goos) {
				if strings.Contains(strings.ToLower(st), "flush") || strings.Contains(st, "killall -HUP") {
					t.Errorf("%s on %s: step %q flushes a cache", def.ID, goos, st)
				}
			}
		}
	}
}

// fakeIPTun routes everything into a TUN device (split 0/1 and 128/1
// over the main default) and resolves the test name to a fake-ip address,
// as Clash, mihomo and sing-box in fake-ip mode do.
func fakeIPTun(s *netstate.State, name string) {
	s.Links = append(s.Links, netstate.Link{Index: 9, Name: name, AdminUp: true, Carrier: true, Tunnel: true, Addrs: []netip.Prefix{netip.MustParsePrefix("198.18.0.1/30")}})
	for _, p := range []string{"0.0.0.0/1", "128.0.0.0/1"} {
		s.Routes = append(s.Routes, netstate.Route{Dst: netip.MustParsePrefix(p), IfIndex: 9, IfName: name, Table: 254})
	}
	s.V4.External[0].Route = s.Routes[len(s.Routes)-1]
	s.DNS.Addrs = []netip.Addr{netip.MustParseAddr("198.18.9.194")}
	s.TunApp = netstate.TunAppState{Checked: true, Iface: name}
}
