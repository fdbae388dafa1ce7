package watch

import (
	"fmt"
	"os"

	"github.com/netguard/netguard/checks/ownedfile"
)

// The watcher's files (lock, log, --log) are opened by a process that may
// run as root with a user's environment (sudo -E keeps XDG_STATE_HOME). A
// symbolic link planted where one of them goes would then truncate or
// append to any file root can write. So: the last path element is never
// followed (O_NOFOLLOW), the file opened must be a regular file of the
// running user, and its directory must belong to that user, or to root
// without being writable by others (or with the sticky bit, like /tmp).
// Files are opened with ownedfile.Open; safefile_<goos>.go has checkDir
// and PrepareStateDir.

// ErrNotOwned is a state directory, log directory or file that does not
// belong to the running user.
var ErrNotOwned = ownedfile.ErrNotOwned

// errLink is a watcher file or state directory that is a symbolic link.
var errLink = ownedfile.ErrLink

// fileError names the path (quoted: it may come from the environment) and
// what is wrong with it, on one line.
func fileError(path string, err error) error {
	return fmt.Errorf("%q: %w", path, err)
}

// mkdirChecked creates dir (mode 0700) when missing and checks it.
func mkdirChecked(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create directory: %w", err)
	}
	return checkDir(dir)
}
