//go:build linux

package sys

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/netguard/netguard/checks/netstate"
)

// runFixed never finds a program through the caller's PATH: as root under
// sudo, that PATH is the user's, and a program found there would run as
// root.
func TestRunFixedIgnoresPath(t *testing.T) {
	evil := t.TempDir()
	marker := filepath.Join(evil, "ran")
	const name = "netguard-test-no-such-tool"
	if err := os.WriteFile(filepath.Join(evil, name), []byte("#!/bin/sh\ntouch "+marker+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", evil)
	err := runFixed(context.Background(), "test", name)
	if !errors.Is(err, netstate.ErrUnsupported) {
		t.Fatalf("runFixed = %v, want ErrUnsupported (not found in the system directories)", err)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("runFixed ran a program from PATH")
	}
}
