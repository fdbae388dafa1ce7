//go:build linux

package main

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/netguard/netguard/checks"
	"github.com/netguard/netguard/checks/diagnose"
	"github.com/netguard/netguard/guard/internal/lab"
)

// TestLabTunnel brings a full tunnel up with the real wg-quick (which falls
// back to wireguard-go and installs its own fwmark rules, table 51820 and
// nftables marks): live, the route check names the route actually used
// and the run is healthy; with the server gone, the device is named with
// its table and rule, exit 1, and as root with the WireGuard handshake.
// Also dual-stack, as VPN providers' configurations are.
func TestLabTunnel(t *testing.T) {
	both := []string{"", "nobody"}
	args := []string{"--external", lab.ExternalIP, "--dns", lab.DNSName}
	args6 := []string{"--external", lab.ExternalIP + "," + lab.ExternalIP6, "--dns", lab.DNSName}
	runPathScenarios(t, []pathScenario{
		{
			name:   "tunnel-live",
			fault:  (*lab.Lab).LiveTunnel,
			args:   args,
			users:  both,
			want:   labExpect{exit: 0, verdicts: wantHealthy},
			absent: []string{diagnose.TunnelDead.ID, diagnose.TargetRouteDiverted.ID},
		},
		{
			name:    "tunnel-dead",
			fault:   (*lab.Lab).DeadTunnel,
			args:    args,
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
			args:    args,
			users:   []string{""},
			want:    labExpect{exit: 1, verdicts: wantUnhealthy, findings: []string{diagnose.TunnelDead.ID}},
			finding: diagnose.TunnelDead.ID,
			names: func(l *lab.Lab) []string {
				return []string{"tunnel " + l.TunnelIf(), "wireguard peer " + lab.ExternalIP + ":" + lab.TunnelPort + ": no handshake since the tunnel came up"}
			},
		},
		{
			name:   "tunnel-live-dual-stack",
			fault:  func(l *lab.Lab) { l.WGQuickTunnel(lab.WGQuick{ServerUp: true, InEtc: true, IPv6: true}) },
			args:   args6,
			users:  both,
			want:   labExpect{exit: 0, verdicts: wantHealthy},
			absent: []string{diagnose.TunnelDead.ID, diagnose.TargetRouteDiverted.ID},
		},
		{
			name:    "tunnel-dead-dual-stack",
			fault:   func(l *lab.Lab) { l.WGQuickTunnel(lab.WGQuick{InEtc: true, IPv6: true}) },
			args:    args6,
			users:   both,
			want:    labExpect{exit: 1, verdicts: wantUnhealthy, findings: []string{diagnose.TunnelDead.ID}},
			finding: diagnose.TunnelDead.ID,
			names: func(l *lab.Lab) []string {
				return []string{"tunnel " + l.TunnelIf(), lab.ExternalIP6, "route ::/0 table " + lab.TunnelTable}
			},
			within: checks.DefaultProbeWait + 400*time.Millisecond,
			absent: []string{diagnose.TargetRouteDiverted.ID, diagnose.NameServerRouteDiverted.ID},
		},
	})
}

// TestLabTunnelSteps runs the steps tunnel-dead prints for a wg-quick
// tunnel whose server is gone, as printed, on a dual-stack tunnel: with
// the configuration in /etc/wireguard, `wg-quick down <name>`; with one
// brought up by its path from elsewhere (where wg-quick down by name cannot
// find it, which the test shows), the device delete; and the
// table-qualified route deletes. Each brings the next check back to
// healthy for both families; wg-quick down also removes its rules of both
// families, its nftables table, the device and its daemon, and the device
// delete the device and its daemon.
func TestLabTunnelSteps(t *testing.T) {
	lab.RequireRoot(t)
	bin := lab.Build(t)
	for _, sc := range []struct {
		name string
		tun  lab.WGQuick
		// steps picks the manual steps to run: each one that holds
		// one of these.
		steps []string
		// gone are what `ip rule`, `nft list tables` and the links must
		// no longer show afterwards.
		gone func(l *lab.Lab) []string
		// daemonGone: the device and its wireguard-go are gone.
		daemonGone bool
	}{
		{name: "wg-quick-down", tun: lab.WGQuick{InEtc: true, IPv6: true}, steps: []string{"wg-quick down"}, daemonGone: true,
			gone: func(l *lab.Lab) []string {
				return []string{"lookup " + lab.TunnelTable, "suppress_prefixlength", "wg-quick-" + l.TunnelIf(), l.TunnelIf()}
			}},
		{name: "conf-elsewhere-device-delete", tun: lab.WGQuick{IPv6: true}, steps: []string{"ip link delete"}, daemonGone: true,
			gone: func(l *lab.Lab) []string { return []string{l.TunnelIf() + ":"} }},
		{name: "table-route-delete", tun: lab.WGQuick{InEtc: true, IPv6: true}, steps: []string{"ip route del"},
			gone: func(*lab.Lab) []string { return nil }},
	} {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			l := lab.New(t)
			l.WGQuickTunnel(sc.tun)
			args := labArgs("--external", lab.ExternalIP+","+lab.ExternalIP6)
			r, err := runLabGuardEnv(l, bin, "", nil, args...)
			if err != nil || r.rep == nil {
				t.Fatalf("guard check: %v; %v", err, r)
			}
			var steps []string
			wgDown := ""
			for _, s := range r.rep.ManualSteps {
				for _, want := range sc.steps {
					if strings.Contains(s, want) {
						steps = append(steps, s)
					}
				}
				if strings.Contains(s, "wg-quick down") && wgDown == "" {
					wgDown = s
				}
			}
			if r.exit != 1 || len(steps) == 0 || wgDown == "" {
				t.Fatalf("exit %d, no step with %q and wg-quick down among %q", r.exit, sc.steps, r.rep.ManualSteps)
			}
			if !sc.tun.InEtc {
				// wg-quick knows a tunnel by name only from
				// /etc/wireguard: the printed down fails here, which is
				// why the device delete is printed beside it.
				if out, code := runStep(t, l, wgDown); code == 0 {
					t.Fatalf("%q succeeded without the configuration in /etc/wireguard:\n%s", wgDown, out)
				} else {
					t.Logf("without /etc/wireguard/%s.conf: exit %d: %s", l.TunnelIf(), code, strings.TrimSpace(out))
				}
			}
			for _, s := range steps {
				if out, code := runStep(t, l, s); code != 0 {
					t.Fatalf("%q: exit %d\n%s", s, code, out)
				}
			}
			r, err = runLabGuardEnv(l, bin, "", nil, args...)
			if err != nil || r.rep == nil {
				t.Fatalf("guard check after the steps: %v; %v", err, r)
			}
			if r.exit != 0 || r.rep.Verdict != "healthy" {
				t.Errorf("after %q: exit %d, %s: %s", steps, r.exit, r.rep.Verdict, r.rep.Summary)
			}
			left, _, _ := l.Run(t, l.Client, "sh", "-c", "ip rule show; ip -6 rule show; nft list tables; ip -o link show")
			for _, g := range sc.gone(l) {
				if strings.Contains(left, g) {
					t.Errorf("after %q, %q is left:\n%s", steps, g, left)
				}
			}
			// The daemon goes with its device.
			for i := 0; sc.daemonGone && lab.WGDaemon(l.TunnelIf()) != 0; i++ {
				if i == 100 {
					t.Errorf("after %q, wireguard-go %s still runs after 2 s", steps, l.TunnelIf())
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
}

// runStep runs a printed manual step in the client as printed: through
// sudo where it is installed (we are root), its comment cut off.
func runStep(t *testing.T, l *lab.Lab, step string) (string, int) {
	t.Helper()
	cmd, _, _ := strings.Cut(step, "  # ")
	if _, err := exec.LookPath("sudo"); err != nil {
		cmd = strings.TrimPrefix(cmd, "sudo ")
	}
	t.Logf("running %q", cmd)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	stdout, stderr, code, err := lab.Capture(l.Cmd(ctx, l.Client, "sh", "-c", cmd))
	if err != nil {
		t.Fatalf("%s: %v", cmd, err)
	}
	return stdout + stderr, code
}
