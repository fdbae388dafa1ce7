package diagnose

import (
	"context"
	"net/netip"
	"syscall"

	"github.com/netguard/netguard/checks/netstate"
)

// internetCases are the cases of TestDiagnose whose first finding is the internet check's.
var internetCases = []diagCase{
	{name: "local firewall rejects output", mutate: func(s *netstate.State) {
		t := &s.V4.External[0]
		t.ICMP, t.TCP = failed(netstate.ProbeICMP, ext1, syscall.EPERM), failed(netstate.ProbeTCP, ext1, syscall.EPERM)
	}, want: []string{"local-firewall-blocks"}, verdict: Unhealthy, manual: "never changes firewall rules"},
	{name: "ENOBUFS", mutate: func(s *netstate.State) {
		t := &s.V4.External[0]
		t.ICMP, t.TCP = failed(netstate.ProbeICMP, ext1, syscall.ENOBUFS), silent(netstate.ProbeTCP, ext1)
	}, want: []string{"kernel-no-buffers"}, verdict: Unhealthy},
	{name: "internet unreachable beyond the gateway", mutate: func(s *netstate.State) {
		t := &s.V4.External[0]
		t.ICMP, t.TCP = silent(netstate.ProbeICMP, ext1), silent(netstate.ProbeTCP, ext1)
	}, want: []string{"internet-unreachable"}, verdict: Unhealthy, manual: "upstream"},
	{name: "one target of two silent", mutate: func(s *netstate.State) {
		s.V4.External = append(s.V4.External, netstate.TargetResult{Addr: ext2, Role: "external", ICMP: silent(netstate.ProbeICMP, ext2), TCP: silent(netstate.ProbeTCP, ext2)})
	}, want: []string{"internet-partial"}, verdict: Healthy},
	{name: "TCP blocked, ping works", mutate: func(s *netstate.State) {
		s.V4.GatewayProbe.TCP = silent(netstate.ProbeTCP, gw)
		s.V4.External[0].TCP = silent(netstate.ProbeTCP, ext1)
	}, want: []string{"tcp-blocked"}, verdict: Degraded},
	{name: "ICMP dropped, TCP works", mutate: func(s *netstate.State) {
		s.V4.GatewayProbe.ICMP = silent(netstate.ProbeICMP, gw)
		s.V4.External[0].ICMP = silent(netstate.ProbeICMP, ext1)
	}, want: []string{"icmp-blocked"}, verdict: Degraded},
	{name: "no ICMP permission: TCP decides", mutate: func(s *netstate.State) {
		for _, t := range []*netstate.TargetResult{s.V4.GatewayProbe, &s.V4.External[0]} {
			t.ICMP = netstate.ProbeResult{Kind: netstate.ProbeICMP, Ran: true, NoPermission: true, Err: syscall.EACCES}
		}
	}, want: []string{"icmp-not-permitted"}, verdict: Healthy},
	{name: "DNS fails because the internet does: one root cause", mutate: func(s *netstate.State) {
		t := &s.V4.External[0]
		t.ICMP, t.TCP = silent(netstate.ProbeICMP, ext1), silent(netstate.ProbeTCP, ext1)
		s.DNS = netstate.DNSResult{Ran: true, Name: "www.lab.test", Err: context.DeadlineExceeded, Servers: []netstate.DNSServerResult{{Server: netip.MustParseAddrPort("203.0.113.5:53"), Err: context.DeadlineExceeded}}}
	}, want: []string{"internet-unreachable"}, verdict: Unhealthy},
}

// internetLocalCases are the cases of TestDiagnoseLocal whose first finding is the internet check's.
var internetLocalCases = []localCase{
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
		name: "local proxy app tunnels a CONNECT, direct blocked: proxy-only and healthy",
		mutate: func(s *netstate.State) {
			withProxy(s, "https_proxy", "http://127.0.0.1:7890", tcpAt(proxy1, 7890, true, false, nil))
			s.Proxy.Settings[0].Connect = connectAnswer(200, "Connection established", "", false)
			directBlocked(s)
		},
		want: []string{"network-proxy-only"}, verdict: Healthy, check: "internet", status: StatusPass,
	},
	{
		name: "proxy accepts but wants credentials, direct blocked: not a way out",
		mutate: func(s *netstate.State) {
			withProxy(s, "HTTPS_PROXY", "http://198.51.100.7:3128", tcpAt(proxy2, 3128, true, false, nil))
			s.Proxy.Settings[0].Connect = connectAnswer(407, "Proxy Authentication Required", "corp", false)
			directBlocked(s)
		},
		want: []string{"internet-unreachable", "proxy-auth-required"}, verdict: Unhealthy, check: "internet", status: StatusFail, notRoot: true,
	},
	{
		name: "working HTTP-only proxy is no way out for HTTPS",
		mutate: func(s *netstate.State) {
			withProxy(s, "http_proxy", "http://198.51.100.7:3128", tcpAt(proxy2, 3128, true, false, nil))
			directBlocked(s)
		},
		want: []string{"internet-unreachable"}, verdict: Unhealthy, check: "internet", status: StatusFail,
	},
}
