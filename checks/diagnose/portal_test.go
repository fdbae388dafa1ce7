package diagnose

import (
	"net/netip"

	"github.com/netguard/netguard/checks/netstate"
)

// portalGW is the gateway of the healthy state, where a portal answers.
var portalGW = netip.MustParseAddr("198.18.3.1")

// portalAnswers: the name resolves to the gateway, which redirects to
// location, and the external targets stay silent.
func portalAnswers(s *netstate.State, status int, location string) {
	directBlocked(s)
	s.DNS.Addrs = []netip.Addr{portalGW}
	s.Portal = &netstate.PortalResult{Addr: portalGW, Host: "www.lab.test", Status: status, Location: location}
}

// portalLocalCases are the cases of TestDiagnoseLocal about captive portals.
var portalLocalCases = []localCase{
	{
		name:   "captive portal: the name resolves to the gateway, HTTPS is held, port 80 redirects",
		mutate: func(s *netstate.State) { portalAnswers(s, 302, "http://198.18.3.1/login?orig=www.lab.test") },
		want:   []string{"captive-portal"}, verdict: Unhealthy, culprit: "log in at http://198.18.3.1/login?orig=www.lab.test", check: "internet", status: StatusFail,
		steps: "http://198.18.3.1/login?orig=www.lab.test",
	},
	{
		name: "captive portal that answers port 80 of every address itself: HTTPS still held",
		mutate: func(s *netstate.State) {
			portalAnswers(s, 200, "https://portal.example/start")
			t := &s.V4.External[0]
			t.TCP = tcpAt(t.Addr, 80, true, false, nil)
		},
		want: []string{"captive-portal"}, verdict: Unhealthy, culprit: "log in at https://portal.example/start", check: "internet", status: StatusFail,
	},
	{
		name: "a private answer where HTTPS gets through is a split-horizon name, not a portal",
		mutate: func(s *netstate.State) {
			s.DNS.Addrs = []netip.Addr{netip.MustParseAddr("10.1.2.3")}
			t := &s.V4.External[0]
			t.TCP = tcpAt(t.Addr, 443, true, false, nil)
			s.Portal = &netstate.PortalResult{Addr: netip.MustParseAddr("10.1.2.3"), Status: 302, Location: "http://login.example/"}
		},
		want: nil, verdict: Healthy, check: "internet", status: StatusPass,
	},
	{
		name:   "a redirect to the name itself on HTTPS is not a portal",
		mutate: func(s *netstate.State) { portalAnswers(s, 301, "https://www.lab.test/") },
		want:   []string{"internet-unreachable"}, verdict: Unhealthy, check: "internet", status: StatusFail,
	},
	{
		name:   "port 80 of the gateway answers without a redirect: not a portal",
		mutate: func(s *netstate.State) { portalAnswers(s, 200, "") },
		want:   []string{"internet-unreachable"}, verdict: Unhealthy, check: "internet", status: StatusFail,
	},
	{
		name: "the name resolves to a public address: no portal whatever port 80 says",
		mutate: func(s *netstate.State) {
			portalAnswers(s, 302, "http://login.example/")
			s.DNS.Addrs = []netip.Addr{netip.MustParseAddr("203.0.113.80")}
		},
		want: []string{"internet-unreachable"}, verdict: Unhealthy, check: "internet", status: StatusFail,
	},
}
