package watch

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/netguard/netguard/checks/checkstest/wine"
)

func TestLock(t *testing.T) {
	path := filepath.Join(wine.TempDir(t), "state", LockName)
	l, err := AcquireLock(path)
	if err != nil {
		t.Fatal(err)
	}
	checkPrivate(t, path)
	// A second lock, even from this process, is refused with the holder.
	_, err = AcquireLock(path)
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second lock: %v, want ErrLocked", err)
	}
	if !strings.Contains(err.Error(), "pid "+strconv.Itoa(os.Getpid())) {
		t.Errorf("error %q does not name the holder", err)
	}
	// Another process is refused too (the real case: a second guard watch).
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "NETGUARD_WATCH_LOCK_HELPER="+path)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 3 {
		t.Errorf("other process: %v, want exit 3 (locked)\n%s", err, out)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	if err := l.Release(); err != nil {
		t.Errorf("second Release: %v", err)
	}
	l2, err := AcquireLock(path)
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	defer l2.Release()
}

// TestMain doubles as the other process of the lock tests: with
// NETGUARD_WATCH_LOCK_HELPER set it takes that lock, exits 3 if another
// process holds it, and exits without releasing it otherwise.
func TestMain(m *testing.M) {
	if path := os.Getenv("NETGUARD_WATCH_LOCK_HELPER"); path != "" {
		if _, err := AcquireLock(path); errors.Is(err, ErrLocked) {
			os.Exit(3)
		} else if err != nil {
			os.Stderr.WriteString(err.Error() + "\n")
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestLockReleasedOnExit(t *testing.T) {
	path := filepath.Join(wine.TempDir(t), LockName)
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "NETGUARD_WATCH_LOCK_HELPER="+path)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("helper: %v\n%s", err, out)
	}
	l, err := AcquireLock(path)
	if err != nil {
		t.Fatalf("lock left held by an exited process: %v", err)
	}
	l.Release()
}

// A state directory the watcher creates is its user's alone.
func TestStateDirPrivate(t *testing.T) {
	dir := filepath.Join(wine.TempDir(t), "netguard")
	if err := PrepareStateDir(dir); err != nil {
		t.Fatal(err)
	}
	checkPrivate(t, dir)
}
