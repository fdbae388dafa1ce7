//go:build unix

package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/netguard/netguard/checks"
	"github.com/netguard/netguard/checks/checkstest"
	"github.com/netguard/netguard/checks/netstate"
)

// A sudo put first in PATH (by a project's tooling, or anything that runs
// as the user) never runs: under --sudo prompt it would get the terminal
// and could ask for the password.
func TestSudoNeverFoundThroughPATH(t *testing.T) {
	bin := t.TempDir()
	marker := filepath.Join(t.TempDir(), "ran")
	fake := "#!/bin/sh\necho FAKE >" + marker + "\n"
	if err := os.WriteFile(filepath.Join(bin, "sudo"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	sys, _, _ := testIO(t, checkstest.NewLab(false), nil)
	// The real sudo, if any, runs /bin/true: nothing on this machine changes.
	sys.Executable = func() (string, error) { return "/bin/true", nil }
	sys.SafeExe = func(string) error { return nil }
	fo := elevation(sys, checks.SudoAuto)
	_ = fo.Elevate(context.Background(), checks.Action{Rung: netstate.RungFlushDNS})
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("the sudo found through PATH ran")
	}
}
