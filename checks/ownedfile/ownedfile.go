// Package ownedfile opens files that a process which may be root, or may
// run in a directory someone else prepared, writes to: the watcher's lock
// and log, and the JSON report. A symbolic link planted where one of them
// goes would otherwise truncate or append to whatever it points at. The
// last path element is never followed, and the file opened must be a
// regular file of the running user.
package ownedfile

import (
	"errors"
	"fmt"
	"os"
)

// ErrNotOwned is a file or directory that does not belong to the running
// user.
var ErrNotOwned = errors.New("not owned by you")

// ErrLink is a path whose last element is a symbolic link.
var ErrLink = errors.New("is a symbolic link")

// errNotRegular is a FIFO, device, directory or socket where a file goes.
var errNotRegular = errors.New("is not a regular file")

// pathError names the path (quoted: it may come from the environment or
// a repository) and what is wrong with it, on one line.
func pathError(path string, err error) error {
	return fmt.Errorf("%q: %w", path, err)
}

// Create opens path for writing as a report file: created with mode 0600
// when missing, otherwise (a regular file of the running user, not a link)
// truncated and set to mode 0600, because a report can name proxies and
// hosts of this machine.
func Create(path string) (*os.File, error) {
	f, err := Open(path, os.O_WRONLY|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	// Truncating only after Open checked the file: O_TRUNC would cut
	// another user's writable file before the owner is known.
	if err := f.Truncate(0); err != nil {
		f.Close()
		return nil, fmt.Errorf("truncate %q: %w", path, err)
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return nil, fmt.Errorf("chmod %q: %w", path, err)
	}
	return f, nil
}
