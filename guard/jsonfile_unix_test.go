//go:build unix

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/netguard/netguard/checks"
	"github.com/netguard/netguard/checks/checkstest"
	"github.com/netguard/netguard/checks/diagnose"
)

// A repository that commits netguard.json as a link to a user file, or a
// NETGUARD_JSON_FILE that names one, never gets that file overwritten;
// the report is private to its owner.
func TestJSONFileNeverFollowsLinks(t *testing.T) {
	for _, viaEnv := range []bool{false, true} {
		dir := t.TempDir()
		victim := filepath.Join(dir, ".bashrc")
		if err := os.WriteFile(victim, []byte("precious\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		report := filepath.Join(dir, "repo", "netguard.json")
		if err := os.MkdirAll(filepath.Dir(report), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink("../.bashrc", report); err != nil {
			t.Fatal(err)
		}
		args, env := []string{"check", "--json-file", report}, map[string]string{}
		if viaEnv {
			args, env = []string{"check"}, map[string]string{"NETGUARD_JSON_FILE": report}
		}
		sys, _, errOut := testIO(t, checkstest.NewLab(false), env)
		code := run(args, sys)
		if b, _ := os.ReadFile(victim); string(b) != "precious\n" {
			t.Fatalf("env %v: link target now holds %q", viaEnv, b)
		}
		if code == exitOK || !strings.Contains(errOut.String(), "symbolic link") {
			t.Errorf("env %v: exit %d, want an error naming the link:\n%s", viaEnv, code, errOut)
		}
	}
}

func TestJSONFileIsPrivate(t *testing.T) {
	dir := t.TempDir()
	fresh, old := filepath.Join(dir, "new.json"), filepath.Join(dir, "old.json")
	if err := os.WriteFile(old, []byte(strings.Repeat("x", 100000)), 0o644); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo.json")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{fresh, old} {
		sys, _, errOut := testIO(t, checkstest.NewLab(false), nil)
		if code := run([]string{"check", "--json-file", file}, sys); code != exitOK {
			t.Fatalf("%s: exit %d\n%s", file, code, errOut)
		}
		st, err := os.Stat(file)
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v mode %v, want 0600", file, err, st.Mode().Perm())
		}
		var r checks.Report
		if b, err := os.ReadFile(file); err != nil || json.Unmarshal(b, &r) != nil || r.Verdict != diagnose.Healthy {
			t.Errorf("%s: not one report (%v): %.80q", file, err, b)
		}
	}
	sys, _, errOut := testIO(t, checkstest.NewLab(false), nil)
	if code := run([]string{"check", "--json-file", fifo}, sys); code == exitOK {
		t.Errorf("FIFO accepted as the report file:\n%s", errOut)
	}
}
