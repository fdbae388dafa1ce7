package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/netguard/netguard/checks"
	"github.com/netguard/netguard/checks/checkstest"
	"github.com/netguard/netguard/checks/checkstest/wine"
	"github.com/netguard/netguard/checks/config"
	"github.com/netguard/netguard/checks/diagnose"
	"github.com/netguard/netguard/checks/textreport"
)

// started records what guard run would have exec'd; an exec would replace
// the test binary.
type started struct {
	path string
	argv []string
}

func recordStarts(t *testing.T) *[]started {
	t.Helper()
	var got []started
	old := startCommand
	startCommand = func(_ *IO, path string, argv []string, _ []os.Signal) exitCode {
		got = append(got, started{path, argv})
		return exitOK
	}
	t.Cleanup(func() { startCommand = old })
	return &got
}

func TestHealthyIsOneLine(t *testing.T) {
	sys, out, errOut := testIO(t, checkstest.NewLab(false), nil)
	if code := run([]string{"check"}, sys); code != exitOK {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	if !regexp.MustCompile(`^netguard: healthy \(\d+\.\d ms\)\n$`).MatchString(errOut.String()) || out.Len() != 0 {
		t.Fatalf("healthy output: stdout %q stderr %q, want one verdict line on stderr", out, errOut)
	}
}

// Not healthy: the root cause first, the steps, the verdict last; every
// finding a line names can be looked up with guard explain.
func TestUnhealthyOutput(t *testing.T) {
	lab := checkstest.NewLab(true)
	lab.BreakGatewayMAC(true)
	sys, _, errOut := testIO(t, lab, nil)
	if code := run([]string{"check"}, sys); code != exitUnhealthy {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	lines := strings.Split(strings.TrimSuffix(errOut.String(), "\n"), "\n")
	if !strings.HasPrefix(lines[0], "FAIL gateway-neighbor-") || !strings.HasPrefix(lines[len(lines)-1], "netguard: unhealthy — ") {
		t.Fatalf("order:\n%s", errOut)
	}
	if !strings.Contains(errOut.String(), "\n  → guard fix  # tries the safe repairs") || !strings.Contains(errOut.String(), "\n  more: guard explain gateway-neighbor-") {
		t.Fatalf("no steps or explain hint:\n%s", errOut)
	}
	ids := regexp.MustCompile(`(?m)^(?:FAIL|WARN) ([a-z0-9-]+): `).FindAllStringSubmatch(errOut.String(), -1)
	if len(ids) == 0 {
		t.Fatal("no finding lines")
	}
	for _, m := range ids {
		eio, eout, eerr := testIO(t, lab, nil)
		if code := run([]string{"explain", m[1]}, eio); code != exitOK || !strings.Contains(eout.String(), "why it matters:") {
			t.Errorf("guard explain %s: exit %d\n%s%s", m[1], code, eout, eerr)
		}
	}
	// -v: every check with its detail.
	sys, _, errOut = testIO(t, lab, nil)
	run([]string{"check", "-v"}, sys)
	for _, id := range []string{"link", "route", "neighbor", "gateway", "internet", "dns", "resources"} {
		if !regexp.MustCompile(`(?m)^.{4} ` + id + ` +(pass|fail|warn|skip|unknown) `).MatchString(errOut.String()) {
			t.Errorf("-v lacks the %s check:\n%s", id, errOut)
		}
	}
}

// The logger prints exactly the formatter's lines when there is no
// colour: the words are the formatter's, the label only gets colour.
func TestLoggerPrintsFormatterLines(t *testing.T) {
	lines := []textreport.Line{
		{Level: textreport.Fail, Text: "gateway-neighbor-wrong: x"},
		{Level: textreport.Warn, Text: "icmp-blocked: y"},
		{Level: textreport.OK, Text: "repair a b: ok"},
		{Level: textreport.Note, Text: "evidence: z"},
		textreport.StepLine("sudo ip neigh del 192.0.2.1 dev eth0"),
		{Text: "netguard: unhealthy — x (1.0 ms)"},
	}
	var buf bytes.Buffer
	printLines(&IO{ErrOut: &buf}, lines)
	var want []string
	for _, l := range lines {
		want = append(want, l.String())
	}
	if got := strings.TrimSuffix(buf.String(), "\n"); got != strings.Join(want, "\n") {
		t.Fatalf("logger output:\n%q\nwant:\n%q", got, strings.Join(want, "\n"))
	}
	buf.Reset()
	printLines(&IO{ErrOut: &buf, Color: true}, lines[:1])
	if !strings.Contains(buf.String(), "\x1b[") || !strings.Contains(buf.String(), "gateway-neighbor-wrong: x") {
		t.Fatalf("coloured: %q", buf.String())
	}
}

func TestColorDecidedOnce(t *testing.T) {
	for _, tc := range []struct {
		mode string
		env  map[string]string
		tty  bool
		want bool
	}{
		{"auto", nil, true, true},
		{"auto", nil, false, false},
		{"auto", map[string]string{"NO_COLOR": "1"}, true, false},
		{"auto", map[string]string{"CLICOLOR_FORCE": "1"}, false, true},
		{"auto", map[string]string{"CLICOLOR_FORCE": "0"}, false, false},
		{"auto", map[string]string{"NO_COLOR": "1", "CLICOLOR_FORCE": "1"}, true, false},
		{"auto", map[string]string{"TERM": "dumb"}, true, false},
		{"always", map[string]string{"NO_COLOR": "1"}, false, true},
		{"never", map[string]string{"CLICOLOR_FORCE": "1"}, true, false},
	} {
		sys := &IO{ErrTTY: tc.tty, Getenv: func(k string) string { return tc.env[k] }}
		sys.decideColor(tc.mode)
		if sys.Color != tc.want {
			t.Errorf("--color %s, env %v, tty %v: colour %v", tc.mode, tc.env, tc.tty, sys.Color)
		}
	}
	// Through the command line and the environment.
	sys, _, errOut := testIO(t, checkstest.NewLab(false), map[string]string{"NETGUARD_COLOR": "always"})
	run([]string{"check", "-v"}, sys)
	if !strings.Contains(errOut.String(), "\x1b[") {
		t.Errorf("NETGUARD_COLOR=always: %q", errOut)
	}
	sys, _, errOut = testIO(t, checkstest.NewLab(false), map[string]string{"CLICOLOR_FORCE": "1"})
	run([]string{"check", "--color=never", "-v"}, sys)
	if strings.Contains(errOut.String(), "\x1b[") {
		t.Errorf("--color=never: %q", errOut)
	}
}

// program is a command guard run finds on every OS (its exec is recorded,
// never done): this test binary.
func program(t *testing.T) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return exe
}

// guard run finds its command before it checks anything.
func TestRunResolvesCommandFirst(t *testing.T) {
	dir := wine.TempDir(t)
	noexec := filepath.Join(dir, "script")
	if err := os.WriteFile(noexec, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	starts := recordStarts(t)
	type runCase struct {
		cmd  string
		code exitCode
		want string
	}
	cases := []runCase{
		{"/no/such/program", exitNotFound, `guard run: "/no/such/program": command not found`},
		{"no-such-program-netguard", exitNotFound, `guard run: "no-such-program-netguard": command not found`},
	}
	for cmd, why := range notExecutable(dir, noexec) {
		cases = append(cases, runCase{cmd, exitNotExecutable, why})
	}
	for _, tc := range cases {
		sys, out, errOut := testIO(t, checkstest.NewLab(false), nil)
		checked := false
		sys.NewEngine = func() *checks.Engine { checked = true; return nil }
		if code := run([]string{"run", "--json", "--", tc.cmd, "arg"}, sys); code != tc.code {
			t.Errorf("run %s: exit %d, want %d\n%s", tc.cmd, code, tc.code, errOut)
		}
		if strings.Count(errOut.String(), "\n") != 1 || !strings.Contains(errOut.String(), tc.want) || out.Len() != 0 || checked {
			t.Errorf("run %s: stdout %q stderr %q checked %v, want one line with %q and no check", tc.cmd, out, errOut, checked, tc.want)
		}
	}
	if len(*starts) != 0 {
		t.Fatalf("started %v", *starts)
	}
}

// Under guard run stdout is the command's: the JSON report goes to stderr
// or --json-file, whichever way JSON was asked for.
func TestRunJSONNeverOnStdout(t *testing.T) {
	sh := program(t)
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		file string // .netguard.yaml
	}{
		{"flag", []string{"run", "--json", "--", sh, "-c", "true"}, nil, ""},
		{"global flag", []string{"--json", "run", "--", sh}, nil, ""},
		{"env", []string{"run", "--", sh}, map[string]string{"NETGUARD_JSON": "yes"}, ""},
		{"config", []string{"run", "--", sh}, nil, "json: true\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			starts := recordStarts(t)
			sys, out, errOut := testIO(t, checkstest.NewLab(false), tc.env)
			if tc.file != "" {
				if err := os.WriteFile(filepath.Join(sys.Cwd, ".netguard.yaml"), []byte(tc.file), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if code := run(tc.args, sys); code != exitOK || len(*starts) != 1 {
				t.Fatalf("exit %d, starts %v\n%s", code, *starts, errOut)
			}
			if out.Len() != 0 {
				t.Fatalf("stdout before the command: %q", out)
			}
			var r checks.Report
			if err := json.NewDecoder(strings.NewReader(errOut.String())).Decode(&r); err != nil || r.Verdict != diagnose.Healthy {
				t.Fatalf("no JSON report on stderr (%v):\n%s", err, errOut)
			}
			if (*starts)[0].argv[0] != sh {
				t.Fatalf("started %v", *starts)
			}
		})
	}
	starts := recordStarts(t)
	sys, out, errOut := testIO(t, checkstest.NewLab(false), nil)
	file := filepath.Join(wine.TempDir(t), "report.json")
	if code := run([]string{"run", "--json-file", file, "--", sh}, sys); code != exitOK || len(*starts) != 1 || out.Len() != 0 {
		t.Fatalf("--json-file: exit %d stdout %q\n%s", code, out, errOut)
	}
	var r checks.Report
	if b, err := os.ReadFile(file); err != nil || json.Unmarshal(b, &r) != nil || r.Schema != 1 {
		t.Fatalf("--json-file: %v %s", err, b)
	}
	if strings.Contains(errOut.String(), `"verdict"`) {
		t.Fatalf("JSON on stderr too: %s", errOut)
	}
}

// Dry-run means the same from a flag, the environment or a file, and in
// guard run it repairs nothing: a broken network stays broken and the
// command does not start.
func TestRunDryRun(t *testing.T) {
	sh := program(t)
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
	}{
		{"flag", []string{"run", "--dry-run", "--", sh}, nil},
		{"env", []string{"run", "--", sh}, map[string]string{"NETGUARD_DRY_RUN": "1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			starts := recordStarts(t)
			lab := checkstest.NewLab(true)
			lab.BreakGatewayMAC(false) // repairable in-process, as root
			sys, _, errOut := testIO(t, lab, tc.env)
			if code := run(tc.args, sys); code != exitUnhealthy {
				t.Fatalf("exit %d, want 1\n%s", code, errOut)
			}
			if len(lab.Sys.Calls) != 0 || len(*starts) != 0 {
				t.Fatalf("dry run changed %v, started %v", lab.Sys.Calls, *starts)
			}
			if !strings.Contains(errOut.String(), "would run") {
				t.Errorf("dry run does not say what it would do:\n%s", errOut)
			}
		})
	}
	// Without dry-run the same run repairs and starts.
	starts := recordStarts(t)
	lab := checkstest.NewLab(true)
	lab.BreakGatewayMAC(false)
	sys, _, errOut := testIO(t, lab, nil)
	if code := run([]string{"run", "--", sh}, sys); code != exitOK || len(lab.Sys.Calls) == 0 || len(*starts) != 1 {
		t.Fatalf("run: exit %d, calls %v, starts %v\n%s", code, lab.Sys.Calls, *starts, errOut)
	}
}

func TestHelpAndVersion(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code exitCode
		out  string // on stdout
		err  string // on stderr
	}{
		{nil, exitUsage, "", "A bare guard checks nothing"},
		{[]string{"--version"}, exitOK, "guard ", ""},
		{[]string{"-h"}, exitOK, "commands:", ""},
		{[]string{"help"}, exitOK, "commands:", ""},
		{[]string{"help", "run"}, exitOK, "usage: guard run [flags] -- CMD ARGS...", ""},
		{[]string{"run", "--help"}, exitOK, "not found exits 127", ""},
		{[]string{"check", "-h"}, exitOK, "--timeout DURATION", ""},
		{[]string{"hooks", "--help"}, exitOK, "--block", ""},
		{[]string{"watch", "--help"}, exitOK, "--interval DURATION", ""},
		{[]string{"explain", "--help"}, exitOK, "--os linux|darwin|windows", ""},
		{[]string{"--color=never", "help", "fix"}, exitOK, "--dry-run", ""},
	} {
		sys, out, errOut := testIO(t, checkstest.NewLab(false), nil)
		sys.NewEngine = func() *checks.Engine { t.Fatalf("%q ran a check", tc.args); return nil }
		code := run(tc.args, sys)
		if code != tc.code || !strings.Contains(out.String(), tc.out) || !strings.Contains(errOut.String(), tc.err) {
			t.Errorf("guard %q: exit %d\nstdout:\n%s\nstderr:\n%s", tc.args, code, out, errOut)
		}
		if tc.err == "" && errOut.Len() != 0 {
			t.Errorf("guard %q wrote to stderr: %s", tc.args, errOut)
		}
	}
	// Every help text fits a terminal.
	for cmd := range commandHelp {
		for _, l := range strings.Split(helpFor(cmd), "\n") {
			if utf8.RuneCountInString(l) > 80 {
				t.Errorf("help %s: %d columns: %q", cmd, utf8.RuneCountInString(l), l)
			}
		}
	}
	sys, out, _ := testIO(t, checkstest.NewLab(false), nil)
	var v versionInfo
	if code := run([]string{"version", "--json"}, sys); code != exitOK || json.Unmarshal(out.Bytes(), &v) != nil || v.Go == "" || v.OS == "" {
		t.Errorf("version --json: %d %s", code, out)
	}
}

func TestExplain(t *testing.T) {
	for _, d := range diagnose.Catalog() {
		for _, goos := range []string{"linux", "darwin", "windows"} {
			sys, out, errOut := testIO(t, checkstest.NewLab(false), nil)
			if code := run([]string{"explain", d.ID, "--os", goos}, sys); code != exitOK {
				t.Fatalf("explain %s --os %s: exit %d\n%s", d.ID, goos, code, errOut)
			}
			for _, want := range []string{d.ID + ": " + d.Title, "why it matters:", "how guard decided:", "steps on " + goos + ":"} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("explain %s --os %s lacks %q:\n%s", d.ID, goos, want, out)
				}
			}
		}
	}
	sys, out, _ := testIO(t, checkstest.NewLab(false), nil)
	if code := run([]string{"explain", "--list", "--json"}, sys); code != exitOK {
		t.Fatalf("explain --list --json: exit %d", code)
	}
	var all []explained
	if err := json.Unmarshal(out.Bytes(), &all); err != nil || len(all) != len(diagnose.Catalog()) {
		t.Fatalf("explain --list --json: %v, %d entries", err, len(all))
	}
	for _, x := range all {
		if x.Why == "" || x.How == "" || x.Title == "" {
			t.Errorf("%s: missing text: %+v", x.ID, x)
		}
	}
	sys, out, _ = testIO(t, checkstest.NewLab(false), nil)
	var one explained
	if code := run([]string{"explain", "dns-failed", "--json", "--os", "windows"}, sys); code != exitOK || json.Unmarshal(out.Bytes(), &one) != nil || one.OS != "windows" || one.ID != "dns-failed" {
		t.Fatalf("explain --json: %d %s", code, out)
	}
}

// The compose example passes every setting guard reads from the
// environment.
func TestComposePassesEverySetting(t *testing.T) {
	b, err := os.ReadFile("../examples/compose/compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range flagDefs {
		if !d.takes("check") || d.names[0] == "help" {
			continue
		}
		for _, n := range d.names {
			if !strings.Contains(string(b), "- "+config.EnvName(n)+"\n") {
				t.Errorf("compose.yaml does not pass %s", config.EnvName(n))
			}
		}
	}
}

// FuzzParse checks that no command line and no NETGUARD_* value can panic
// the parser, and that every error is one printable line.
func FuzzParse(f *testing.F) {
	for _, seed := range []struct{ args, env string }{
		{"check\x00--timeout\x00a: b", ""},
		{"--json\x00check", "1"},
		{"run\x00--\x00sh", "maybe"},
		{"hooks\x00install\x00--hook", ""},
		{"explain\x00--os=plan9", ""},
		{"-\x00--\x00---x\x00=", "\n"},
		{"check\x00--external=1.2.3.4:99999", "soon"},
		{"help\x00run", ""},
		{"watch\x00--interval\x001ns\x00--fix", "on"},
	} {
		f.Add(seed.args, seed.env)
	}
	cwd := wine.TempDir(f)
	f.Fuzz(func(t *testing.T, args, env string) {
		var argv []string
		if args != "" {
			argv = strings.Split(args, "\x00")
		}
		getenv := func(k string) string {
			switch k {
			case "NETGUARD_TIMEOUT", "NETGUARD_JSON", "NETGUARD_QUIET", "NETGUARD_DRY_RUN", "NETGUARD_COLOR", "NETGUARD_INTERVAL", "NETGUARD_EXTERNAL":
				return env
			}
			return ""
		}
		c, err := parse(argv, getenv, cwd, false)
		if err != nil {
			msg := oneLine(err)
			if strings.ContainsAny(msg, "\n\r\x1b") || !utf8.ValidString(msg) {
				t.Fatalf("error is not one printable line: %q", msg)
			}
			return
		}
		if c == nil {
			t.Fatal("nil cli without an error")
		}
		// Commands that print without checking run all the way.
		if c.help || c.version || slices.Contains([]string{"help", "explain", "version"}, c.cmd) {
			var out, errOut bytes.Buffer
			sys := &IO{Out: &out, ErrOut: &errOut, Getenv: getenv, Cwd: cwd,
				NewEngine: func() *checks.Engine { t.Fatal("a check ran"); return nil }}
			run(argv, sys)
		}
	})
}
