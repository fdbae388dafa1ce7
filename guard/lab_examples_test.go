//go:build linux

package main

// The examples that run for real: the mage project (examples/mage-project)
// under the real mage, listed outside the lab and started inside it, and
// the VS Code task's arguments and problem matcher (examples_vscode_test.go
// reads them) against guard in the lab. They live in guard, not in the
// examples module, because the lab is internal to guard and builds mage.

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/netguard/netguard/guard/internal/lab"
)

// labEnv are the lab's own targets: nothing leaves the lab.
var labEnv = []string{
	"NETGUARD_EXTERNAL=" + lab.ExternalIP,
	"NETGUARD_DNS=" + lab.DNSName,
	"NETGUARD_TIMEOUT=2s",
}

// TestLabMageStart runs the example's `mage start` with the real mage in
// the lab's client namespace: the demo server starts on a healthy network
// and does not start once the gateway's entry is wrong, which the steps say
// mage guard:fix repairs.
func TestLabMageStart(t *testing.T) {
	l := lab.New(t)
	dir := mageProject(t, "")
	env := mageEnv(t)
	// Compile the magefile outside the lab (listing runs no check), so the
	// runs inside it only reuse mage's cache; GOPROXY=off below makes sure
	// the go command never reaches for the network there.
	if out, errs, code := runMage(t, dir, env, "-l"); code != 0 {
		t.Fatalf("mage -l: exit %d\n%s%s", code, out, errs)
	}
	start := func() (string, string, int) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		cmd := l.Cmd(ctx, l.Client, lab.BuildMage(t), "start")
		cmd.Dir = dir
		cmd.Env = append(append(env, labEnv...),
			"GOPROXY=off",
			"DEVSERVER_ADDR=127.0.0.1:0",
			"DEVSERVER_EXIT_AFTER=300ms",
		)
		return lab.RunCmd(t, cmd)
	}

	out, errs, code := start()
	if code != 0 || !strings.Contains(out, "started http://127.0.0.1:") {
		t.Fatalf("healthy lab: mage start exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	if !strings.Contains(errs, "netguard: healthy") {
		t.Errorf("healthy lab: no verdict line on stderr:\n%s", errs)
	}

	l.WrongGatewayMAC()
	out, errs, code = start()
	if code != 1 || strings.Contains(out, "started") {
		t.Fatalf("broken lab: mage start exit %d (want 1, server not started)\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	for _, want := range []string{"FAIL ", "network unhealthy", "  → ", "mage guard:fix", "NETGUARD_SKIP=1"} {
		if !strings.Contains(errs, want) {
			t.Errorf("broken lab: stderr lacks %q:\n%s", want, errs)
		}
	}
}

// TestLabVSCodeMatcher runs the real guard with tasks.json's own arguments
// on a broken and on a degraded lab, and checks that the problem matcher
// turns exactly the error and warning findings of the same run's JSON
// report into problems of the right severity.
func TestLabVSCodeMatcher(t *testing.T) {
	_, args, re, sev, code, msg := netguardTask(t)
	bin := lab.Build(t)
	for _, tc := range []struct {
		name    string
		fault   func(*lab.Lab)
		exit    int
		wantSev string // a severity the run must produce
	}{
		{"no default route", (*lab.Lab).RemoveDefaultRoute, 1, "FAIL"},
		{"ICMP dropped", (*lab.Lab).DropICMP, 0, "WARN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := lab.New(t)
			tc.fault(l)
			ctx, cancel := context.WithTimeout(context.Background(), lab.RunTimeout)
			defer cancel()
			cmd := l.Cmd(ctx, l.Client, append(append([]string{bin}, args...), "--json")...)
			cmd.Env = append(append(cmd.Env, labEnv...), "NO_COLOR=1")
			stdout, stderr, exit := lab.RunCmd(t, cmd)
			if exit != tc.exit {
				t.Fatalf("guard exit %d, want %d\n%s", exit, tc.exit, stderr)
			}
			var rep struct {
				Findings []struct{ ID, Severity, Summary string }
			}
			if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
				t.Fatalf("report: %v\n%s", err, stdout)
			}
			var want, got []string
			for _, f := range rep.Findings {
				switch f.Severity {
				case "error":
					want = append(want, "FAIL "+f.ID+": "+f.Summary)
				case "warning":
					want = append(want, "WARN "+f.ID+": "+f.Summary)
				}
			}
			for _, line := range strings.Split(stderr, "\n") {
				// Every line the matcher takes, the verdict line included:
				// only findings may match, each with its whole summary.
				if m := re.FindStringSubmatch(line); m != nil {
					got = append(got, m[sev]+" "+m[code]+": "+m[msg])
				}
			}
			slices.Sort(want)
			slices.Sort(got)
			if !slices.Equal(got, want) || !slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, tc.wantSev) }) {
				t.Errorf("matcher found %q, report has %q (need a %s)\nstderr:\n%s", got, want, tc.wantSev, stderr)
			}
		})
	}
}

// mageProject copies examples/mage-project to a temporary directory, its
// replace directive pointed at this repository, so mage's generated files
// never land in the source tree. alias, when set, becomes the import's.
func mageProject(t *testing.T, alias string) string {
	t.Helper()
	const example = "../examples/mage-project"
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	dst := t.TempDir()
	err = filepath.WalkDir(example, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(example, p)
		switch rel {
		case "go.mod":
			data = bytes.Replace(data, []byte("=> ../.."), []byte("=> "+root), 1)
		case "magefile.go":
			if alias != "" {
				data = bytes.Replace(data, []byte("//mage:import\n"), []byte("//mage:import "+alias+"\n"), 1)
			}
		}
		if err := os.MkdirAll(filepath.Join(dst, filepath.Dir(rel)), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// mageEnv keeps mage's compiled magefiles out of the user's ~/.magefile.
func mageEnv(t *testing.T) []string {
	return append(os.Environ(), "MAGEFILE_CACHE="+filepath.Join(t.TempDir(), "magecache"))
}

func runMage(t *testing.T, dir string, env []string, args ...string) (string, string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, lab.BuildMage(t), args...)
	cmd.Dir, cmd.Env = dir, env
	return lab.RunCmd(t, cmd)
}

// TestMageImportedTargets runs `mage -l` and `mage -h` on the imported
// targets, with and without an import alias. Lists only; runs no check.
func TestMageImportedTargets(t *testing.T) {
	for _, tc := range []struct{ alias, prefix string }{{"", ""}, {"netguard", "netguard:"}} {
		t.Run("alias="+tc.alias, func(t *testing.T) {
			dir := mageProject(t, tc.alias)
			env := mageEnv(t)
			out, errs, code := runMage(t, dir, env, "-l")
			if code != 0 {
				t.Fatalf("mage -l: exit %d\n%s%s\n(\"updates to go.mod needed\": run go mod tidy in examples/mage-project after changing the main go.mod)", code, out, errs)
			}
			for _, want := range []string{
				tc.prefix + "guard:check    stops the build when the network stack is unhealthy",
				tc.prefix + "guard:fix ",
				"start ",
			} {
				if !strings.Contains(out, "  "+want) {
					t.Errorf("mage -l lacks %q:\n%s", want, out)
				}
			}
			if strings.Contains(strings.ToLower(out), "require") {
				t.Errorf("mage -l lists Require, a library function:\n%s", out)
			}
			out, errs, code = runMage(t, dir, env, "-h", tc.prefix+"guard:check")
			if code != 0 || !strings.Contains(out, "NETGUARD_SKIP=1 skips it") || !strings.Contains(out, "mage "+tc.prefix+"guard:check") {
				t.Errorf("mage -h %sguard:check: exit %d\n%s%s", tc.prefix, code, out, errs)
			}
		})
	}
}
