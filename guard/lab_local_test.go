//go:build linux

package main

// Lab tests of the local-configuration checks:
// the real binary in the client namespace, as root and as nobody, against
// name servers, proxies, listeners, hosts files and sysctls of the lab's
// own. Each asserts the exit code, the verdict, the finding and that its
// summary (and the report's, when the finding is the root cause) names the
// culprit.

import (
	"strconv"
	"strings"
	"testing"

	"github.com/netguard/netguard/checks/diagnose"
	"github.com/netguard/netguard/guard/internal/lab"
)

// localExpect adds to labExpect what the local scenarios assert.
type localExpect struct {
	labExpect
	// finding must be present (any severity), its summary naming the
	// scenario's culprit.
	finding string
	// rootCulprit asks that the report's summary name the culprit as well.
	rootCulprit bool
	// checkID, status: a check that must have this status.
	checkID string
	status  string
	// absent findings (e.g. the misleading one this diagnosis replaces).
	absent []string
}

func (e localExpect) checkLocal(t *testing.T, r *labRun, culprit string) {
	t.Helper()
	e.check(t, r)
	if r.rep == nil {
		return
	}
	if e.finding != "" {
		i := -1
		for j, f := range r.rep.Findings {
			if f.ID == e.finding {
				i = j
				break
			}
		}
		switch {
		case i < 0:
			t.Errorf("no %s finding; %v", e.finding, r)
		case !strings.Contains(r.rep.Findings[i].Summary, culprit):
			t.Errorf("%s summary %q does not name %q; %v", e.finding, r.rep.Findings[i].Summary, culprit, r)
		}
	}
	if e.rootCulprit && !strings.Contains(r.rep.Summary, culprit) {
		t.Errorf("report summary %q does not name %q; %v", r.rep.Summary, culprit, r)
	}
	for _, id := range e.absent {
		for _, f := range r.rep.Findings {
			if f.ID == id {
				t.Errorf("finding %s present, want it replaced; %v", id, r)
			}
		}
	}
	if e.checkID != "" {
		for _, c := range r.rep.Checks {
			if c.ID == e.checkID && c.Status != e.status {
				t.Errorf("check %s = %s (%s), want %s; %v", c.ID, c.Status, c.Detail, e.status, r)
			}
		}
	}
}

func TestLabLocalScenarios(t *testing.T) {
	lab.RequireRoot(t)
	bin := lab.Build(t)
	proxyURL := "http://" + lab.GatewayIP + ":" + strconv.Itoa(lab.ProxyPort)
	for _, sc := range []struct {
		name string
		// setup breaks the lab; it returns the culprit the summary must
		// name when that is only known once set up (a pid).
		setup   func(*lab.Lab) string
		culprit string
		args    []string
		env     []string
		want    localExpect
	}{
		{
			name: "dead-name-server-first",
			setup: func(l *lab.Lab) string {
				l.SetResolvConf("nameserver 203.0.113.9\nnameserver " + lab.ExternalIP + "\n")
				return ""
			},
			culprit: "203.0.113.9",
			want: localExpect{labExpect: labExpect{exit: 0, verdicts: wantDegraded, findings: []string{diagnose.DNSFirstServerSilent.ID}},
				finding: diagnose.DNSFirstServerSilent.ID, rootCulprit: true, absent: []string{diagnose.DNSLossy.ID, diagnose.DNSFailed.ID}},
		},
		{
			name:    "stub-resolver-not-running",
			setup:   func(l *lab.Lab) string { l.SetResolvConf("nameserver 127.0.0.53\noptions edns0 trust-ad\n"); return "" },
			culprit: "systemd-resolved",
			want: localExpect{labExpect: labExpect{exit: 1, verdicts: wantUnhealthy, findings: []string{diagnose.DNSLocalResolverDown.ID}},
				finding: diagnose.DNSLocalResolverDown.ID, rootCulprit: true, absent: []string{diagnose.DNSFailed.ID}},
		},
		{
			name:    "https-proxy-closed-port",
			env:     []string{"HTTPS_PROXY=http://127.0.0.1:7890"},
			culprit: "HTTPS_PROXY=http://127.0.0.1:7890",
			want: localExpect{labExpect: labExpect{exit: 1, verdicts: wantUnhealthy, findings: []string{diagnose.ProxyDead.ID}},
				finding: diagnose.ProxyDead.ID, rootCulprit: true, checkID: "proxy", status: "fail"},
		},
		{
			name:    "proxy-only-network",
			setup:   func(l *lab.Lab) string { l.BlockDirect(); l.StartProxy(); return "" },
			env:     []string{"HTTPS_PROXY=" + proxyURL, "NO_PROXY=localhost,127.0.0.1"},
			culprit: lab.GatewayIP + ":" + strconv.Itoa(lab.ProxyPort),
			want: localExpect{labExpect: labExpect{exit: 0, verdicts: wantHealthy},
				finding: diagnose.NetworkProxyOnly.ID, absent: []string{diagnose.InternetUnreachable.ID}, checkID: "internet", status: "pass"},
		},
		{
			name:  "working-proxy-with-no-proxy",
			setup: func(l *lab.Lab) string { l.StartProxy(); return "" },
			env:   []string{"https_proxy=" + proxyURL, "http_proxy=" + proxyURL, "no_proxy=localhost,127.0.0.1,.lab.test"},
			want:  localExpect{labExpect: labExpect{exit: 0, verdicts: wantHealthy}, checkID: "proxy", status: "pass"},
		},
		{
			name: "port-taken",
			setup: func(l *lab.Lab) string {
				return "(pid " + strconv.Itoa(l.Listen(l.Client, "nobody", "0.0.0.0", 5432)) + ")"
			},
			args: []string{"--ports", "5432,8080"},
			want: localExpect{labExpect: labExpect{exit: 1, verdicts: wantUnhealthy, findings: []string{diagnose.PortInUse.ID}},
				finding: diagnose.PortInUse.ID, rootCulprit: true, checkID: "ports", status: "fail"},
		},
		{
			name: "ports-free",
			args: []string{"--ports", "5432,127.0.0.1:8080,[::1]:3000"},
			want: localExpect{labExpect: labExpect{exit: 0, verdicts: wantHealthy}, checkID: "ports", status: "pass"},
		},
		{
			name: "hosts-without-localhost",
			setup: func(l *lab.Lab) string {
				l.SetHosts("# netguard lab: localhost lost\n127.0.0.1 vm\n", 0)
				l.SetNSSwitch("hosts: files dns\n") // no nss-myhostname to answer it
				return ""
			},
			culprit: "/etc/hosts",
			want: localExpect{labExpect: labExpect{exit: 1, verdicts: wantUnhealthy, findings: []string{diagnose.HostsLocalhostMissing.ID}},
				finding: diagnose.HostsLocalhostMissing.ID, rootCulprit: true, checkID: "hosts", status: "fail"},
		},
		{
			// glibc programs get localhost from nss-myhostname: no alarm.
			name: "hosts-without-localhost-nss-myhostname",
			setup: func(l *lab.Lab) string {
				l.SetHosts("127.0.0.1 vm\n", 0)
				l.SetNSSwitch("hosts: files myhostname dns\n")
				return ""
			},
			want: localExpect{labExpect: labExpect{exit: 0, verdicts: wantHealthy}, checkID: "hosts", status: "pass"},
		},
		{
			name:    "ephemeral-range-two-ports",
			setup:   func(l *lab.Lab) string { l.SetEphemeralRange(40000, 40001); return "" },
			culprit: "40000-40001",
			want: localExpect{labExpect: labExpect{exit: 1, verdicts: wantUnhealthy, findings: []string{diagnose.PortsRangeSmall.ID}},
				finding: diagnose.PortsRangeSmall.ID},
		},
	} {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			l := lab.New(t)
			culprit := sc.culprit
			if sc.setup != nil {
				if c := sc.setup(l); c != "" {
					culprit = c
				}
			}
			runUsers(t, l, bin, []string{"", "nobody"}, sc.env, sc.args, func(r *labRun) { sc.want.checkLocal(t, r, culprit) })
		})
	}
}

// TestLabLocalBadInput checks that bad ports values are a one-line usage
// error (exit 2), and that a malformed proxy URL is a finding naming the
// variable and an unreadable hosts file an `unknown` check, never a crash.
func TestLabLocalBadInput(t *testing.T) {
	lab.RequireRoot(t)
	bin := lab.Build(t)
	t.Parallel()
	l := lab.New(t)
	for _, bad := range []struct {
		args []string
		env  []string
	}{
		{args: []string{"--ports", "0"}},
		{args: []string{"--ports", "65536"}},
		{args: []string{"--ports", "5432,db"}},
		{args: []string{"--ports", "localhost:5432"}},
		{args: []string{"--ports", "::1:5432"}},
		{args: []string{"--ports", ""}},
		{env: []string{"NETGUARD_PORTS=80,-1"}},
	} {
		for _, user := range []string{"", "nobody"} {
			r, err := runLabGuardEnv(l, bin, user, bad.env, labArgs(bad.args...)...)
			if err != nil {
				t.Fatalf("%v; %v", err, r)
			}
			msg := strings.TrimRight(r.stderr, "\n")
			switch {
			case r.exit != 2:
				t.Errorf("%v %v: exit %d, want 2; %v", bad.args, bad.env, r.exit, r)
			case msg == "" || strings.Contains(msg, "\n") || !strings.Contains(msg, "port"):
				t.Errorf("%v %v: want one line naming the ports; %v", bad.args, bad.env, r)
			case strings.Contains(r.stderr, "goroutine") || strings.Contains(r.stderr, "panic"):
				t.Errorf("%v %v: crashed; %v", bad.args, bad.env, r)
			}
		}
	}

	for _, proxy := range []string{"http://[::1", "ftp://127.0.0.1:21", "http://127.0.0.1:99999"} {
		want := localExpect{labExpect: labExpect{exit: 1, verdicts: wantUnhealthy, findings: []string{diagnose.ProxyInvalid.ID}},
			finding: diagnose.ProxyInvalid.ID, rootCulprit: true}
		for _, user := range []string{"", "nobody"} {
			r, err := runLabGuardEnv(l, bin, user, []string{"HTTPS_PROXY=" + proxy}, labArgs()...)
			if err != nil {
				t.Fatalf("%v; %v", err, r)
			}
			want.checkLocal(t, r, "HTTPS_PROXY="+proxy)
		}
	}

	// Readable by root only: nobody cannot tell, and says so.
	l.SetHosts("127.0.0.1 localhost\n::1 localhost\n", 0o600)
	for _, c := range []struct {
		user, status string
	}{{"", "pass"}, {"nobody", "unknown"}} {
		r, err := runLabGuard(l, bin, c.user, labArgs()...)
		if err != nil {
			t.Fatalf("%v; %v", err, r)
		}
		want := localExpect{labExpect: labExpect{exit: 0, verdicts: wantHealthy}, checkID: "hosts", status: c.status}
		want.checkLocal(t, r, "")
	}
}

// TestLabLocalLossTwoServers checks that, under 30% loss with two working
// name servers, a first server whose replies happened to be lost is never a
// reason to block a start.
func TestLabLocalLossTwoServers(t *testing.T) {
	lab.RequireRoot(t)
	bin := lab.Build(t)
	t.Parallel()
	l := lab.New(t)
	l.SetResolvConf("nameserver " + lab.ExternalIP + "\nnameserver " + lab.ExternalIP6 + "\n")
	l.PacketLoss(30)
	const runs = 12
	for i := range runs {
		user := ""
		if i%2 == 1 {
			user = "nobody"
		}
		r, err := runLabGuard(l, bin, user, labArgs("--external", lab.ExternalIP+","+lab.ExternalIP6)...)
		if err != nil {
			t.Fatalf("%v; %v", err, r)
		}
		if r.exit != 0 {
			t.Errorf("run %d of %d under 30%% loss with two servers: exit %d; %v", i+1, runs, r.exit, r)
		}
	}
}
