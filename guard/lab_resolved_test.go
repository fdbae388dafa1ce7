//go:build linux

package main

import (
	"errors"
	"io/fs"
	"os"
	"strings"
	"testing"

	"github.com/netguard/netguard/checks/diagnose"
	"github.com/netguard/netguard/guard/internal/lab"
)

// TestLabResolvedStub gives the client systemd-resolved's layout (resolv.conf
// names only 127.0.0.53; resolved's upstream list in
// /run/systemd/resolve/resolv.conf, seen through a private /run) with a
// stub on 127.0.0.53 that forwards to those upstreams: alive, the run is
// healthy; with every upstream dead, the stub and its upstreams are named;
// with the stub stopped, the stopped resolver is named; with its one
// upstream inside a dead tunnel, the tunnel is. As root and as nobody: both
// read the same files and send the same queries.
func TestLabResolvedStub(t *testing.T) {
	lab.RequireRoot(t)
	bin := lab.Build(t)
	for _, sc := range []struct {
		name  string
		setup func(*lab.Lab)
		want  localExpect
		// culprit and also must appear in the finding's summary;
		// culpritOf, when set, gives a culprit named after the lab.
		culprit   string
		culpritOf func(*lab.Lab) string
		also      []string
		// hostCannot holds what only the private /run lets guard name: a
		// run that sees the host's /run instead must not name it.
		hostCannot string
	}{
		{
			name:  "upstreams-alive",
			setup: func(l *lab.Lab) { l.ResolvedStub(true, lab.ExternalIP) },
			want: localExpect{labExpect: labExpect{exit: 0, verdicts: wantHealthy}, checkID: "dns", status: "pass",
				absent: []string{diagnose.DNSStubUpstreamsDead.ID, diagnose.DNSLocalResolverDown.ID}},
		},
		{
			// One upstream refuses (its server stopped), one is silent.
			name: "upstreams-dead",
			setup: func(l *lab.Lab) {
				l.StopDNS()
				l.ResolvedStub(true, lab.ExternalIP, lab.DeadUpstreamIP)
			},
			culprit: "systemd-resolved at " + lab.ResolvedStubIP,
			also:    []string{lab.ExternalIP, lab.DeadUpstreamIP},
			want: localExpect{labExpect: labExpect{exit: 1, verdicts: wantUnhealthy, findings: []string{diagnose.DNSStubUpstreamsDead.ID}},
				finding: diagnose.DNSStubUpstreamsDead.ID, rootCulprit: true, checkID: "dns", status: "fail",
				absent: []string{diagnose.DNSFailed.ID, diagnose.DNSLocalResolverDown.ID}},
			hostCannot: lab.DeadUpstreamIP,
		},
		{
			name:    "stub-stopped",
			setup:   func(l *lab.Lab) { l.ResolvedStub(false, lab.ExternalIP) },
			culprit: lab.ResolvedStubIP,
			also:    []string{"systemd-resolved is not running", lab.ExternalIP},
			want: localExpect{labExpect: labExpect{exit: 1, verdicts: wantUnhealthy, findings: []string{diagnose.DNSLocalResolverDown.ID}},
				finding: diagnose.DNSLocalResolverDown.ID, rootCulprit: true, checkID: "dns", status: "fail",
				absent: []string{diagnose.DNSFailed.ID, diagnose.DNSStubUpstreamsDead.ID}},
			hostCannot: lab.ExternalIP,
		},
		{
			// A VPN's name server given to resolved (wg-quick's DNS=
			// through resolvconf) inside a tunnel whose server is gone:
			// the tunnel is the cause, not the stub.
			name: "upstream-inside-dead-tunnel",
			setup: func(l *lab.Lab) {
				l.DeadTunnel()
				l.ResolvedStub(true, lab.TunnelServerIP)
			},
			culpritOf: func(l *lab.Lab) string { return "into tunnel " + l.TunnelIf() },
			want: localExpect{labExpect: labExpect{exit: 1, verdicts: wantUnhealthy, findings: []string{diagnose.TunnelDead.ID}},
				finding: diagnose.TunnelDead.ID, rootCulprit: true,
				absent: []string{diagnose.DNSStubUpstreamsDead.ID, diagnose.DNSLocalResolverDown.ID, diagnose.DNSFailed.ID}},
		},
	} {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			l := lab.New(t)
			sc.setup(l)
			culprit := sc.culprit
			if sc.culpritOf != nil {
				culprit = sc.culpritOf(l)
			}
			runUsersWrap(t, l, bin, []string{"", "nobody"}, nil, l.PrivateRun, nil, func(r *labRun) {
				sc.want.checkLocal(t, r, culprit)
				if r.rep == nil {
					return
				}
				// As root the tunnel's own state is read through the
				// private /run too.
				if sc.want.finding == diagnose.TunnelDead.ID && r.user == "" && !strings.Contains(r.rep.Summary, "no handshake since the tunnel came up") {
					t.Errorf("as root: summary %q lacks the WireGuard handshake", r.rep.Summary)
				}
				if sc.want.finding != "" {
					for _, f := range r.rep.Findings {
						for _, a := range sc.also {
							if f.ID == sc.want.finding && !strings.Contains(f.Summary, a) {
								t.Errorf("as %s: %s summary %q does not name %q", r.who(), f.ID, f.Summary, a)
							}
						}
					}
				}
			})
			// Without the private /run, guard reads the host's, where
			// (on a host without systemd-resolved) no upstream is listed.
			if _, err := os.Stat("/run/systemd/resolve/resolv.conf"); sc.hostCannot != "" && errors.Is(err, fs.ErrNotExist) {
				r, err := runLabGuardEnv(l, bin, "", nil, labArgs()...)
				if err != nil || r.rep == nil {
					t.Fatalf("%v; %v", err, r)
				}
				t.Logf("with the host's /run: exit %d: %s", r.exit, r.rep.Summary)
				if r.exit != 1 || strings.Contains(r.rep.Summary, sc.hostCannot) {
					t.Errorf("with the host's /run: exit %d, summary %q names %s, which only the private /run lists", r.exit, r.rep.Summary, sc.hostCannot)
				}
			}
		})
	}
}
