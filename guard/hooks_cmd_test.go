package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netguard/netguard/checks/checkstest/wine"
	"github.com/netguard/netguard/hooks"
)

// hooksIO runs `guard hooks` against a fresh git repository. The hook
// library's own behaviour (chaining, pushes) is tested in hooks/; this
// tests the command: flags, output, exit codes.
func hooksIO(t *testing.T) (*IO, *bytes.Buffer, *bytes.Buffer, string, string) {
	t.Helper()
	wine.SkipIfGap(t, wine.GapGit)
	repo := wine.TempDir(t)
	cmd := exec.Command("git", "init", "-q", repo)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+wine.TempDir(t))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	bin := filepath.Join(wine.TempDir(t), "guard")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	return &IO{
		In: strings.NewReader(""), Out: &out, ErrOut: &errOut,
		Getenv:     func(string) string { return "" },
		Cwd:        repo,
		Executable: func() (string, error) { return bin, nil },
	}, &out, &errOut, repo, bin
}

func hooksRun(sys *IO, args ...string) exitCode { return run(append([]string{"hooks"}, args...), sys) }

func TestHooksCommand(t *testing.T) {
	sys, out, errOut, repo, bin := hooksIO(t)
	hooksDir := filepath.Join(repo, ".git", "hooks")

	// status before anything is installed: on stdout, exit 1.
	if code := hooksRun(sys, "status"); code != exitUnhealthy {
		t.Fatalf("status with nothing installed: exit %d, want 1\n%s", code, errOut)
	}
	if got := out.String(); !strings.Contains(got, "pre-push       absent") || errOut.Len() != 0 {
		t.Fatalf("status: stdout %q stderr %q", got, errOut)
	}
	out.Reset()

	if code := hooksRun(sys, "install", "--hook", "pre-push,post-merge", "--timeout", "3s"); code != exitOK {
		t.Fatalf("install: exit %d\n%s", code, errOut)
	}
	got := out.String()
	for _, want := range []string{
		"hooks directory: " + hooksDir,
		"pre-push       installed, warns only; local remotes not checked",
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

	// --block makes pre-push block; status reads the mode back.
	out.Reset()
	if code := hooksRun(sys, "install", "--hook", "pre-push", "--block"); code != exitOK {
		t.Fatalf("install --block: exit %d\n%s", code, errOut)
	}
	out.Reset()
	if code := hooksRun(sys, "status", "--hook", "pre-push", "--repo", repo); code != exitOK {
		t.Fatalf("status: exit %d\n%s", code, errOut)
	}
	if got := out.String(); !strings.Contains(got, "pre-push       installed, blocking") {
		t.Errorf("status:\n%s", got)
	}
	out.Reset()
	if code := hooksRun(sys, "status", "--json"); code != exitUnhealthy {
		t.Fatalf("status --json with post-checkout missing: exit %d", code)
	}
	var res hooks.Result
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("status --json: %v\n%s", err, out)
	}
	if res.Dir != hooksDir || len(res.Hooks) != 3 || !res.Hooks[0].Blocking || res.Hooks[0].State != hooks.Installed || res.Hooks[1].State != hooks.Absent {
		t.Errorf("status --json: %+v", res)
	}

	out.Reset()
	if code := hooksRun(sys, "uninstall"); code != exitOK {
		t.Fatalf("uninstall: exit %d\n%s", code, errOut)
	}
	if got := out.String(); !strings.Contains(got, "pre-push       absent (removed)") {
		t.Errorf("uninstall:\n%s", got)
	}
}

func TestHooksCommandManaged(t *testing.T) {
	sys, out, errOut, repo, _ := hooksIO(t)
	p := filepath.Join(repo, ".git", "hooks", "pre-push")
	if err := os.WriteFile(p, []byte("#!/bin/sh\ncall_lefthook run pre-push\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if code := hooksRun(sys, "install", "--hook", "pre-push"); code != exitUnhealthy {
		t.Fatalf("install over lefthook: exit %d, want 1\n%s", code, errOut)
	}
	got := out.String()
	if !strings.Contains(got, "owned by lefthook; not touched") || !strings.Contains(got, "      run: "+hooks.CheckCommand+" || true") {
		t.Errorf("no lefthook snippet:\n%s", got)
	}
}

func TestHooksCommandErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "which one?"},
		{[]string{"instal"}, `unknown subcommand "instal"`},
		{[]string{"install", "--hook", "pre-pus"}, `unsupported hook "pre-pus"`},
		{[]string{"install", "--nope"}, `unknown flag "--nope"`},
		{[]string{"install", "extra"}, `unexpected argument "extra"`},
		{[]string{"install", "--timeout", "0s"}, "out of range"},
		{[]string{"status", "--block"}, "only for guard hooks install"},
		{[]string{"status", "--repo", os.TempDir()}, "not a git repository"},
	} {
		sys, _, errOut, _, _ := hooksIO(t)
		if code := hooksRun(sys, tc.args...); code != exitUsage || !strings.Contains(errOut.String(), tc.want) || strings.Count(errOut.String(), "\n") != 1 {
			t.Errorf("guard hooks %q: exit %d, want 2 and one line with %q in:\n%s", tc.args, code, tc.want, errOut)
		}
	}
	// A `go run` binary disappears when it exits: refuse to point hooks at it.
	sys, _, errOut, _, _ := hooksIO(t)
	sys.Executable = func() (string, error) { return "/tmp/go-build123/b001/exe/guard", nil }
	if code := hooksRun(sys, "install"); code != exitUsage || !strings.Contains(errOut.String(), "go run") {
		t.Errorf("go run binary: exit %d\n%s", code, errOut)
	}
}
