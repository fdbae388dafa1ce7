//go:build linux

package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/netguard/netguard/guard/internal/lab"
)

// fakeDaemon runs a process whose kernel name (comm) is name, the fact
// guard reads to tell a network manager runs, until the test ends.
func fakeDaemon(t *testing.T, name string) {
	t.Helper()
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Fatalf("sleep: %v", err)
	}
	data, err := os.ReadFile(sleep)
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	cmd := exec.CommandContext(ctx, bin, "60")
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = cmd.Wait() })
	for range 100 { // the comm is set at exec
		if b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(cmd.Process.Pid), "comm")); err == nil && strings.TrimSpace(string(b)) == name {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("fake %s did not start", name)
}

// With the DNS server down, the steps are those of the managers this
// machine runs: none at all (resolv.conf names the server directly) gets
// no resolvectl, nmcli or systemctl, and fix as root runs no manager's
// tool; NetworkManager and systemd-resolved (their daemons running,
// resolv.conf written by resolved) get theirs. The first line agrees
// with the evidence: the server refused.
func TestLabStepsFollowManagers(t *testing.T) {
	lab.RequireRoot(t)
	bin := lab.Build(t)
	l := lab.New(t)
	l.StopDNS()

	r := mustRun(t, l, bin, "", nil, labArgs()...)
	if r.exit != 1 || !slices.Contains(r.rep.ManualSteps, "cat /etc/resolv.conf  # the name servers asked") {
		t.Fatalf("no manager: want exit 1 with the resolv.conf step; %v", r)
	}
	for _, s := range r.rep.ManualSteps {
		for _, tool := range []string{"resolvectl", "nmcli", "systemctl", "networkctl"} {
			if strings.Contains(s, tool) {
				t.Errorf("no manager: step %q names %s", s, tool)
			}
		}
	}
	if strings.Contains(r.rep.Summary, "timed out") || !strings.Contains(r.rep.Summary, "connection refused") {
		t.Errorf("summary %q, want the server's refusal", r.rep.Summary)
	}
	f := mustRun(t, l, bin, "", nil, fixArgs()...)
	for _, rp := range repairsOf(t, f) {
		if rp.Action == "flush-dns" || rp.Action == "reapply-interface" {
			t.Errorf("no manager: fix tried %+v", rp)
		}
	}

	fakeDaemon(t, "NetworkManager")
	fakeDaemon(t, "systemd-resolve")
	l.SetResolvConf("# This is /run/systemd/resolve/resolv.conf managed by man:systemd-resolved(8).\nnameserver " + lab.ExternalIP + "\n")
	r = mustRun(t, l, bin, "", nil, labArgs()...)
	for _, want := range []string{"resolvectl query " + lab.DNSName, "sudo systemctl restart systemd-resolved", "nmcli device show  # the DNS servers NetworkManager got"} {
		if !slices.Contains(r.rep.ManualSteps, want) {
			t.Errorf("NetworkManager and resolved: steps %q lack %q", r.rep.ManualSteps, want)
		}
	}
	if slices.ContainsFunc(r.rep.ManualSteps, func(s string) bool { return strings.Contains(s, "networkctl") }) {
		t.Errorf("NetworkManager and resolved: steps %q name networkctl", r.rep.ManualSteps)
	}
}

// An interface named like a command substitution (the kernel accepts
// q$(id>&2) as a name) reaches the steps quoted: the step pasted into sh
// brings that interface up and runs nothing else.
func TestLabStepsQuoteHostileInterface(t *testing.T) {
	lab.RequireRoot(t)
	bin := lab.Build(t)
	l := lab.New(t)
	const name = "q$(id>&2)"
	for _, args := range [][]string{{"link", "set", "dev", l.ClientIf, "down"}, {"link", "set", "dev", l.ClientIf, "name", name}} {
		if _, stderr, exit := l.Run(t, l.Client, append([]string{"ip"}, args...)...); exit != 0 {
			t.Fatalf("ip %v: exit %d: %s", args, exit, stderr)
		}
	}
	r := mustRun(t, l, bin, "", nil, labArgs()...)
	want := "sudo ip link set dev 'q$(id>&2)' up"
	if r.exit != 1 || !slices.Contains(r.rep.ManualSteps, want) {
		t.Fatalf("want exit 1 with step %q; %v", want, r)
	}
	for _, s := range r.rep.ManualSteps {
		if strings.Contains(s, name) && !strings.Contains(s, "'"+name+"'") {
			t.Errorf("step %q holds the name unquoted", s)
		}
	}
	_, stderr, exit := l.Run(t, l.Client, "sh", "-c", strings.TrimPrefix(want, "sudo "))
	if exit != 0 || strings.Contains(stderr, "uid=") {
		t.Fatalf("the pasted step: exit %d, stderr %q (uid= means id ran)", exit, stderr)
	}
	if out, _, _ := l.Run(t, l.Client, "ip", "-o", "link", "show", "dev", name); !strings.Contains(out, ",UP") {
		t.Fatalf("the pasted step did not bring %s up: %s", name, out)
	}
}
