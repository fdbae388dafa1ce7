package watch

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/netguard/netguard/checks/ownedfile"
)

// LockName is the lock file in the state directory.
const LockName = "watch.lock"

// ErrLocked is returned by Lock when another watcher holds the lock.
var ErrLocked = errors.New("another guard watch is running")

// Lock is held by the one watcher of a user. The OS releases it when the
// process exits, however it exits, so a crash never leaves a stale lock;
// the pid written into the file is only there for the error message.
type Lock struct {
	f *os.File
}

// AcquireLock takes the lock file at path without waiting. When another
// process holds it, the error wraps ErrLocked and names that process. The
// file is never reached through a link and must be the running user's, in
// a directory that is theirs (safefile.go).
func AcquireLock(path string) (*Lock, error) {
	if err := mkdirChecked(filepath.Dir(path)); err != nil {
		return nil, fmt.Errorf("lock: %w", err)
	}
	f, err := ownedfile.Open(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock: %w", err)
	}
	if err := lockFile(f); err != nil {
		defer f.Close()
		if errors.Is(err, errWouldBlock) {
			return nil, fmt.Errorf("%w (%s)", ErrLocked, holder(f, path))
		}
		return nil, fmt.Errorf("lock %q: %w", path, err)
	}
	// Best effort: the lock works without the pid.
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &Lock{f: f}, nil
}

// holder describes who holds the lock in f, for the error message. It
// reads the file already opened (not the path again), and shows the pid
// only when it is one: the content is another process's.
func holder(f *os.File, path string) string {
	b := make([]byte, 24)
	n, _ := f.ReadAt(b, 0)
	pid := strings.TrimSpace(string(b[:n]))
	if _, err := strconv.Atoi(pid); err == nil {
		return fmt.Sprintf("pid %s, lock %q", pid, path)
	}
	return fmt.Sprintf("lock %q", path)
}

// Release unlocks and closes the lock file. The file stays: removing it
// would race with a watcher starting at the same moment (it could lock the
// old inode while a third one creates a new file).
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := unlockFile(l.f)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	if err != nil {
		return fmt.Errorf("release lock: %w", err)
	}
	return nil
}
