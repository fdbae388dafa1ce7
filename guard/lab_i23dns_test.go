//go:build linux

package main

// Lab tests of what name servers answer (REFUSED, SERVFAIL) and of captive
// portals: the real binary in the client namespace, as root and as nobody.

import (
	"strings"
	"testing"

	"github.com/netguard/netguard/checks/diagnose"
	"github.com/netguard/netguard/guard/internal/lab"
)

func TestLabDNSAnswersAndPortal(t *testing.T) {
	lab.RequireRoot(t)
	bin := lab.Build(t)
	for _, sc := range []struct {
		name    string
		setup   func(*lab.Lab)
		culprit string
		args    []string
		want    localExpect
		// also must appear in the finding's summary.
		also string
	}{
		{
			name:    "vpn-resolver-left-refuses",
			setup:   func(l *lab.Lab) { l.CorporateResolverLeft() },
			culprit: lab.CorpResolverIP,
			also:    lab.CorpSearchDomain,
			want: localExpect{labExpect: labExpect{exit: 1, verdicts: wantUnhealthy, findings: []string{diagnose.DNSServerRefused.ID}},
				finding: diagnose.DNSServerRefused.ID, rootCulprit: true, absent: []string{diagnose.DNSFailed.ID}, checkID: "dns", status: "fail"},
		},
		{
			name: "vpn-resolver-refuses-before-a-working-one",
			setup: func(l *lab.Lab) {
				l.CorporateResolverLeft()
				l.SetResolvConf("search " + lab.CorpSearchDomain + "\nnameserver " + lab.CorpResolverIP + "\nnameserver " + lab.ExternalIP + "\n")
			},
			culprit: lab.CorpResolverIP,
			want: localExpect{labExpect: labExpect{exit: 0, verdicts: wantDegraded, findings: []string{diagnose.DNSServerRefused.ID}},
				finding: diagnose.DNSServerRefused.ID, checkID: "dns", status: "warn"},
		},
		{
			name:    "local-stub-servfail",
			setup:   func(l *lab.Lab) { l.StubUpstreamsDead() },
			culprit: "127.0.0.1",
			want: localExpect{labExpect: labExpect{exit: 1, verdicts: wantUnhealthy, findings: []string{diagnose.DNSStubUpstreamsDead.ID}},
				finding: diagnose.DNSStubUpstreamsDead.ID, rootCulprit: true, absent: []string{diagnose.DNSFailed.ID}},
		},
		{
			name:    "local-stub-upstreams-silent",
			setup:   func(l *lab.Lab) { l.StubUpstreamsSilent() },
			culprit: "127.0.0.1",
			want: localExpect{labExpect: labExpect{exit: 1, verdicts: wantUnhealthy, findings: []string{diagnose.DNSStubUpstreamsDead.ID}},
				finding: diagnose.DNSStubUpstreamsDead.ID, rootCulprit: true, absent: []string{diagnose.DNSFailed.ID}},
		},
		{
			name:    "captive-portal",
			setup:   func(l *lab.Lab) { l.CaptivePortal() },
			culprit: "log in at " + lab.PortalLogin,
			want: localExpect{labExpect: labExpect{exit: 1, verdicts: wantUnhealthy, findings: []string{diagnose.CaptivePortal.ID}},
				finding: diagnose.CaptivePortal.ID, rootCulprit: true, absent: []string{diagnose.InternetUnreachable.ID, diagnose.TCPBlocked.ID}, checkID: "internet", status: "fail"},
		},
		{
			name:    "captive-portal-taking-port-80",
			setup:   func(l *lab.Lab) { l.CaptivePortalIntercept() },
			culprit: "log in at " + lab.PortalLogin,
			want: localExpect{labExpect: labExpect{exit: 1, verdicts: wantUnhealthy, findings: []string{diagnose.CaptivePortal.ID}},
				finding: diagnose.CaptivePortal.ID, rootCulprit: true, absent: []string{diagnose.InternetUnreachable.ID, diagnose.TCPBlocked.ID}, checkID: "internet", status: "fail"},
		},
		{
			// Controls: NXDOMAIN for one name is an answer; a working
			// resolver and a split-horizon name that resolves to the
			// gateway while HTTPS gets through stay healthy.
			name: "nxdomain-is-not-an-outage",
			args: []string{"--dns", "nope.lab.test"},
			want: localExpect{labExpect: labExpect{exit: 0, verdicts: wantHealthy}, checkID: "dns", status: "pass"},
		},
		{
			name: "name-at-the-gateway-with-https-through",
			setup: func(l *lab.Lab) {
				l.DNSResponder(l.Router, lab.GatewayIP, 0, lab.GatewayIP)
				l.SetResolvConf("nameserver " + lab.GatewayIP + "\n")
			},
			want: localExpect{labExpect: labExpect{exit: 0, verdicts: wantHealthy}, checkID: "internet", status: "pass", absent: []string{diagnose.CaptivePortal.ID}},
		},
	} {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			l := lab.New(t)
			if sc.setup != nil {
				sc.setup(l)
			}
			runUsers(t, l, bin, []string{"", "nobody"}, nil, sc.args, func(r *labRun) {
				sc.want.checkLocal(t, r, sc.culprit)
				if r.rep == nil {
					return
				}
				for _, f := range r.rep.Findings {
					if f.ID == sc.want.finding && sc.also != "" && !strings.Contains(f.Summary, sc.also) {
						t.Errorf("%s summary %q does not name %q", f.ID, f.Summary, sc.also)
					}
				}
				for _, m := range r.rep.ManualSteps {
					if sc.want.finding != "" && strings.Contains(strings.ToLower(m), "flush") {
						t.Errorf("manual step %q offers a flush that cannot help", m)
					}
				}
			})
		})
	}
}
