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

// TestLabWGQuick brings a full tunnel up with the real wg-quick (which
// falls back to wireguard-go and installs its own rules, table and
// nftables marks): with its server alive the run is healthy; with the
// server gone the device is named with its table and rule, and as root
// with the WireGuard handshake.
func TestLabWGQuick(t *testing.T) {
	args := []string{"--external", lab.ExternalIP, "--dns", lab.DNSName}
	args6 := []string{"--external", lab.ExternalIP + "," + lab.ExternalIP6, "--dns", lab.DNSName}
	runPathScenarios(t, []pathScenario{
		{
			name:   "wg-quick-live",
			fault:  func(l *lab.Lab) { l.WGQuickTunnel(lab.WGQuick{ServerUp: true, InEtc: true}) },
			args:   args,
			users:  []string{"", "nobody"},
			want:   labExpect{exit: 0, verdicts: wantHealthy},
			absent: []string{diagnose.TunnelDead.ID, diagnose.TargetRouteDiverted.ID},
		},
		{
			name:    "wg-quick-dead",
			fault:   func(l *lab.Lab) { l.WGQuickTunnel(lab.WGQuick{InEtc: true}) },
			args:    args,
			users:   []string{"", "nobody"},
			want:    labExpect{exit: 1, verdicts: wantUnhealthy, findings: []string{diagnose.TunnelDead.ID}},
			finding: diagnose.TunnelDead.ID,
			names: func(l *lab.Lab) []string {
				return []string{"tunnel " + l.WGQuickIf(), lab.ExternalIP, "table " + lab.TunnelTable, "not from all fwmark 0xca6c lookup 51820"}
			},
			within: checks.DefaultProbeWait + 400*time.Millisecond,
			absent: []string{diagnose.TargetRouteDiverted.ID, diagnose.NameServerRouteDiverted.ID},
		},
		{
			// The dual-stack configuration VPN providers hand out:
			// wg-quick's rules for both families, both through the
			// tunnel.
			name:   "wg-quick-live-dual-stack",
			fault:  func(l *lab.Lab) { l.WGQuickTunnel(lab.WGQuick{ServerUp: true, InEtc: true, IPv6: true}) },
			args:   args6,
			users:  []string{"", "nobody"},
			want:   labExpect{exit: 0, verdicts: wantHealthy},
			absent: []string{diagnose.TunnelDead.ID, diagnose.TargetRouteDiverted.ID},
		},
		{
			name:    "wg-quick-dead-dual-stack",
			fault:   func(l *lab.Lab) { l.WGQuickTunnel(lab.WGQuick{InEtc: true, IPv6: true}) },
			args:    args6,
			users:   []string{"", "nobody"},
			want:    labExpect{exit: 1, verdicts: wantUnhealthy, findings: []string{diagnose.TunnelDead.ID}},
			finding: diagnose.TunnelDead.ID,
			names: func(l *lab.Lab) []string {
				return []string{"tunnel " + l.WGQuickIf(), lab.ExternalIP6, "table " + lab.TunnelTable}
			},
			absent: []string{diagnose.TargetRouteDiverted.ID, diagnose.NameServerRouteDiverted.ID},
		},
		{
			name:    "wg-quick-dead-handshake",
			fault:   func(l *lab.Lab) { l.WGQuickTunnel(lab.WGQuick{InEtc: true}) },
			args:    args,
			users:   []string{""},
			want:    labExpect{exit: 1, verdicts: wantUnhealthy, findings: []string{diagnose.TunnelDead.ID}},
			finding: diagnose.TunnelDead.ID,
			names: func(l *lab.Lab) []string {
				return []string{"tunnel " + l.WGQuickIf(), "wireguard peer " + lab.ExternalIP + ":" + lab.TunnelPort + ": no handshake since the tunnel came up"}
			},
		},
	})
}

// TestLabWGQuickDown runs the step tunnel-dead prints for a wg-quick
// tunnel whose server is gone, as printed: with the configuration in
// /etc/wireguard, `wg-quick down <name>`; with one brought up by its path
// from elsewhere (where wg-quick down by name cannot find it), the device
// delete. Either brings the next check back to healthy for both families
// of a dual-stack tunnel, and wg-quick down removes its rules (IPv4 and
// IPv6), its nftables tables, the device and its daemon.
func TestLabWGQuickDown(t *testing.T) {
	lab.RequireRoot(t)
	bin := lab.Build(t)
	for _, sc := range []struct {
		name string
		tun  lab.WGQuick
		// step picks the manual step to run.
		step string
		// gone are what `ip rule`, `nft list tables` and the links must
		// no longer show afterwards.
		gone func(l *lab.Lab) []string
	}{
		{name: "conf-in-etc", tun: lab.WGQuick{InEtc: true, IPv6: true}, step: "wg-quick down",
			gone: func(l *lab.Lab) []string {
				return []string{"lookup " + lab.TunnelTable, "suppress_prefixlength", "wg-quick-" + l.WGQuickIf(), l.WGQuickIf()}
			}},
		{name: "conf-by-path", tun: lab.WGQuick{IPv6: true}, step: "ip link delete",
			gone: func(l *lab.Lab) []string { return []string{l.WGQuickIf() + ":"} }},
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
			var step, wgDown string
			for _, s := range r.rep.ManualSteps {
				if strings.Contains(s, sc.step) && step == "" {
					step = s
				}
				if strings.Contains(s, "wg-quick down") && wgDown == "" {
					wgDown = s
				}
			}
			if r.exit != 1 || step == "" || wgDown == "" {
				t.Fatalf("exit %d, no step with %q and wg-quick down among %q", r.exit, sc.step, r.rep.ManualSteps)
			}
			if !sc.tun.InEtc {
				// wg-quick knows a tunnel by name only from
				// /etc/wireguard: the printed down fails here, which is
				// why the device delete is printed beside it.
				if out, code := runStep(t, l, wgDown); code == 0 {
					t.Fatalf("%q succeeded without the configuration in /etc/wireguard:\n%s", wgDown, out)
				} else {
					t.Logf("%q without /etc/wireguard/%s.conf: exit %d: %s", wgDown, l.WGQuickIf(), code, strings.TrimSpace(out))
				}
			}
			if out, code := runStep(t, l, step); code != 0 {
				t.Fatalf("%q: exit %d\n%s", step, code, out)
			}
			r, err = runLabGuardEnv(l, bin, "", nil, args...)
			if err != nil || r.rep == nil {
				t.Fatalf("guard check after the step: %v; %v", err, r)
			}
			if r.exit != 0 || r.rep.Verdict != "healthy" {
				t.Errorf("after %q: exit %d, %s: %s", step, r.exit, r.rep.Verdict, r.rep.Summary)
			}
			left, _, _ := l.Run(t, l.Client, "sh", "-c", "ip rule show; ip -6 rule show; nft list tables; ip -o link show")
			for _, g := range sc.gone(l) {
				if strings.Contains(left, g) {
					t.Errorf("after %q, %q is left:\n%s", step, g, left)
				}
			}
			// The daemon goes with its device.
			for i := 0; lab.WGDaemon(l.WGQuickIf()) != 0; i++ {
				if i == 100 {
					t.Errorf("after %q, wireguard-go %s still runs after 2 s", step, l.WGQuickIf())
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
	out, code := "", 0
	stdout, stderr, code, err := lab.Capture(l.Cmd(ctx, l.Client, "sh", "-c", cmd))
	if err != nil {
		t.Fatalf("%s: %v", cmd, err)
	}
	out = stdout + stderr
	return out, code
}
