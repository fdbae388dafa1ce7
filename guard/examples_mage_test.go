//go:build linux

package main

// The mage project example (examples/mage-project) under the real mage.
// These tests live in guard, with the lab test that runs its `mage start`
// (lab_examples_test.go), because they share the project copy and the
// mage binary, which the lab builds.

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/netguard/netguard/guard/internal/lab"
)

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

// TestMageImportedTargets: `mage -l` and `mage -h` on the imported
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
