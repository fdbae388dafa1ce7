//go:build linux

package main

// Lab tests of the firewall check: nftables rules in the client namespace
// (a reject of HTTPS, a VPN's DNS leak protection and kill switch left
// behind, and a firewall that allows what a start needs), the real binary
// as root, which reads the rules, and as nobody, which judges from errno.

import (
	"testing"

	"github.com/netguard/netguard/checks/diagnose"
	"github.com/netguard/netguard/guard/internal/lab"
)

// firewallFails is what a run expects when the firewall check fails with
// finding id and names the culprit, without the findings in absent.
func firewallFails(id string, absent ...string) localExpect {
	return localExpect{labExpect: labExpect{exit: 1, verdicts: wantUnhealthy, findings: []string{id}},
		finding: id, rootCulprit: true, checkID: "firewall", status: "fail", absent: absent}
}

// rootAndNobody runs guard check in l as root, which must meet root and
// name culprit, and as nobody, which must meet nobody and name
// nobodyCulprit (culprit when that is ""). rootMore, when set, checks more
// of root's report.
func rootAndNobody(t *testing.T, l *lab.Lab, bin, culprit, nobodyCulprit string, root, nobody localExpect, rootMore func(*labReport)) {
	t.Helper()
	runUsers(t, l, bin, []string{""}, nil, nil, func(r *labRun) {
		root.checkLocal(t, r, culprit)
		if rootMore != nil && r.rep != nil {
			rootMore(r.rep)
		}
	})
	if nobodyCulprit == "" {
		nobodyCulprit = culprit
	}
	runUsers(t, l, bin, []string{"nobody"}, nil, nil, func(r *labRun) { nobody.checkLocal(t, r, nobodyCulprit) })
}

func TestLabFirewall(t *testing.T) {
	lab.RequireRoot(t)
	bin := lab.Build(t)
	for _, sc := range []struct {
		name    string
		setup   func(*lab.Lab)
		culprit string
		// nobodyCulprit, when set, is what the unprivileged run names.
		nobodyCulprit string
		root          localExpect
		nobody        localExpect
	}{
		{
			// A plain reject answers connect with ECONNREFUSED, as the
			// host's own refusal does: root reads the rule, nobody the
			// ICMP error's sender, this host (IP_RECVERR).
			name:          "reject-443",
			setup:         func(l *lab.Lab) { l.RejectHTTPS("reject") },
			culprit:       "inet ngfw output handle",
			nobodyCulprit: "rejected by this host's own firewall",
			root:          firewallFails(diagnose.FirewallBlocksHTTPS.ID),
			nobody:        firewallFails(diagnose.FirewallBlocksHTTPS.ID),
		},
		{
			name:          "reject-443-admin-prohibited",
			setup:         func(l *lab.Lab) { l.RejectHTTPS("reject with icmpx admin-prohibited") },
			culprit:       "inet ngfw output handle",
			nobodyCulprit: "rejected by this host's own firewall",
			root:          firewallFails(diagnose.FirewallBlocksHTTPS.ID),
			nobody:        firewallFails(diagnose.FirewallBlocksHTTPS.ID),
		},
		{
			// The router rejects 443: a firewall on the way, which root
			// can tell from the client's own rules.
			name:          "reject-443-upstream",
			setup:         func(l *lab.Lab) { l.RejectHTTPSUpstream() },
			culprit:       "on the way (this machine's rules allow it)",
			nobodyCulprit: "here or on the way",
			root:          firewallFails(diagnose.HTTPSRejected.ID),
			nobody:        firewallFails(diagnose.HTTPSRejected.ID),
		},
		{
			name:          "dns-leak-guard",
			setup:         func(l *lab.Lab) { l.DNSLeakGuard() },
			culprit:       "every server but " + lab.VPNDNS,
			nobodyCulprit: lab.ExternalIP,
			root:          firewallFails(diagnose.FirewallDNSLeakGuard.ID, diagnose.DNSFailed.ID),
			nobody: localExpect{labExpect: labExpect{exit: 1, verdicts: wantUnhealthy, findings: []string{diagnose.FirewallBlocksDNS.ID}},
				finding: diagnose.FirewallBlocksDNS.ID, checkID: "firewall", status: "fail", absent: []string{diagnose.DNSFailed.ID}},
		},
		{
			name:  "kill-switch",
			setup: func(l *lab.Lab) { l.KillSwitch() },
			root: localExpect{labExpect: labExpect{exit: 1, verdicts: wantUnhealthy, findings: []string{diagnose.FirewallKillSwitch.ID}},
				finding: diagnose.FirewallKillSwitch.ID, rootCulprit: true, checkID: "firewall", status: "fail",
				absent: []string{diagnose.InternetUnreachable.ID, diagnose.GatewayNeighborWrong.ID, diagnose.GatewayUnreachable.ID, diagnose.DNSFailed.ID}},
			culprit:       lab.TunnelIf,
			nobodyCulprit: lab.ExternalIP,
			nobody: localExpect{labExpect: labExpect{exit: 1, verdicts: wantUnhealthy, findings: []string{diagnose.LocalFirewallBlocks.ID}},
				finding: diagnose.LocalFirewallBlocks.ID, rootCulprit: true, absent: []string{diagnose.GatewayNeighborWrong.ID, diagnose.GatewayUnreachable.ID}},
		},
		{
			name:   "allowing-firewall",
			setup:  func(l *lab.Lab) { l.AllowingFirewall() },
			root:   localExpect{labExpect: labExpect{exit: 0, verdicts: wantHealthy}, checkID: "firewall", status: "pass"},
			nobody: localExpect{labExpect: labExpect{exit: 0, verdicts: wantHealthy}, checkID: "firewall", status: "unknown"},
		},
	} {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			l := lab.New(t)
			sc.setup(l)
			rootAndNobody(t, l, bin, sc.culprit, sc.nobodyCulprit, sc.root, sc.nobody, nil)
		})
	}
}
