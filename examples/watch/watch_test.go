// Tests of the guard watch service examples, with their tools' own
// parsers: systemd-analyze for the user unit, plutil (macOS) or Python's
// plistlib (elsewhere) for the launchd agent, and the real guard binary for
// the flags both pass.
package watch_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	ngwatch "github.com/netguard/netguard/checks/watch"
)

const (
	unitFile  = "netguard-watch.service"
	plistFile = "dev.netguard.watch.plist"
)

// execStart returns the unit's ExecStart as words.
func execStart(t *testing.T) []string {
	t.Helper()
	f, err := os.Open(unitFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var found []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "ExecStart="); ok {
			found = append(found, v)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%s: %d ExecStart lines, want 1", unitFile, len(found))
	}
	return strings.Fields(found[0])
}

// systemd-analyze verify loads the unit with systemd's own parser, as a
// user unit; an unknown key or a bad value is a warning on its output, so
// any output fails the test.
func TestSystemdUnit(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("systemd is Linux only")
	}
	sa, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Fatalf("systemd-analyze not found (Debian: apt-get install systemd): %v", err)
	}
	argv := execStart(t)
	if argv[0] != "%h/.local/bin/guard" || !slices.Equal(argv[1:3], []string{"watch", "--interval"}) {
		t.Errorf("ExecStart %q", argv)
	}
	// verify checks that ExecStart is an executable: give it a home with
	// one, and the runtime directory a user manager needs.
	tmp := t.TempDir()
	home := filepath.Join(tmp, "home")
	run := filepath.Join(tmp, "run")
	for _, d := range []string{filepath.Join(home, ".local", "bin"), run} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(home, ".local", "bin", "guard"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	unit, err := filepath.Abs(unitFile)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, sa, "verify", "--user", "--man=no", unit)
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_RUNTIME_DIR="+run, "SYSTEMD_LOG_COLOR=0")
	out, err := cmd.CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) != 0 {
		t.Errorf("systemd-analyze verify --user %s: %v\n%s", unitFile, err, out)
	}
}

type agent struct {
	Label            string            `json:"Label"`
	ProgramArguments []string          `json:"ProgramArguments"`
	RunAtLoad        bool              `json:"RunAtLoad"`
	KeepAlive        map[string]bool   `json:"KeepAlive"`
	ThrottleInterval int               `json:"ThrottleInterval"`
	Environment      map[string]string `json:"EnvironmentVariables"`
}

// readPlist converts the agent to JSON with a real plist parser.
func readPlist(t *testing.T) agent {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var cmd *exec.Cmd
	if runtime.GOOS == "darwin" {
		cmd = exec.CommandContext(ctx, "plutil", "-convert", "json", "-o", "-", plistFile)
	} else {
		py, err := exec.LookPath("python3")
		if err != nil {
			t.Fatalf("python3 not found (its plistlib parses the launchd agent off macOS): %v", err)
		}
		cmd = exec.CommandContext(ctx, py, "-c",
			"import json, plistlib, sys; print(json.dumps(plistlib.load(open(sys.argv[1], 'rb'), fmt=plistlib.FMT_XML)))", plistFile)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, stderr.String())
	}
	var a agent
	dec := json.NewDecoder(bytes.NewReader(out))
	if err := dec.Decode(&a); err != nil {
		t.Fatalf("%s as JSON: %v\n%s", plistFile, err, out)
	}
	return a
}

func TestLaunchdAgent(t *testing.T) {
	a := readPlist(t)
	if a.Label != "dev.netguard.watch" || a.Label+".plist" != plistFile {
		t.Errorf("Label %q: launchd wants it to match the file name %s", a.Label, plistFile)
	}
	if len(a.ProgramArguments) < 2 || !filepath.IsAbs(a.ProgramArguments[0]) || filepath.Base(a.ProgramArguments[0]) != "guard" || a.ProgramArguments[1] != "watch" {
		t.Errorf("ProgramArguments %q: want an absolute path to guard, then watch (launchd expands neither ~ nor $HOME)", a.ProgramArguments)
	}
	if !a.RunAtLoad || len(a.KeepAlive) != 1 || a.KeepAlive["SuccessfulExit"] {
		t.Errorf("RunAtLoad %v KeepAlive %v: want started at login and restarted only after a failed exit", a.RunAtLoad, a.KeepAlive)
	}
	if a.ThrottleInterval < 10 {
		t.Errorf("ThrottleInterval %d: a start-up error would be retried too often", a.ThrottleInterval)
	}
}

// Both examples pass flags the real guard accepts: `guard watch ARGS -h`
// parses and validates ARGS, then prints the usage instead of watching.
func TestExampleFlags(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "guard")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	// Built in the product's module (the repository root), whose go.sum
	// covers guard's requirements; this module's covers only its tests'.
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./guard")
	build.Dir = filepath.Join("..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build guard: %v\n%s", err, out)
	}
	for name, args := range map[string][]string{
		unitFile:  execStart(t)[1:],
		plistFile: readPlist(t).ProgramArguments[1:],
	} {
		cmd := exec.CommandContext(ctx, bin, append(args, "-h")...)
		cmd.Env = append(os.Environ(), "NETGUARD_SKIP=")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "guard watch") {
			t.Errorf("%s: guard %s -h: %v\n%s", name, strings.Join(args, " "), err, out)
		}
	}
}

// The README states the log location the code uses.
func TestReadmeLogLocation(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"XDG_STATE_HOME": "/xdg", "HOME": "/home/u", "LOCALAPPDATA": `C:\Users\u\AppData\Local`}
	dir, err := ngwatch.StateDir(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"linux":   "/xdg/netguard",
		"darwin":  "/home/u/Library/Logs/netguard",
		"windows": `C:\Users\u\AppData\Local\netguard`,
	}[runtime.GOOS]
	if want != "" && dir != want {
		t.Errorf("state directory %s, the README says %s", dir, want)
	}
	if ngwatch.LogName != "watch.jsonl" || ngwatch.LockName != "watch.lock" {
		t.Errorf("file names %s %s, the README says watch.jsonl and watch.lock", ngwatch.LogName, ngwatch.LockName)
	}
	for _, want := range []string{
		"`$XDG_STATE_HOME/netguard/watch.jsonl`", "`~/.local/state/netguard/watch.jsonl`",
		"`~/Library/Logs/netguard/watch.jsonl`", `%LOCALAPPDATA%\netguard\watch.jsonl`,
		"systemctl --user enable --now netguard-watch", "launchctl bootstrap",
	} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("README.md lacks %s", want)
		}
	}
}
