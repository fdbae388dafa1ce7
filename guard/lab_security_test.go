//go:build linux

package main

// Lab tests of the privileged helper's limits: it acts only on
// current findings of the machine it runs on, never from a binary anyone
// but root could replace, and sudo is never asked to run such a binary.

import (
	"bytes"
	"context"
	"io"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"

	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/netguard/netguard/guard/internal/lab"
)

// As root, with exactly the argv a `guard repair *` sudoers rule permits:
// nothing that is not a current finding changes.
func TestLabRepairHelperActsOnlyOnFindings(t *testing.T) {
	lab.RequireRoot(t)
	bin := lab.Build(t)
	l := lab.New(t)
	const other = "198.18.3.9"
	l.Run(t, l.Client, "ip", "neigh", "replace", other, "lladdr", "02:00:00:00:00:09", "dev", l.ClientIf, "nud", "permanent")
	// quar0 is left down by the administrator.
	if _, stderr, exit := l.Run(t, l.Client, "ip", "link", "add", "quar0", "type", "veth", "peer", "name", "quar1"); exit != 0 {
		t.Fatalf("add quar0: %s", stderr)
	}
	before := l.Snapshot(t)
	for _, tc := range []struct {
		args []string
		exit exitCode
		msg  string
	}{
		{[]string{"delete-neighbor", l.ClientIf, other}, repairExitFailed, "not the gateway"},
		{[]string{"restore-neighbor", l.ClientIf, lab.GatewayIP, "02:00:00:de:ad:01"}, exitUsage, "unknown action"},
		{[]string{"delete-neighbor", l.ClientIf, "255.255.255.255"}, exitUsage, "not a unicast host"},
		{[]string{"link-up", "quar0"}, repairExitFailed, "not a down link"},
		{[]string{"reapply-interface", "nosuch0"}, repairExitFailed, "no interface"},
		{[]string{"flush-neighbors", "quar0"}, repairExitFailed, "carries no default route"},
	} {
		stdout, stderr, exit := l.Run(t, l.Client, append([]string{bin, "repair"}, tc.args...)...)
		if exitCode(exit) != tc.exit || !strings.Contains(stderr, tc.msg) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("repair %v: exit %d, stderr %q, stdout %q; want exit %d and one line with %q", tc.args, exit, stderr, stdout, tc.exit, tc.msg)
		}
	}
	if after := l.Snapshot(t); after != before {
		t.Fatalf("the helper changed the network:\n%s\n---\n%s", before, after)
	}
	out, _, _ := l.Run(t, l.Client, "ip", "-o", "link", "show", "quar0")
	if strings.Contains(out, ",UP") {
		t.Fatalf("quar0 brought up: %s", out)
	}
	// The gateway's own entry, a current finding, is repaired.
	l.WrongGatewayMAC()
	if _, stderr, exit := l.Run(t, l.Client, bin, "repair", "delete-neighbor", l.ClientIf, lab.GatewayIP); exit != 0 {
		t.Fatalf("repair of the gateway's wrong permanent entry: exit %d: %s", exit, stderr)
	}
	if n := gatewayNeigh(t, l); strings.Contains(n, "PERMANENT") {
		t.Fatalf("entry still permanent: %q", n)
	}
}

// A guard binary its user can replace is never run through sudo, and the
// helper refuses to run as root from it: a sudoers rule for such a path
// would be passwordless root for that user.
func TestLabSudoRefusesUserWritableBinary(t *testing.T) {
	lab.RequireRoot(t)
	lab.RequireSudo(t)
	bin := lab.Build(t)
	l := lab.New(t)
	dir := filepath.Join(t.TempDir(), "home-bin")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{filepath.Dir(dir), filepath.Dir(filepath.Dir(dir))} {
		if err := os.Chmod(d, 0o755); err != nil { // let nobody reach its directory
			t.Fatal(err)
		}
	}
	userBin := filepath.Join(dir, "guard")
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(userBin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, 65534, 65534); err != nil { // nobody's own directory
		t.Fatal(err)
	}
	rule := filepath.Join("/etc/sudoers.d", "netguard-test-unsafe-"+filepath.Base(l.Client))
	if err := os.WriteFile(rule, []byte(fmt.Sprintf("nobody ALL=(root) NOPASSWD: %s repair *\n", userBin)), 0o440); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(rule) })
	l.WrongGatewayMAC()
	before := l.Snapshot(t)
	r := mustRun(t, l, userBin, "nobody", nil, fixArgs("--sudo", "auto")...)
	if r.exit != 1 || r.rep.Verdict != "unhealthy" {
		t.Fatalf("want exit 1 unhealthy; %v", r)
	}
	rs := repairsOf(t, r)
	if len(rs) == 0 || !strings.HasPrefix(rs[0].Result, "not permitted") || !strings.Contains(rs[0].Result, "owned by uid 65534") {
		t.Fatalf("repairs %+v, want not permitted naming the owner", rs)
	}
	// No step the helper would refuse: the plain command, and last the
	// install line.
	steps := r.rep.ManualSteps
	if slices.ContainsFunc(steps, func(s string) bool { return strings.Contains(s, userBin+" repair") }) ||
		len(steps) < 2 || !strings.Contains(steps[len(steps)-1], "sudo install -o root -m 0755 "+userBin+" /usr/local/libexec/netguard/guard") ||
		steps[0] != fmt.Sprintf("sudo ip neigh del %s dev %s", lab.GatewayIP, l.ClientIf) {
		t.Fatalf("manual steps %q: want the plain command first, the install line last, and no helper step", steps)
	}
	// Run as root directly (what a rule would do): refused, one line.
	_, stderr, exit := l.Run(t, l.Client, userBin, "repair", "delete-neighbor", l.ClientIf, lab.GatewayIP)
	if exitCode(exit) != repairExitFailed || !strings.Contains(stderr, "refusing to run as root") {
		t.Fatalf("helper from a user-owned directory: exit %d, %q", exit, stderr)
	}
	if after := l.Snapshot(t); after != before {
		t.Fatalf("network changed:\n%s\n---\n%s", before, after)
	}
}

// The helper's environment is its own: a PATH the caller set cannot make
// it run another program as root.
func TestLabHelperIgnoresCallersPath(t *testing.T) {
	lab.RequireRoot(t)
	bin := lab.Build(t)
	l := lab.New(t)
	evil := t.TempDir()
	marker := filepath.Join(evil, "ran")
	for _, name := range []string{"networkctl", "nmcli", "resolvectl", "ip"} {
		script := fmt.Sprintf("#!/bin/sh\ntouch %s\n", marker)
		if err := os.WriteFile(filepath.Join(evil, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, args := range [][]string{{"reapply-interface", l.ClientIf}, {"flush-dns"}} {
		cmd := l.Cmd(ctx, l.Client, append([]string{bin, "repair"}, args...)...)
		cmd.Env = append(cmd.Env, "PATH="+evil+":/usr/sbin:/usr/bin:/sbin:/bin")
		_ = cmd.Run() // may fail: no network manager in the lab
		if _, err := os.Stat(marker); err == nil {
			t.Fatalf("repair %v ran a program from the caller's PATH", args)
		}
	}
}

// A prompting sudo is not killed by the run's deadline, and the terminal
// keeps its echo whatever happens to the prompt: a user typing a password
// must never be left with a terminal that echoes it.
func TestLabSudoPromptOutlivesDeadlineAndKeepsEcho(t *testing.T) {
	lab.RequireRoot(t)
	lab.RequireSudo(t)
	bin := lab.Build(t)
	l := lab.New(t)
	l.WrongGatewayMAC()
	m, s := openPTY(t)
	var out syncBuffer
	go func() { _, _ = io.Copy(&out, m) }()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := l.CmdAs(ctx, l.Client, "nobody", bin, "fix", "--sudo", "prompt", "--timeout", "1s",
		"--external", lab.ExternalIP, "--dns", lab.DNSName)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = s, s, s
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.Now().Add(40 * time.Second) // generous: a loaded 2-core runner
	for !strings.Contains(strings.ToLower(out.String()), "password") {
		if time.Now().After(deadline) {
			t.Fatalf("no sudo prompt:\n%s", out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	select {
	case err := <-exited:
		t.Fatalf("guard ended while sudo was prompting (%v):\n%s", err, out.String())
	case <-time.After(2 * time.Second): // twice the run's --timeout
	}
	if _, err := m.Write([]byte{3}); err != nil { // Ctrl-C at the prompt
		t.Fatal(err)
	}
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		t.Fatalf("guard did not end after Ctrl-C:\n%s", out.String())
	}
	// A repair was under way: guard caught the signal (it arms its
	// handlers before the first repair) and said so.
	if code := cmd.ProcessState.ExitCode(); code != int(exitInterrupted) || !strings.Contains(out.String(), "guard: interrupted") {
		t.Errorf("after Ctrl-C at the prompt: %v, want exit %d and \"guard: interrupted\":\n%s", cmd.ProcessState, exitInterrupted, out.String())
	}
	tio, err := unix.IoctlGetTermios(int(s.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	if tio.Lflag&unix.ECHO == 0 {
		t.Fatalf("terminal left without echo:\n%s", out.String())
	}
}

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
