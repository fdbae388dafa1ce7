package diagnose

import (
	"net/netip"
	"syscall"
	"time"

	"github.com/netguard/netguard/checks/netstate"
)

// proxyLocalCases are the cases of TestDiagnoseLocal whose first finding is the proxy check's.
var proxyLocalCases = []localCase{
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
		name: "proxy wants credentials the variable lacks: the variable and the realm",
		mutate: func(s *netstate.State) {
			withProxy(s, "HTTPS_PROXY", "http://198.51.100.7:3128", tcpAt(proxy2, 3128, true, false, nil))
			s.Proxy.Settings[0].Connect = connectAnswer(407, "Proxy Authentication Required", "corp-proxy", false)
		},
		want: []string{"proxy-auth-required"}, verdict: Unhealthy, culprit: `HTTPS_PROXY=http://198.51.100.7:3128: the proxy wants credentials the variable does not carry (407 Proxy Authentication Required to a CONNECT for 203.0.113.5:443, realm "corp-proxy")`, check: "proxy", status: StatusFail,
	},
	{
		name: "proxy rejects the credentials in the URL: never printed",
		mutate: func(s *netstate.State) {
			withProxy(s, "https_proxy", "http://alice:s3cret@198.51.100.7:3128", tcpAt(proxy2, 3128, true, false, nil))
			s.Proxy.Settings[0].Connect = connectAnswer(407, "Proxy Authentication Required", "corp-proxy", true)
		},
		want: []string{"proxy-auth-required"}, verdict: Unhealthy, culprit: `https_proxy=http://***@198.51.100.7:3128: the proxy rejects the credentials in the variable`, check: "proxy", status: StatusFail,
	},
	{
		name: "proxy answers CONNECT with 403: the status is named",
		mutate: func(s *netstate.State) {
			withProxy(s, "HTTPS_PROXY", "http://198.51.100.7:3128", tcpAt(proxy2, 3128, true, false, nil))
			s.Proxy.Settings[0].Connect = connectAnswer(403, "Forbidden", "", false)
		},
		want: []string{"proxy-connect-failed"}, verdict: Unhealthy, culprit: "a CONNECT to 203.0.113.5:443 through it gets 403 Forbidden", check: "proxy", status: StatusFail,
	},
	{
		name: "proxy answers 502 for a target that serves no 443: a warning, the target may be at fault",
		mutate: func(s *netstate.State) {
			withProxy(s, "HTTPS_PROXY", "http://198.51.100.7:3128", tcpAt(proxy2, 3128, true, false, nil))
			s.Proxy.Settings[0].Connect = connectAnswer(502, "Bad Gateway", "", false)
		},
		want: []string{"proxy-connect-failed"}, verdict: Degraded, culprit: "gets 502 Bad Gateway", check: "proxy", status: StatusWarn,
	},
	{
		name: "proxy answers 502 for a target that serves 443 directly: the proxy is at fault",
		mutate: func(s *netstate.State) {
			withProxy(s, "HTTPS_PROXY", "http://198.51.100.7:3128", tcpAt(proxy2, 3128, true, false, nil))
			s.Proxy.Settings[0].Connect = connectAnswer(502, "Bad Gateway", "", false)
			s.V4.External[0].TCP = tcpAt(s.V4.External[0].Addr, 443, true, false, nil)
		},
		want: []string{"proxy-connect-failed"}, verdict: Unhealthy, culprit: "gets 502 Bad Gateway", check: "proxy", status: StatusFail,
	},
	{
		name: "proxy closes the connection on CONNECT",
		mutate: func(s *netstate.State) {
			withProxy(s, "HTTPS_PROXY", "http://127.0.0.1:1080", tcpAt(proxy1, 1080, true, false, nil))
			s.Proxy.Settings[0].Connect = netstate.ProxyConnect{Ran: true, Target: netip.MustParseAddrPort("203.0.113.5:443"), Closed: true, Err: syscall.ECONNRESET}
		},
		want: []string{"proxy-connect-failed"}, verdict: Unhealthy, culprit: "closes the connection on a CONNECT to 203.0.113.5:443", check: "proxy", status: StatusFail,
	},
	{
		name: "HTTP-only proxy wanting credentials is a warning",
		mutate: func(s *netstate.State) {
			withProxy(s, "http_proxy", "http://198.51.100.7:3128", tcpAt(proxy2, 3128, true, false, nil))
			s.Proxy.Settings[0].Connect = connectAnswer(407, "Proxy Authentication Required", "", false)
		},
		want: []string{"proxy-auth-required"}, verdict: Degraded, culprit: "http_proxy", check: "proxy", status: StatusWarn,
	},
}

// connectAnswer is a CONNECT to the first external target the proxy
// answered with status.
func connectAnswer(status int, reason, realm string, sentAuth bool) netstate.ProxyConnect {
	c := netstate.ProxyConnect{Ran: true, Target: netip.MustParseAddrPort("203.0.113.5:443"), Status: status, Reason: reason, SentAuth: sentAuth, RTT: 2 * time.Millisecond}
	if realm != "" {
		c.AuthScheme, c.Realm = "Basic", realm
	}
	return c
}
