package diagnose

import (
	"syscall"

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
}
