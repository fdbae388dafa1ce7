package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netguard/netguard/checks"
	"github.com/netguard/netguard/checks/checkstest"
	"github.com/netguard/netguard/checks/checkstest/wine"
	"github.com/netguard/netguard/checks/diagnose"
)

// testIO runs the CLI over the fake lab: no network, no TTY.
func testIO(t *testing.T, lab *checkstest.Lab, env map[string]string) (*IO, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	var out, errOut bytes.Buffer
	if env == nil {
		env = map[string]string{}
	}
	// Lab targets always: a test must never fall back to the public defaults.
	if _, ok := env["NETGUARD_EXTERNAL"]; !ok {
		env["NETGUARD_EXTERNAL"] = checkstest.Ext.String()
	}
	if _, ok := env["NETGUARD_DNS"]; !ok {
		env["NETGUARD_DNS"] = "www.lab.test"
	}
	// Silence lasts the shortest probe wait; the run's deadline leaves a
	// loaded runner room to verify a repair after it.
	if _, ok := env["NETGUARD_PROBE_WAIT"]; !ok {
		env["NETGUARD_PROBE_WAIT"] = "100ms"
	}
	if _, ok := env["NETGUARD_TIMEOUT"]; !ok {
		env["NETGUARD_TIMEOUT"] = "2s"
	}
	return &IO{
		In: strings.NewReader(""), Out: &out, ErrOut: &errOut,
		Getenv:     func(k string) string { return env[k] },
		Cwd:        wine.TempDir(t),
		NewEngine:  func() *checks.Engine { return lab.Engine },
		Executable: func() (string, error) { return "/usr/local/bin/guard", nil },
	}, &out, &errOut
}

func TestExitCodesAndJSON(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		breakIt func(*checkstest.Lab)
		code    exitCode
		verdict diagnose.Verdict
	}{
		{"healthy", []string{"check", "--json"}, nil, exitOK, diagnose.Healthy},
		{"flags before the command", []string{"--json", "check"}, nil, exitOK, diagnose.Healthy},
		{"wrong MAC", []string{"check", "--json"}, func(l *checkstest.Lab) { l.BreakGatewayMAC(true) }, exitUnhealthy, diagnose.Unhealthy},
		{"fix repairs in-process", []string{"fix", "--json"}, func(l *checkstest.Lab) { l.BreakGatewayMAC(false) }, exitOK, diagnose.Repaired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lab := checkstest.NewLab(true)
			if tt.breakIt != nil {
				tt.breakIt(lab)
			}
			sys, out, errOut := testIO(t, lab, nil)
			if code := run(tt.args, sys); code != tt.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tt.code, errOut)
			}
			var r checks.Report
			dec := json.NewDecoder(out)
			if err := dec.Decode(&r); err != nil {
				t.Fatalf("stdout is not a JSON report: %v\n%s", err, out)
			}
			if dec.More() {
				t.Fatal("more than one JSON document on stdout")
			}
			if r.Schema != 1 || r.Verdict != tt.verdict || len(r.Checks) != len(diagnose.Checks) {
				t.Fatalf("report: schema %d verdict %s checks %d", r.Schema, r.Verdict, len(r.Checks))
			}
			if tt.code == exitUnhealthy && len(r.ManualSteps) == 0 {
				t.Fatal("exit 1 without manual steps")
			}
			if !strings.Contains(errOut.String(), "netguard: "+string(tt.verdict)) {
				t.Fatalf("human output lacks the verdict:\n%s", errOut)
			}
			if strings.Contains(errOut.String(), "\x1b[") {
				t.Fatalf("escape sequences in output that is not a terminal:\n%q", errOut)
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	dir := wine.TempDir(t)
	badCfg := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(badCfg, []byte("dns: a.test\nexternals: [1]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"check", "--bogus"}, nil, `unknown flag "--bogus"`},
		{[]string{"frobnicate"}, nil, "unknown command"},
		{[]string{"check", "--timeout", "bogus"}, nil, `"--timeout": timeout: invalid duration "bogus"`},
		{[]string{"check", "--timeout", "a: b"}, nil, `"--timeout": timeout: invalid duration "a: b"`},
		{[]string{"check", "--timeout"}, nil, `flag "--timeout" needs a value`},
		{[]string{"check", "--timeout=a\nb"}, nil, `invalid duration "a\nb"`},
		{[]string{"check", "-json=maybe"}, nil, `flag "-json=maybe": want 1, true`},
		{[]string{"check", "--color", "sometimes"}, nil, `want auto, always or never`},
		{[]string{"check", "--fix"}, nil, `flag "--fix" is not for guard check (it is for guard watch)`},
		{[]string{"check", "---x"}, nil, `bad flag "---x"`},
		{[]string{"fr\x1b[31mob"}, nil, `unknown command "fr\x1b[31mob"`},
		{[]string{"--quiet"}, nil, `flag "--quiet" needs a command first`},
		{[]string{"check", "-q", "-v"}, nil, "contradict"},
		{[]string{"watch", "--fix"}, map[string]string{"NETGUARD_DRY_RUN": "yes"}, "dry-run and --fix contradict each other in guard watch (dry-run is set by NETGUARD_DRY_RUN)"},
		{[]string{"watch", "--fix", "--dry-run"}, nil, "dry-run and --fix contradict each other in guard watch (dry-run is set by --dry-run)"},
		{[]string{"check"}, map[string]string{"NETGUARD_SKIP": "perhaps"}, `NETGUARD_SKIP: want 1, true, yes, on`},
		{[]string{"help", "frob"}, nil, `unknown command "frob"`},
		{[]string{"explain", "no-such-finding"}, nil, `unknown finding "no-such-finding"`},
		{[]string{"explain"}, nil, "which finding?"},
		{[]string{"version", "x"}, nil, "unexpected argument"},
		{[]string{"check", "--timeout", "0s"}, nil, "out of range"},
		{[]string{"check", "--external", "not-an-ip"}, nil, "not an IP address"},
		{[]string{"check", "--sudo", "maybe"}, nil, "invalid sudo mode"},
		{[]string{"check", "--config", "/nonexistent/netguard.yaml"}, nil, notExist(t, "/nonexistent/netguard.yaml")},
		{[]string{"check", "--config", badCfg}, nil, "bad.yaml:2: unknown key \"externals\""},
		{[]string{"check"}, map[string]string{"NETGUARD_TIMEOUT": "soon"}, "NETGUARD_TIMEOUT: timeout: invalid duration"},
		{[]string{"check"}, map[string]string{"NETGUARD_JSON": "maybe"}, `NETGUARD_JSON: want 1, true, yes, on or 0, false, no, off; got "maybe"`},
		{[]string{"check"}, map[string]string{"NETGUARD_QUIET": "maybe"}, `NETGUARD_QUIET: want 1`},
		{[]string{"check", "extra"}, nil, "unexpected argument"},
		{[]string{"run"}, nil, "missing command"},
		{[]string{"fix", "--sudo", "prompt"}, nil, "needs a terminal"},
		{[]string{"repair", "rm", "-rf", "/"}, nil, "unknown action"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			sys, out, errOut := testIO(t, checkstest.NewLab(true), tt.env)
			if code := run(tt.args, sys); code != exitUsage {
				t.Fatalf("exit %d, want 2; stderr %q", code, errOut)
			}
			msg := errOut.String()
			if strings.Count(msg, "\n") != 1 || !strings.Contains(msg, tt.want) {
				t.Fatalf("stderr = %q, want one line containing %q", msg, tt.want)
			}
			if out.Len() != 0 {
				t.Fatalf("stdout not empty: %q", out)
			}
		})
	}
}

func TestFlagBeatsEnvBeatsConfig(t *testing.T) {
	lab := checkstest.NewLab(false)
	sys, _, _ := testIO(t, lab, map[string]string{"NETGUARD_DNS": "env.lab.test"})
	if err := os.WriteFile(filepath.Join(sys.Cwd, ".netguard.yaml"), []byte("dns: file.lab.test\ntimeout: 1s\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := parse([]string{"check"}, sys.Getenv, sys.Cwd, false)
	if err != nil {
		t.Fatal(err)
	}
	if c.opts.DNSName != "env.lab.test" {
		t.Fatalf("env should beat config: %q", c.opts.DNSName)
	}
	c, err = parse([]string{"check", "--dns", "flag.lab.test", "--timeout=700ms"}, sys.Getenv, sys.Cwd, false)
	if err != nil {
		t.Fatal(err)
	}
	if c.opts.DNSName != "flag.lab.test" || c.opts.Timeout.String() != "700ms" {
		t.Fatalf("flag should win: %+v", c.opts)
	}
}

// Boolean flags read NETGUARD_<FLAG> under every name, with the same
// words as everywhere else, and a flag given on the command line under its
// short name still beats the environment.
func TestBoolFlagsFromEnv(t *testing.T) {
	sys, _, _ := testIO(t, checkstest.NewLab(false), map[string]string{"NETGUARD_Q": "yes", "NETGUARD_JSON": "on"})
	c, err := parse([]string{"check"}, sys.Getenv, sys.Cwd, false)
	if err != nil || !c.quiet || c.verbose || !c.json {
		t.Fatalf("env booleans: %+v %v", c, err)
	}
	// Both from the environment: show more, not less.
	sys, _, _ = testIO(t, checkstest.NewLab(false), map[string]string{"NETGUARD_QUIET": "1", "NETGUARD_VERBOSE": "TRUE"})
	if c, err = parse([]string{"check"}, sys.Getenv, sys.Cwd, false); err != nil || c.quiet || !c.verbose {
		t.Fatalf("quiet and verbose from env: %+v %v", c, err)
	}
	// -v on the command line beats NETGUARD_QUIET.
	sys, _, _ = testIO(t, checkstest.NewLab(false), map[string]string{"NETGUARD_QUIET": "on"})
	if c, err = parse([]string{"check", "-v"}, sys.Getenv, sys.Cwd, false); err != nil || c.quiet || !c.verbose {
		t.Fatalf("-v over NETGUARD_QUIET: %+v %v", c, err)
	}
	sys, _, _ = testIO(t, checkstest.NewLab(false), map[string]string{"NETGUARD_QUIET": "false"})
	c, err = parse([]string{"check", "-q"}, sys.Getenv, sys.Cwd, false)
	if err != nil || !c.quiet {
		t.Fatalf("-q should beat NETGUARD_QUIET=false: %+v %v", c, err)
	}
}

// notExist is this OS's own text for a path that does not exist.
func notExist(t *testing.T, path string) string {
	t.Helper()
	_, err := os.Open(path)
	var pe *fs.PathError
	if !errors.As(err, &pe) || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("open %s: %v, want it not to exist", path, err)
	}
	return pe.Err.Error()
}

func TestSkip(t *testing.T) {
	lab := checkstest.NewLab(true)
	lab.BreakGatewayMAC(true)
	sys, out, errOut := testIO(t, lab, map[string]string{"NETGUARD_SKIP": "1"})
	if code := run([]string{"check", "--json"}, sys); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	if out.Len() != 0 || strings.Count(errOut.String(), "\n") != 1 || !strings.Contains(errOut.String(), "skipped") {
		t.Fatalf("stdout %q stderr %q", out, errOut)
	}
}

func TestSudoNeverGivesExactCommand(t *testing.T) {
	lab := checkstest.NewLab(false)
	lab.BreakGatewayMAC(false)
	sys, out, _ := testIO(t, lab, map[string]string{"NETGUARD_SUDO": "never"})
	sys.SafeExe = func(string) error { return nil } // a root-owned helper
	if code := run([]string{"fix", "--json"}, sys); code != exitUnhealthy {
		t.Fatalf("exit %d", code)
	}
	var r checks.Report
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	// A command that says how it must run (Windows: an elevated
	// PowerShell) gets no second comment.
	want := privilegedCommand([]string{"/usr/local/bin/guard", "repair", "delete-neighbor", "eth0", "198.18.3.1"})
	if !privilegedCommandSaysHow {
		want += "  # the repair guard could not run without root"
	}
	if len(r.ManualSteps) == 0 || r.ManualSteps[0] != want {
		t.Fatalf("manual steps %q, want first %q", r.ManualSteps, want)
	}
	if len(lab.Sys.Calls) != 0 {
		t.Fatalf("changed the system without privilege: %v", lab.Sys.Calls)
	}
}

func TestQuietHealthyPrintsNothing(t *testing.T) {
	sys, out, errOut := testIO(t, checkstest.NewLab(false), nil)
	if code := run([]string{"check", "-q"}, sys); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	if out.Len()+errOut.Len() != 0 {
		t.Fatalf("quiet healthy run printed %q %q", out, errOut)
	}
}

func TestVersion(t *testing.T) {
	sys, out, _ := testIO(t, checkstest.NewLab(false), nil)
	if code := run([]string{"version"}, sys); code != exitOK || !strings.HasPrefix(out.String(), "guard ") || !strings.Contains(out.String(), "go1.") {
		t.Fatalf("version: %d %q", code, out)
	}
}

// Help names a variable for a flag only when guard reads it: each one it
// names, set to nonsense, is refused with its name; NETGUARD_BLOCK and
// NETGUARD_OS, which nothing reads, are not named.
func TestHelpNamesOnlyVariablesRead(t *testing.T) {
	unchecked := map[string]bool{"dns": true, "json-file": true, "log": true, "config": true}
	for _, cmd := range []string{"check", "fix", "watch", "hooks", "explain"} {
		for _, d := range flagDefs {
			env := envOf(d, cmd)
			if !d.takes(cmd) || env == "" || unchecked[d.names[0]] {
				continue
			}
			sys, _, _ := testIO(t, checkstest.NewLab(false), map[string]string{env: "bogus!"})
			args := []string{cmd}
			switch cmd {
			case "hooks":
				args = append(args, "status")
			case "explain":
				args = append(args, "dns-failed")
			}
			if _, err := parse(args, sys.Getenv, sys.Cwd, false); err == nil || !strings.Contains(err.Error(), env) {
				t.Errorf("guard %s: help names %s, but %s=bogus! gives %v", cmd, env, env, err)
			}
		}
	}
	if h := helpFor("hooks"); strings.Contains(h, "NETGUARD_BLOCK") || strings.Contains(h, "NETGUARD_<FLAG>") {
		t.Errorf("hooks help claims a variable nothing reads:\n%s", h)
	}
	if h := helpFor("explain"); strings.Contains(h, "NETGUARD_OS") {
		t.Errorf("explain help claims NETGUARD_OS:\n%s", h)
	}
	if h := helpFor("check"); !strings.Contains(h, " NETGUARD_TIMEOUT") {
		t.Errorf("check help does not name NETGUARD_TIMEOUT:\n%s", h)
	}
}
