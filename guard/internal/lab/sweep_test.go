//go:build linux

package lab

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestSweepStale builds the remains of a killed test process's lab (a
// namespace with a process in it, the /etc/netns entry, the directory
// naming a dead owner) beside a live lab's directory and an unowned young
// one, and checks that only the first is swept, its process included.
func TestSweepStale(t *testing.T) {
	RequireRoot(t)
	tmp := t.TempDir()
	dead, live, young := uniquePrefix(t), uniquePrefix(t), uniquePrefix(t)
	ns := dead + "-c"
	if out, err := runIP("", "netns", "add", ns); err != nil {
		t.Fatalf("ip netns add %s: %v\n%s", ns, err, out)
	}
	t.Cleanup(func() {
		if _, err := os.Stat("/run/netns/" + ns); err == nil {
			_, _ = runIP("", "netns", "del", ns)
		}
		_ = os.RemoveAll("/etc/netns/" + ns)
	})
	if err := os.MkdirAll("/etc/netns/"+ns, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sleeper := exec.CommandContext(ctx, "ip", "netns", "exec", ns, "sleep", "25")
	if err := sleeper.Start(); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { waited <- sleeper.Wait() }()

	mk := func(prefix, owner string) string {
		dir := filepath.Join(tmp, "netguard-lab-"+prefix+"-123")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if owner != "" {
			if err := os.WriteFile(filepath.Join(dir, ownerFile), []byte(owner), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	// A PID that is not running: exited children are reaped by Wait.
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	deadDir := mk(dead, fmt.Sprintf("%d 1\n", gone.Process.Pid))
	liveDir := mk(live, "")
	if err := writeOwner(liveDir); err != nil {
		t.Fatal(err)
	}
	youngDir := mk(young, "")

	// The namespace must show the sleeper before the sweep, or the test
	// would prove nothing about killing it.
	for deadline := time.Now().Add(5 * time.Second); ; {
		out, _ := runIP("", "netns", "pids", ns)
		if len(out) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the sleeper never showed in the namespace")
		}
		time.Sleep(20 * time.Millisecond)
	}

	swept, err := sweepStale(tmp)
	if err != nil {
		t.Fatalf("sweep: %v", err)
	}
	if !slices.Equal(swept, []string{dead}) {
		t.Fatalf("swept %v, want [%s]", swept, dead)
	}
	for _, p := range []string{"/run/netns/" + ns, "/etc/netns/" + ns, deadDir} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s still there after the sweep (%v)", p, err)
		}
	}
	for _, p := range []string{liveDir, youngDir} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s was swept: %v", p, err)
		}
	}
	select {
	case <-waited:
	case <-time.After(5 * time.Second):
		t.Error("the process inside the stale namespace was not killed")
	}
}

func TestProcessStart(t *testing.T) {
	a, err := processStart(os.Getpid())
	if err != nil || a == 0 {
		t.Fatalf("processStart(self) = %d, %v", a, err)
	}
	b, _ := processStart(os.Getpid())
	if a != b {
		t.Fatalf("start time changed: %d then %d", a, b)
	}
	if _, err := processStart(1 << 30); err == nil {
		t.Fatal("processStart of a PID that cannot exist gave no error")
	}
}
