//go:build linux

package main

// Lab tests of the firewall check over iptables: the legacy back end
// (x_tables), which guard reads from the kernel with getsockopt as
// iptables-legacy does, and iptables-nft, whose rules guard reads as
// nftables. The real binary runs as root, which reads the rules, and as
// nobody, which judges from errno.

import (
	"slices"
	"strings"
	"testing"

	"github.com/netguard/netguard/checks/diagnose"
	"github.com/netguard/netguard/guard/internal/lab"
)

func TestLabFirewallIptables(t *testing.T) {
	lab.RequireRoot(t)
	bin := lab.Build(t)
	for _, sc := range []struct {
		name    string
		setup   func(*lab.Lab)
		culprit string
		// step, when set, must be one of root's manual steps; detail is
		// in root's firewall check detail.
		step, detail  string
		nobodyCulprit string
		root          localExpect
		nobody        localExpect
	}{
		{
			name:          "legacy-reject-443",
			setup:         func(l *lab.Lab) { l.LegacyRejectHTTPS() },
			culprit:       "iptables-legacy filter OUTPUT rule 1: -p tcp -m tcp --dport 443 -j REJECT",
			step:          "sudo iptables-legacy -t filter -D OUTPUT 1",
			detail:        "nftables, iptables-legacy: 1 output chain(s) read",
			nobodyCulprit: "rejected by this host's own firewall",
			root:          firewallFails(diagnose.FirewallBlocksHTTPS.ID),
			nobody:        firewallFails(diagnose.FirewallBlocksHTTPS.ID),
		},
		{
			// nftables lets HTTPS out, the legacy table rejects it: both
			// output hooks run, and the packet must pass each.
			name:          "nft-allows-legacy-rejects-443",
			setup:         func(l *lab.Lab) { l.AllowingFirewall(); l.LegacyRejectHTTPS() },
			culprit:       "iptables-legacy filter OUTPUT rule 1: -p tcp -m tcp --dport 443 -j REJECT",
			detail:        "nftables, iptables-legacy: 2 output chain(s) read",
			nobodyCulprit: "rejected by this host's own firewall",
			root:          firewallFails(diagnose.FirewallBlocksHTTPS.ID),
			nobody:        firewallFails(diagnose.FirewallBlocksHTTPS.ID),
		},
		{
			name:  "legacy-kill-switch",
			setup: func(l *lab.Lab) { l.LegacyKillSwitch() },
			root: localExpect{labExpect: labExpect{exit: 1, verdicts: wantUnhealthy, findings: []string{diagnose.FirewallKillSwitch.ID}},
				finding: diagnose.FirewallKillSwitch.ID, rootCulprit: true, checkID: "firewall", status: "fail",
				absent: []string{diagnose.InternetUnreachable.ID, diagnose.GatewayNeighborWrong.ID, diagnose.GatewayUnreachable.ID, diagnose.DNSFailed.ID}},
			culprit:       "iptables-legacy filter OUTPUT drops everything not sent through " + lab.TunnelIf,
			step:          "sudo iptables-legacy -t filter -L OUTPUT -n -v --line-numbers",
			nobodyCulprit: lab.ExternalIP,
			nobody: localExpect{labExpect: labExpect{exit: 1, verdicts: wantUnhealthy, findings: []string{diagnose.LocalFirewallBlocks.ID}},
				finding: diagnose.LocalFirewallBlocks.ID, rootCulprit: true, absent: []string{diagnose.GatewayNeighborWrong.ID, diagnose.GatewayUnreachable.ID}},
		},
		{
			name:          "legacy-dns-leak-guard",
			setup:         func(l *lab.Lab) { l.LegacyDNSLeakGuard() },
			culprit:       "every server but " + lab.VPNDNS + " (iptables-legacy filter vpn-dns rule 1",
			step:          "sudo iptables-legacy -t filter -D vpn-dns 1",
			nobodyCulprit: lab.ExternalIP,
			root:          firewallFails(diagnose.FirewallDNSLeakGuard.ID, diagnose.DNSFailed.ID),
			nobody: localExpect{labExpect: labExpect{exit: 1, verdicts: wantUnhealthy, findings: []string{diagnose.FirewallBlocksDNS.ID}},
				finding: diagnose.FirewallBlocksDNS.ID, checkID: "firewall", status: "fail", absent: []string{diagnose.DNSFailed.ID}},
		},
		{
			name:   "legacy-allowing-firewall",
			setup:  func(l *lab.Lab) { l.LegacyAllowingFirewall() },
			detail: "nftables, iptables-legacy: 1 output chain(s) read",
			root:   localExpect{labExpect: labExpect{exit: 0, verdicts: wantHealthy}, checkID: "firewall", status: "pass"},
			nobody: localExpect{labExpect: labExpect{exit: 0, verdicts: wantHealthy}, checkID: "firewall", status: "unknown"},
		},
		{
			// iptables-nft's rules are nftables rules: read as such, the
			// xtables compat matches opaque (they only drop, so the
			// reject after them is still proven).
			name:          "iptables-nft-reject-443",
			setup:         func(l *lab.Lab) { l.NFTCompatRejectHTTPS() },
			culprit:       "ip filter OUTPUT handle 4: meta l4proto tcp th dport 443 reject",
			step:          "sudo nft delete rule ip filter OUTPUT handle 4",
			detail:        "nftables: 1 output chain(s) read",
			nobodyCulprit: "rejected by this host's own firewall",
			root:          firewallFails(diagnose.FirewallBlocksHTTPS.ID),
			nobody:        firewallFails(diagnose.FirewallBlocksHTTPS.ID),
		},
	} {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			l := lab.New(t)
			sc.setup(l)
			rootAndNobody(t, l, bin, sc.culprit, sc.nobodyCulprit, sc.root, sc.nobody, func(rep *labReport) {
				if sc.step != "" && !slices.ContainsFunc(rep.ManualSteps, func(m string) bool { return strings.Contains(m, sc.step) }) {
					t.Errorf("manual steps %q lack %q", rep.ManualSteps, sc.step)
				}
				for _, c := range rep.Checks {
					if c.ID == "firewall" && !strings.Contains(c.Detail, sc.detail) {
						t.Errorf("firewall detail %q lacks %q", c.Detail, sc.detail)
					}
				}
			})
		})
	}
}
