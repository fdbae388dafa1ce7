//go:build linux

package main

import (
	"testing"
	"time"

	"github.com/netguard/netguard/checks"
	"github.com/netguard/netguard/checks/diagnose"
	"github.com/netguard/netguard/guard/internal/lab"
)

// TestLabTunnel runs a wg-quick full tunnel (its fwmark rule and table
// 51820): live, the route check names the route actually used and the run
// is healthy; with the server gone, the device is named with exit 1.
func TestLabTunnel(t *testing.T) {
	both := []string{"", "nobody"}
	runPathScenarios(t, []pathScenario{
		{
			name:   "tunnel-live",
			fault:  (*lab.Lab).LiveTunnel,
			args:   []string{"--external", lab.ExternalIP, "--dns", lab.DNSName},
			users:  both,
			want:   labExpect{exit: 0, verdicts: wantHealthy},
			absent: []string{diagnose.TunnelDead.ID, diagnose.TargetRouteDiverted.ID},
		},
		{
			name:    "tunnel-dead",
			fault:   (*lab.Lab).DeadTunnel,
			args:    []string{"--external", lab.ExternalIP, "--dns", lab.DNSName},
			users:   both,
			want:    labExpect{exit: 1, verdicts: wantUnhealthy, findings: []string{diagnose.TunnelDead.ID}},
			finding: diagnose.TunnelDead.ID,
			names: func(l *lab.Lab) []string {
				return []string{"tunnel " + l.TunnelIf(), lab.ExternalIP, "table " + lab.TunnelTable, "not from all fwmark 0xca6c lookup 51820"}
			},
			within: checks.DefaultProbeWait + 400*time.Millisecond,
			absent: []string{diagnose.TargetRouteDiverted.ID},
		},
	})
}
