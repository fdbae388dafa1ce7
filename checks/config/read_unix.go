//go:build unix

package config

import (
	"errors"
	"fmt"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// readConfig reads a config file and returns its owner's uid. With
// noFollow a symbolic link as the last path element is refused by the
// kernel (O_NOFOLLOW), not by a check that could race. O_NONBLOCK keeps a
// FIFO from blocking the open; it is refused as not regular right after.
func readConfig(path string, noFollow bool) ([]byte, int, error) {
	flags := os.O_RDONLY | unix.O_NONBLOCK | unix.O_CLOEXEC
	if noFollow {
		flags |= unix.O_NOFOLLOW
	}
	f, err := os.OpenFile(path, flags, 0)
	if err != nil {
		// Linux and macOS say ELOOP for a link under O_NOFOLLOW, FreeBSD
		// EMLINK.
		if noFollow && (errors.Is(err, unix.ELOOP) || errors.Is(err, unix.EMLINK)) {
			return nil, -1, errSymlink
		}
		return nil, -1, fmt.Errorf("open: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, -1, fmt.Errorf("stat: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, -1, errNotRegular
	}
	if st.Size() > MaxFileSize {
		return nil, -1, errTooLarge
	}
	owner := -1
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		owner = int(sys.Uid)
	}
	data, err := readAll(f)
	if err != nil {
		return nil, -1, err
	}
	return data, owner, nil
}

// privateGroupDir reports whether st is a directory of the user's own,
// writable beyond the user only by the user's private group (uid == gid, the
// Debian and Ubuntu convention with umask 002), where nobody else can write.
// Without it every repository cloned there would have its config skipped.
func privateGroupDir(st os.FileInfo, uid, gid int) bool {
	sys, ok := st.Sys().(*syscall.Stat_t)
	return ok && uid >= 0 && gid == uid && st.Mode().Perm()&0o002 == 0 &&
		int(sys.Uid) == uid && int(sys.Gid) == gid
}

// sameDir compares two clean paths byte for byte: Unix file systems are
// case-sensitive by default, and where one is not (APFS, a mounted FAT),
// a mismatch only leaves a project file untrusted.
func sameDir(a, b string) bool { return a == b }
