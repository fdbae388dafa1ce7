//go:build linux

package main

// The command-line conventions over the real binary, inside a lab's client
// namespace with the lab's own targets, so even a check that ran by
// mistake would stay in the lab. Needs root; fails (never skips) without.

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/netguard/netguard/guard/internal/lab"
)

// labTargets are the lab's targets as NETGUARD_* variables.
var labTargets = []string{"NETGUARD_EXTERNAL=" + lab.ExternalIP, "NETGUARD_DNS=" + lab.DNSName, "NETGUARD_TIMEOUT=2s"}

func TestLabCLIConventions(t *testing.T) {
	lab.RequireRoot(t)
	bin := lab.Build(t)
	l := lab.New(t)
	noexec := filepath.Join(l.Dir, "not-executable")
	if err := os.WriteFile(noexec, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args   []string
		exit   int
		stdout string // regexp
		stderr string // regexp; "" means empty
	}{
		{nil, 2, `^$`, `A bare guard checks nothing`},
		{[]string{"--version"}, 0, `^guard \S+ \(commit \S+(, built \S+)?, go1\.[^,]+, linux/\w+\)\n$`, ``},
		{[]string{"help", "check"}, 0, `(?s)usage: guard check.*--timeout DURATION.*examples:`, ``},
		{[]string{"check", "--help"}, 0, `(?s)usage: guard check.*--timeout DURATION`, ``},
		{[]string{"check", "--timeout", "a: b"}, 2, `^$`, `^guard: flag "--timeout": timeout: invalid duration "a: b" \(e\.g\. 2s, 500ms\)\n$`},
		{[]string{"check", "--timeout=x\ny"}, 2, `^$`, `^guard: flag "--timeout=x\\ny": timeout: invalid duration "x\\ny".*\n$`},
		{[]string{"--bogus", "check"}, 2, `^$`, `^guard: unknown flag "--bogus" \(see guard help\)\n$`},
		{[]string{"check", "--fix"}, 2, `^$`, `^guard: flag "--fix" is not for guard check \(it is for guard watch\)\n$`},
		{[]string{"run", "--", "/no/such/program"}, 127, `^$`, `^guard run: "/no/such/program": command not found\n$`},
		{[]string{"run", "--", noexec}, 126, `^$`, `^guard run: ".*not-executable": permission denied \(not executable\)\n$`},
		{[]string{"explain", "gateway-neighbor-wrong"}, 0, `(?s)why it matters:.*how guard decided:.*steps on linux:\n  → `, ``},
		{[]string{"explain", "gateway-neighbor-wrong", "--os", "windows"}, 0, `(?s)steps on windows:`, ``},
		// Global flags before the command; a healthy check is one line.
		{[]string{"--json", "check"}, 0, `(?s)^\{\n  "schema": 1,.*"verdict": "healthy"`, `^netguard: healthy \(\d+\.\d ms\)\n$`},
		{[]string{"check"}, 0, `^$`, `^netguard: healthy \(\d+\.\d ms\)\n$`},
		{[]string{"check", "-q"}, 0, `^$`, `^$`},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), lab.RunTimeout)
		cmd := l.Cmd(ctx, l.Client, append([]string{bin}, tc.args...)...)
		cmd.Env = append(cmd.Env, labTargets...)
		stdout, stderr, exit := lab.RunCmd(t, cmd)
		cancel()
		if exit != tc.exit || !regexp.MustCompile(tc.stdout).MatchString(stdout) || !regexp.MustCompile(tc.stderr).MatchString(stderr) ||
			(tc.stderr == "" && stderr != "") {
			t.Errorf("guard %q: exit %d (want %d)\nstdout:\n%s\nstderr:\n%s", tc.args, exit, tc.exit, stdout, stderr)
		}
	}
}

// TestLabRunStdout checks that stdout belongs to the command guard run
// starts. The
// JSON report goes to stderr, whichever way JSON was asked for, or to the
// file --json-file names.
func TestLabRunStdout(t *testing.T) {
	lab.RequireRoot(t)
	bin := lab.Build(t)
	l := lab.New(t)
	child := []string{"--", "sh", "-c", "echo child-out"}
	cfg := filepath.Join(l.Dir, ".netguard.yaml")
	report := filepath.Join(l.Dir, "report.json")
	for _, tc := range []struct {
		name   string
		args   []string
		env    []string
		config string
	}{
		{"--json", append([]string{"run", "--json"}, child...), nil, ""},
		{"--json before run", append([]string{"--json", "run"}, child...), nil, ""},
		{"NETGUARD_JSON", append([]string{"run"}, child...), []string{"NETGUARD_JSON=1"}, ""},
		{"json: true in .netguard.yaml", append([]string{"run"}, child...), nil, "json: true\n"},
		{"--json-file", append([]string{"run", "--json-file", report}, child...), nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			os.Remove(cfg)
			os.Remove(report)
			if tc.config != "" {
				if err := os.WriteFile(cfg, []byte(tc.config), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), lab.RunTimeout)
			defer cancel()
			cmd := l.Cmd(ctx, l.Client, append([]string{bin}, tc.args...)...)
			cmd.Env = append(append(cmd.Env, labTargets...), tc.env...)
			stdout, stderr, exit := lab.RunCmd(t, cmd)
			if exit != 0 || stdout != "child-out\n" {
				t.Fatalf("exit %d, stdout %q (want only the child's)\nstderr:\n%s", exit, stdout, stderr)
			}
			doc := stderr
			if tc.name == "--json-file" {
				b, err := os.ReadFile(report)
				if err != nil {
					t.Fatal(err)
				}
				doc = string(b)
			}
			var r struct{ Verdict string }
			if err := json.NewDecoder(strings.NewReader(doc)).Decode(&r); err != nil || r.Verdict != "healthy" {
				t.Fatalf("no JSON report where it belongs (%v):\n%s", err, doc)
			}
		})
	}
	os.Remove(cfg)
}

// TestLabRunDryRun checks that dry-run from the environment or the flag repairs
// nothing in guard run, even as root: the wrong gateway entry stays, the
// command does not start, and the run says what it would have done.
func TestLabRunDryRun(t *testing.T) {
	lab.RequireRoot(t)
	bin := lab.Build(t)
	for _, tc := range []struct {
		name string
		args []string
		env  []string
	}{
		{"NETGUARD_DRY_RUN=1", []string{"run"}, []string{"NETGUARD_DRY_RUN=1"}},
		{"--dry-run", []string{"run", "--dry-run"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := lab.New(t)
			l.WrongGatewayMAC()
			before := l.Snapshot(t)
			marker := filepath.Join(l.Dir, "started")
			ctx, cancel := context.WithTimeout(context.Background(), lab.RunTimeout)
			defer cancel()
			cmd := l.Cmd(ctx, l.Client, append(append([]string{bin}, tc.args...), "--", "touch", marker)...)
			cmd.Env = append(append(cmd.Env, labTargets...), tc.env...)
			_, stderr, exit := lab.RunCmd(t, cmd)
			if exit != 1 {
				t.Fatalf("exit %d, want 1\n%s", exit, stderr)
			}
			if _, err := os.Stat(marker); err == nil {
				t.Fatal("the command started on a broken network")
			}
			if after := l.Snapshot(t); after != before {
				t.Fatalf("a dry run changed the client's tables:\nbefore:\n%s\nafter:\n%s", before, after)
			}
			if !strings.Contains(stderr, "would run") {
				t.Errorf("no word of what would run:\n%s", stderr)
			}
		})
	}
}

// TestLabRunSignals checks that signals the shell ignored (a background job's
// SIGINT, nohup's SIGHUP) stay ignored in the command guard run starts,
// although guard caught SIGINT and SIGTERM during the check.
func TestLabRunSignals(t *testing.T) {
	lab.RequireRoot(t)
	bin := lab.Build(t)
	l := lab.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), lab.RunTimeout)
	defer cancel()
	// The outer sh ignores both, as a shell does for a job started with &
	// (SIGINT) and nohup does (SIGHUP); the inner sh signals itself and
	// says whether it survived.
	script := `trap "" INT HUP; exec "$0" run -q -- sh -c 'kill -INT $$; kill -HUP $$; echo survived'`
	cmd := l.Cmd(ctx, l.Client, "sh", "-c", script, bin)
	cmd.Env = append(cmd.Env, labTargets...)
	stdout, stderr, exit := lab.RunCmd(t, cmd)
	if exit != 0 || stdout != "survived\n" {
		t.Fatalf("ignored signals reached the command: exit %d stdout %q\n%s", exit, stdout, stderr)
	}
	// Not ignored by the shell: the command gets the default action.
	cmd = l.Cmd(ctx, l.Client, bin, "run", "-q", "--", "sh", "-c", "kill -INT $$; echo survived")
	cmd.Env = append(cmd.Env, labTargets...)
	if stdout, _, _ := lab.RunCmd(t, cmd); stdout != "" {
		t.Fatalf("SIGINT was ignored in the command although the shell did not ignore it: %q", stdout)
	}
}

// TestLabInterrupted checks that SIGINT while guard run only looks (its first
// check) ends it by the signal's default action: no report that would blame
// the network, the command not started, and the caller sees a death by SIGINT
// (a shell reports 130). guard installs no handler for a run that changes
// nothing (runSignals).
func TestLabInterrupted(t *testing.T) {
	lab.RequireRoot(t)
	bin := lab.Build(t)
	l := lab.New(t)
	l.PacketLoss(100) // the probes wait for answers that never come
	marker := filepath.Join(l.Dir, "started")
	ctx, cancel := context.WithTimeout(context.Background(), lab.RunTimeout)
	defer cancel()
	cmd := l.Cmd(ctx, l.Client, bin, "run", "--timeout", "10s", "--", "touch", marker)
	cmd.Env = append(cmd.Env, labTargets[:2]...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(150 * time.Millisecond) // inside the probe wait
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ws.Signaled() || ws.Signal() != syscall.SIGINT || errb.String() != "" || out.String() != "" {
		t.Fatalf("status %v, stdout %q, stderr %q; want killed by SIGINT with nothing printed", cmd.ProcessState, out.String(), errb.String())
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("the command started after an interrupt")
	}
}
