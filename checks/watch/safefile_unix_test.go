//go:build unix

package watch

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netguard/netguard/checks/ownedfile"
)

// A link planted where the lock or the log goes is refused, and its target
// keeps its content: as root with a user's XDG_STATE_HOME it would
// otherwise truncate or append to any file.
func TestWatchFilesRefuseLinks(t *testing.T) {
	for _, name := range []string{LockName, LogName} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			target := filepath.Join(dir, "victim")
			if err := os.WriteFile(target, []byte("precious\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "state", name)
			if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(target, path); err != nil {
				t.Fatal(err)
			}
			var err error
			if name == LockName {
				var l *Lock
				l, err = AcquireLock(path)
				l.Release()
			} else {
				var r *RotatingFile
				r, err = OpenRotating(path, 0, 0)
				if r != nil {
					_, _ = r.Write([]byte("{}\n"))
					r.Close()
				}
			}
			if !errors.Is(err, errLink) || strings.Contains(err.Error(), "\n") {
				t.Errorf("err = %v, want one line saying it is a symbolic link", err)
			}
			if b, _ := os.ReadFile(target); string(b) != "precious\n" {
				t.Errorf("link target now holds %q", b)
			}
		})
	}
}

// notMine returns a file and a directory that belong to someone else than
// the running user: made and handed to nobody as root, else root's own.
func notMine(t *testing.T) (file, dir string) {
	t.Helper()
	if os.Geteuid() != 0 {
		return "/etc/passwd", "/"
	}
	dir = filepath.Join(t.TempDir(), "nobody")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	file = filepath.Join(dir, LogName)
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{file, dir} {
		if err := os.Chown(p, 65534, 65534); err != nil {
			t.Fatal(err)
		}
	}
	return file, dir
}

func TestWatchFilesOwnership(t *testing.T) {
	file, dir := notMine(t)
	if f, err := ownedfile.Open(file, os.O_RDONLY, 0); !errors.Is(err, ErrNotOwned) {
		if f != nil {
			f.Close()
		}
		t.Errorf("another user's file: %v, want ErrNotOwned", err)
	}
	if err := PrepareStateDir(dir); !errors.Is(err, ErrNotOwned) || !strings.HasPrefix(err.Error(), "state directory ") {
		t.Errorf("another user's state directory: %v, want ErrNotOwned", err)
	}
	if os.Geteuid() == 0 {
		if _, err := AcquireLock(filepath.Join(dir, LockName)); !errors.Is(err, ErrNotOwned) {
			t.Errorf("lock in another user's directory: %v, want ErrNotOwned", err)
		}
	}
	// Mine, but others can write it: refused; sticky (like /tmp): accepted
	// for the log, never as the state directory.
	open := filepath.Join(t.TempDir(), "open")
	if err := os.Mkdir(open, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(open, 0o777); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenRotating(filepath.Join(open, LogName), 0, 0); err == nil || !strings.Contains(err.Error(), "can be written by others (mode 0777)") {
		t.Errorf("log in a world-writable directory: %v", err)
	}
	if err := os.Chmod(open, 0o777|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	r, err := OpenRotating(filepath.Join(open, LogName), 0, 0)
	if err != nil {
		t.Errorf("log in a sticky directory: %v", err)
	} else {
		r.Close()
	}
	if err := PrepareStateDir(open); err == nil {
		t.Errorf("a world-writable state directory was accepted")
	}
	// A state directory that is a link is refused; a fresh one is made 0700.
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(t.TempDir(), link); err != nil {
		t.Fatal(err)
	}
	if err := PrepareStateDir(link); !errors.Is(err, errLink) {
		t.Errorf("linked state directory: %v", err)
	}
	fresh := filepath.Join(t.TempDir(), "a", "netguard")
	if err := PrepareStateDir(fresh); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(fresh); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("fresh state directory: %v %v", st.Mode(), err)
	}
}
