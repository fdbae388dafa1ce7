//go:build linux

package main

// Lab tests of proxies tested the way programs use them (an HTTP CONNECT
// through the proxy the environment names) and of fake-ip proxy apps.

import (
	"strconv"
	"strings"
	"testing"

	"github.com/netguard/netguard/checks/diagnose"
	"github.com/netguard/netguard/guard/internal/lab"
)

func TestLabProxyConnect(t *testing.T) {
	lab.RequireRoot(t)
	bin := lab.Build(t)
	endpoint := lab.GatewayIP + ":" + strconv.Itoa(lab.ConnectProxyPort)
	proxyURL := "http://" + endpoint
	withCreds := func(user, pass string) string { return "http://" + user + ":" + pass + "@" + endpoint }
	for _, sc := range []struct {
		name    string
		setup   func(*lab.Lab)
		env     []string
		culprit string
		secret  string // must appear nowhere in the output
		want    localExpect
	}{
		{
			name:    "proxy-wants-credentials",
			setup:   func(l *lab.Lab) { l.StartConnectProxy(lab.ProxyAuth) },
			env:     []string{"HTTPS_PROXY=" + proxyURL},
			culprit: `HTTPS_PROXY=` + proxyURL + `: the proxy wants credentials the variable does not carry (407 Proxy Authentication Required to a CONNECT for ` + lab.ExternalIP + `:443, realm "` + lab.ProxyRealm + `")`,
			want: localExpect{labExpect: labExpect{exit: 1, verdicts: wantUnhealthy, findings: []string{diagnose.ProxyAuthRequired.ID}},
				finding: diagnose.ProxyAuthRequired.ID, rootCulprit: true, checkID: "proxy", status: "fail"},
		},
		{
			name:    "proxy-rejects-credentials",
			setup:   func(l *lab.Lab) { l.StartConnectProxy(lab.ProxyAuth) },
			env:     []string{"https_proxy=" + withCreds(lab.ProxyUser, "wrong-pass-77")},
			culprit: `https_proxy=http://***@` + endpoint + `: the proxy rejects the credentials in the variable`,
			secret:  "wrong-pass-77",
			want: localExpect{labExpect: labExpect{exit: 1, verdicts: wantUnhealthy, findings: []string{diagnose.ProxyAuthRequired.ID}},
				finding: diagnose.ProxyAuthRequired.ID, rootCulprit: true, checkID: "proxy", status: "fail"},
		},
		{
			name: "proxy-accepts-credentials",
			setup: func(l *lab.Lab) {
				l.StartConnectProxy(lab.ProxyAuth)
				l.Listen(l.Internet, "", lab.ExternalIP, 443)
			},
			env:    []string{"HTTPS_PROXY=" + withCreds(lab.ProxyUser, lab.ProxyPassword)},
			secret: lab.ProxyPassword,
			want:   localExpect{labExpect: labExpect{exit: 0, verdicts: wantHealthy}, checkID: "proxy", status: "pass"},
		},
		{
			name:    "proxy-forbids-connect",
			setup:   func(l *lab.Lab) { l.StartConnectProxy(lab.ProxyForbid) },
			env:     []string{"HTTPS_PROXY=" + proxyURL},
			culprit: "a CONNECT to " + lab.ExternalIP + ":443 through it gets 403 Forbidden",
			want: localExpect{labExpect: labExpect{exit: 1, verdicts: wantUnhealthy, findings: []string{diagnose.ProxyConnectFailed.ID}},
				finding: diagnose.ProxyConnectFailed.ID, rootCulprit: true, checkID: "proxy", status: "fail"},
		},
		{
			// This machine's own firewall lets only the proxy (and DNS)
			// out, the proxy tunnels: proxy-only and healthy, as root
			// (the rules read) and as nobody (errno alone).
			name: "proxy-only-by-own-firewall",
			setup: func(l *lab.Lab) {
				l.ProxyOnlyFirewall()
				l.StartConnectProxy(lab.ProxyOpen)
				l.Listen(l.Internet, "", lab.ExternalIP, 443)
			},
			env:     []string{"HTTPS_PROXY=" + proxyURL, "NO_PROXY=localhost,127.0.0.1"},
			culprit: "(a CONNECT to " + lab.ExternalIP + ":443 through it: 200)",
			want: localExpect{labExpect: labExpect{exit: 0, verdicts: wantHealthy}, finding: diagnose.NetworkProxyOnly.ID,
				absent: []string{diagnose.InternetUnreachable.ID, diagnose.FirewallBlocksHTTPS.ID, diagnose.FirewallBlocksOutbound.ID, diagnose.GatewayNeighborWrong.ID}, checkID: "internet", status: "pass"},
		},
		{
			// Direct traffic dropped, the proxy tunnels: proxy-only, healthy.
			name: "proxy-only-network-connect",
			setup: func(l *lab.Lab) {
				l.BlockDirect()
				l.StartConnectProxy(lab.ProxyOpen)
				l.Listen(l.Internet, "", lab.ExternalIP, 443)
			},
			env:     []string{"HTTPS_PROXY=" + proxyURL, "NO_PROXY=localhost,127.0.0.1"},
			culprit: "(a CONNECT to " + lab.ExternalIP + ":443 through it: 200)",
			want: localExpect{labExpect: labExpect{exit: 0, verdicts: wantHealthy}, finding: diagnose.NetworkProxyOnly.ID,
				absent: []string{diagnose.InternetUnreachable.ID}, checkID: "internet", status: "pass"},
		},
	} {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			l := lab.New(t)
			sc.setup(l)
			runUsers(t, l, bin, []string{"", "nobody"}, sc.env, []string{"-v"}, func(r *labRun) {
				sc.want.checkLocal(t, r, sc.culprit)
				if sc.secret != "" && (strings.Contains(r.stdout, sc.secret) || strings.Contains(r.stderr, sc.secret)) {
					t.Errorf("the proxy password is in the output; %v", r)
				}
			})
		})
	}
}

// TestLabTunApp runs a fake-ip TUN proxy app in the client: with its
// upstream dead (connections accepted, then reset on the first request)
// the report names the device and, as root, the process holding it; with
// its upstream alive the start goes on.
func TestLabTunApp(t *testing.T) {
	lab.RequireRoot(t)
	bin := lab.Build(t)
	for _, sc := range []struct {
		name string
		mode lab.TunAppMode
		want localExpect
	}{
		{
			name: "upstream-dead",
			mode: lab.TunAppDead,
			want: localExpect{labExpect: labExpect{exit: 1, verdicts: wantUnhealthy, findings: []string{diagnose.ProxyAppUpstreamDead.ID}},
				finding: diagnose.ProxyAppUpstreamDead.ID, rootCulprit: true, checkID: "dns", status: "fail"},
		},
		{
			name: "upstream-alive",
			mode: lab.TunAppAlive,
			want: localExpect{labExpect: labExpect{exit: 0, verdicts: wantHealthy}, finding: diagnose.ProxyFakeIP.ID,
				absent: []string{diagnose.ProxyAppUpstreamDead.ID}, checkID: "dns", status: "pass"},
		},
	} {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			l := lab.New(t)
			pid := l.StartTunApp(sc.mode)
			runUsers(t, l, bin, []string{"", "nobody"}, nil, nil, func(r *labRun) {
				culprit := lab.TunAppIface
				if r.user == "" {
					// Only root reads another user's /proc/PID/fd.
					culprit = "pid " + strconv.Itoa(pid)
				}
				sc.want.checkLocal(t, r, culprit)
				if r.user != "" && sc.mode == lab.TunAppDead && !strings.Contains(r.stdout, "run as root to name it") {
					t.Errorf("as %s: the report does not say the holder needs root; %v", r.who(), r)
				}
			})
		})
	}
}
