//go:build linux

package main

import (
	"context"
	"strings"
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
			absent: []string{diagnose.TargetRouteDiverted.ID, diagnose.NameServerRouteDiverted.ID},
		},
		{
			// As root the device's own state is the evidence.
			name:    "tunnel-dead-handshake",
			fault:   (*lab.Lab).DeadTunnel,
			args:    []string{"--external", lab.ExternalIP, "--dns", lab.DNSName},
			users:   []string{""},
			want:    labExpect{exit: 1, verdicts: wantUnhealthy, findings: []string{diagnose.TunnelDead.ID}},
			finding: diagnose.TunnelDead.ID,
			names: func(l *lab.Lab) []string {
				return []string{"tunnel " + l.TunnelIf(), "wireguard peer " + lab.ExternalIP + ":" + lab.TunnelPort + ": no handshake since the tunnel came up"}
			},
		},
	})
}

// TestLabTunnelStepWorks runs the table-qualified route delete that
// tunnel-dead prints, as printed, on the dead tunnel: the targets then take
// the main table's default route again and the check is healthy.
func TestLabTunnelStepWorks(t *testing.T) {
	lab.RequireRoot(t)
	bin := lab.Build(t)
	l := lab.New(t)
	l.DeadTunnel()
	r, err := runLabGuardEnv(l, bin, "", nil, labArgs()...)
	if err != nil || r.rep == nil {
		t.Fatalf("guard check: %v; %v", err, r)
	}
	var step string
	for _, s := range r.rep.ManualSteps {
		if strings.Contains(s, "ip route del") && strings.Contains(s, "table 51820") {
			step = s
		}
	}
	if r.exit != 1 || step == "" {
		t.Fatalf("exit %d, no table-qualified delete among %q", r.exit, r.rep.ManualSteps)
	}
	cmd, _, _ := strings.Cut(strings.TrimPrefix(step, "sudo "), "  # ")
	t.Logf("running %q", cmd)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if out, err := l.Cmd(ctx, l.Client, "sh", "-c", cmd).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", cmd, err, out)
	}
	r, err = runLabGuardEnv(l, bin, "", nil, labArgs()...)
	if err != nil || r.rep == nil {
		t.Fatalf("guard check after the step: %v; %v", err, r)
	}
	if r.exit != 0 || r.rep.Verdict != "healthy" {
		t.Errorf("after %q: exit %d, %s: %s", cmd, r.exit, r.rep.Verdict, r.rep.Summary)
	}
}
