package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netguard/netguard/hooks"
)

// hooksIO runs `guard hooks` against a fresh git repository. The hook
// library's own behaviour (chaining, pushes) is tested in hooks/; this
// tests the command: flags, output, exit codes.
func hooksIO(t *testing.T) (*IO, *bytes.Buffer, string, string) {
	t.Helper()
	repo := t.TempDir()
	cmd := exec.Command("git", "init", "-q", repo)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+t.TempDir())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	bin := filepath.Join(t.TempDir(), "guard")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	return &IO{
		In: strings.NewReader(""), Out: &out, ErrOut: &errOut,
		Getenv:     func(string) string { return "" },
		Cwd:        repo,
		Executable: func() (string, error) { return bin, nil },
	}, &errOut, repo, bin
}

func TestHooksCommand(t *testing.T) {
	io_, errOut, repo, bin := hooksIO(t)
	hooksDir := filepath.Join(repo, ".git", "hooks")

	if code := runHooks(io_, []string{"install", "--hook", "pre-push,post-merge", "--timeout", "3s"}); code != exitOK {
		t.Fatalf("install: exit %d\n%s", code, errOut)
	}
	got := errOut.String()
	for _, want := range []string{
		"hooks directory: " + hooksDir,
		"pre-push       installed, blocking",
		"post-merge     installed, warns only",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("install output lacks %q:\n%s", want, got)
		}
	}
	script, err := os.ReadFile(filepath.Join(hooksDir, "pre-push"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(script), "want='"+bin+"'") || !strings.Contains(string(script), "NETGUARD_TIMEOUT:-3s") {
		t.Errorf("hook does not call %s with --timeout 3s:\n%s", bin, script)
	}
	if _, err := os.Stat(filepath.Join(hooksDir, "post-checkout")); err == nil {
		t.Error("--hook did not limit the install")
	}

	errOut.Reset()
	// Through the CLI's entry point, as `guard hooks status` runs.
	if code := run([]string{"hooks", "status", "--repo", repo}, io_); code != exitOK {
		t.Fatalf("status: exit %d\n%s", code, errOut)
	}
	if got := errOut.String(); !strings.Contains(got, "pre-push       installed, blocking") || !strings.Contains(got, "post-checkout  absent") {
		t.Errorf("status:\n%s", got)
	}

	errOut.Reset()
	if code := runHooks(io_, []string{"uninstall"}); code != exitOK {
		t.Fatalf("uninstall: exit %d\n%s", code, errOut)
	}
	if got := errOut.String(); !strings.Contains(got, "pre-push       absent (removed)") {
		t.Errorf("uninstall:\n%s", got)
	}
}

func TestHooksCommandManaged(t *testing.T) {
	io_, errOut, repo, _ := hooksIO(t)
	p := filepath.Join(repo, ".git", "hooks", "pre-push")
	if err := os.WriteFile(p, []byte("#!/bin/sh\ncall_lefthook run pre-push\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if code := runHooks(io_, []string{"install", "--hook", "pre-push"}); code != exitUnhealthy {
		t.Fatalf("install over lefthook: exit %d, want 1\n%s", code, errOut)
	}
	got := errOut.String()
	if !strings.Contains(got, "owned by lefthook; not touched") || !strings.Contains(got, "      run: "+hooks.CheckCommand) {
		t.Errorf("no lefthook snippet:\n%s", got)
	}
}

func TestHooksCommandErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "usage:"},
		{[]string{"instal"}, `unknown subcommand "instal"`},
		{[]string{"install", "--hook", "pre-pus"}, `unsupported hook "pre-pus"`},
		{[]string{"install", "--nope"}, "unknown flag -nope"},
		{[]string{"install", "extra"}, `unexpected argument "extra"`},
		{[]string{"install", "--timeout", "0s"}, "--timeout must be positive"},
		{[]string{"status", "--repo", os.TempDir()}, "not a git repository"},
	} {
		io_, errOut, _, _ := hooksIO(t)
		if code := runHooks(io_, tc.args); code != exitUsage || !strings.Contains(errOut.String(), tc.want) {
			t.Errorf("guard hooks %q: exit %d, want 2 and %q in:\n%s", tc.args, code, tc.want, errOut)
		}
	}
	// A `go run` binary disappears when it exits: refuse to point hooks at it.
	io_, errOut, _, _ := hooksIO(t)
	io_.Executable = func() (string, error) { return "/tmp/go-build123/b001/exe/guard", nil }
	if code := runHooks(io_, []string{"install"}); code != exitUsage || !strings.Contains(errOut.String(), "go run") {
		t.Errorf("go run binary: exit %d\n%s", code, errOut)
	}
}
