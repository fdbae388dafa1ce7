//go:build unix

package ownedfile

import (
	"errors"
	"fmt"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// Open opens path with flag (O_CREATE creates it with perm) without
// following a symbolic link in the last element, and refuses anything but
// a regular file owned by the running user. O_NONBLOCK keeps a FIFO from
// blocking the open; it is refused right after.
func Open(path string, flag int, perm os.FileMode) (*os.File, error) {
	f, err := os.OpenFile(path, flag|unix.O_NOFOLLOW|unix.O_CLOEXEC|unix.O_NONBLOCK, perm)
	if err != nil {
		if errors.Is(err, unix.ELOOP) || errors.Is(err, unix.EMLINK) {
			return nil, pathError(path, ErrLink)
		}
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("stat %q: %w", path, err)
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, pathError(path, errNotRegular)
	}
	if uid, me := Owner(st), os.Geteuid(); uid != me {
		f.Close()
		return nil, pathError(path, fmt.Errorf("%w (owner uid %d, you are uid %d)", ErrNotOwned, uid, me))
	}
	return f, nil
}

// Owner is the uid that owns the file st describes, or -1.
func Owner(st os.FileInfo) int {
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		return int(sys.Uid)
	}
	return -1
}
