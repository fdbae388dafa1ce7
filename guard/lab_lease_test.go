//go:build linux

package main

// Lab tests of the client's own addresses: a DHCP lease that never came
// (decided from the tables), and an address another host holds (IPv6
// duplicate address detection, read without root; an RFC 5227 ARP probe,
// sent only as root).

import (
	"strings"
	"testing"
	"time"

	"github.com/netguard/netguard/checks"
	"github.com/netguard/netguard/checks/diagnose"
	"github.com/netguard/netguard/guard/internal/lab"
)

func TestLabNoLease(t *testing.T) {
	both := []string{"", "nobody"}
	runPathScenarios(t, []pathScenario{
		{
			name:    "self-assigned-ipv4-only",
			fault:   (*lab.Lab).NoLease,
			users:   both,
			want:    labExpect{exit: 1, verdicts: wantUnhealthy, findings: []string{diagnose.LinkNoLease.ID}},
			finding: diagnose.LinkNoLease.ID,
			names:   func(l *lab.Lab) []string { return []string{l.ClientIf, lab.LinkLocalAddr, "lease never came"} },
			within:  300 * time.Millisecond,
			checks:  map[string]string{"link": "fail", "route": "skip"},
			absent:  []string{diagnose.NoDefaultRoute.ID},
		},
		{
			name:    "ipv6-link-local-alone",
			fault:   (*lab.Lab).NoLeaseLinkLocalOnly,
			users:   both,
			want:    labExpect{exit: 1, verdicts: wantUnhealthy, findings: []string{diagnose.LinkNoLease.ID}},
			finding: diagnose.LinkNoLease.ID,
			names:   func(l *lab.Lab) []string { return []string{l.ClientIf, "fe80::", "lease never came"} },
			within:  300 * time.Millisecond,
			absent:  []string{diagnose.NoDefaultRoute.ID},
		},
		{
			// DHCPv4 failed, IPv6 works: the IPv4 target and name server
			// are unreachable, and the missing IPv4 lease is named.
			name:    "dhcpv4-failed-ipv6-works",
			fault:   (*lab.Lab).NoLeaseIPv4,
			users:   both,
			want:    labExpect{exit: 1, verdicts: wantUnhealthy, findings: []string{diagnose.LinkNoLease.ID}},
			finding: diagnose.LinkNoLease.ID,
			names:   func(l *lab.Lab) []string { return []string{l.ClientIf, lab.LinkLocalAddr, "IPv4", "lease never came"} },
			within:  300 * time.Millisecond,
		},
		{
			// Control: a lost default route on a link that kept its
			// lease is not a missing lease.
			name:    "default-route-gone-address-kept",
			fault:   (*lab.Lab).RemoveDefaultRoute,
			users:   both,
			want:    labExpect{exit: 1, verdicts: wantUnhealthy, findings: []string{diagnose.NoDefaultRoute.ID}},
			finding: diagnose.NoDefaultRoute.ID,
			names:   func(*lab.Lab) []string { return []string{"no default route"} },
			absent:  []string{diagnose.LinkNoLease.ID},
		},
	})
}

func TestLabAddressConflict(t *testing.T) {
	runPathScenarios(t, []pathScenario{
		{
			// Control: a host answering ARP for our address that has not
			// taken our traffic is not probed for: a healthy run sends no
			// ARP probe (closing its packet socket alone costs an RCU
			// grace period), so it stays healthy.
			name:   "ipv4-claimed-traffic-works",
			fault:  func(l *lab.Lab) { l.ClaimClientAddress(false) },
			users:  []string{"", "nobody"},
			want:   labExpect{exit: 0, verdicts: wantHealthy},
			checks: map[string]string{"gateway": "pass", "internet": "pass"},
			absent: []string{diagnose.AddressConflict.ID},
		},
		{
			// The other host won the router's cache: nothing comes back,
			// and the conflict is the root cause.
			name:    "ipv4-claimed-traffic-stolen",
			fault:   func(l *lab.Lab) { l.ClaimClientAddress(true) },
			users:   []string{""},
			want:    labExpect{exit: 1, verdicts: wantUnhealthy, findings: []string{diagnose.AddressConflict.ID}},
			finding: diagnose.AddressConflict.ID,
			names:   func(l *lab.Lab) []string { return []string{l.ClientIf, lab.ClientIP, lab.ClaimantMAC} },
			absent:  []string{diagnose.GatewayNeighborWrong.ID},
			within:  checks.DefaultProbeWait + 400*time.Millisecond,
		},
		{
			name:    "ipv6-dad-failed",
			fault:   (*lab.Lab).DADFailure,
			users:   []string{"", "nobody"},
			want:    labExpect{exit: 0, verdicts: wantDegraded, findings: []string{diagnose.AddressConflict.ID}},
			finding: diagnose.AddressConflict.ID,
			names:   func(l *lab.Lab) []string { return []string{l.ClientIf, lab.DupAddr6, "duplicate address detection"} },
			checks:  map[string]string{"gateway": "pass", "internet": "pass"},
		},
		{
			// Control: a healthy LAN; the probe as root finds nobody.
			name:   "healthy",
			users:  []string{"", "nobody"},
			want:   labExpect{exit: 0, verdicts: wantHealthy},
			checks: map[string]string{"link": "pass"},
			absent: []string{diagnose.AddressConflict.ID, diagnose.LinkNoLease.ID},
		},
	})
}

// TestLabAddressConflictUnprivileged: as an unprivileged user the IPv4
// probe cannot be sent; the link check says so, with no conflict claimed,
// while root names the other host in the same lab.
func TestLabAddressConflictUnprivileged(t *testing.T) {
	lab.RequireRoot(t)
	bin := lab.Build(t)
	l := lab.New(t)
	l.ClaimClientAddress(true)
	runUsers(t, l, bin, []string{"nobody", ""}, nil, nil, func(r *labRun) {
		if r.rep == nil {
			t.Fatalf("no report; %v", r)
		}
		if r.exit != 1 {
			t.Errorf("as %s: exit %d, want 1: nothing comes back; %v", r.who(), r.exit, r)
		}
		if r.user == "" {
			if !namesCulprit(r.rep, diagnose.AddressConflict.ID, []string{lab.ClaimantMAC}) {
				t.Errorf("as root: no address-conflict naming %s; %v", lab.ClaimantMAC, r)
			}
			return
		}
		for _, f := range r.rep.Findings {
			if f.ID == diagnose.AddressConflict.ID {
				t.Errorf("as %s: %s without the probe: %s", r.who(), f.ID, f.Summary)
			}
		}
		for _, c := range r.rep.Checks {
			if c.ID == "link" && !strings.Contains(c.Detail, "IPv4 address conflicts not probed: needs root") {
				t.Errorf("as %s: link detail %q does not say the probe needs root", r.who(), c.Detail)
			}
		}
	})
}
