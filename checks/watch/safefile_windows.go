//go:build windows

package watch

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/windows"
)

// openOwned opens path with flag (O_CREATE creates it with perm). Windows
// has no O_NOFOLLOW for os.OpenFile: a link (or other reparse point) at
// path is refused before the open, and the file opened must be the one
// looked at. A file created with a perm that gives group and others
// nothing (0600) is created with an access list that grants only the
// running user: Windows ignores mode bits, and a file in a directory
// shared with others would otherwise inherit their access.
func openOwned(path string, flag int, perm os.FileMode) (*os.File, error) {
	lst, err := os.Lstat(path)
	switch {
	case err == nil && lst.Mode()&(os.ModeSymlink|os.ModeIrregular) != 0:
		return nil, fileError(path, errLink)
	case err != nil && !errors.Is(err, os.ErrNotExist):
		return nil, err
	case err != nil && flag&os.O_CREATE != 0 && perm&0o077 == 0:
		if err := createPrivate(path); err != nil {
			return nil, err
		}
	}
	f, err := os.OpenFile(path, flag, perm)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("stat %q: %w", path, err)
	}
	if lst != nil && !os.SameFile(lst, st) {
		f.Close()
		return nil, fileError(path, errLink)
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, fileError(path, errors.New("is not a regular file"))
	}
	return f, nil
}

// checkDir refuses a directory that is a link.
func checkDir(dir string) error {
	st, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("directory: %w", err)
	}
	if st.Mode()&(os.ModeSymlink|os.ModeIrregular) != 0 {
		return fileError(dir, errLink)
	}
	if !st.IsDir() {
		return fileError(dir, errors.New("is not a directory"))
	}
	return nil
}

// PrepareStateDir creates the state directory when missing and refuses one
// that is a link. A directory it creates grants only the running user, and what is created
// in it inherits that.
func PrepareStateDir(dir string) error {
	if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
		return fmt.Errorf("state directory: %w", err)
	}
	if err := mkdirPrivate(dir); err != nil {
		return fmt.Errorf("state directory: %w", err)
	}
	if err := checkDir(dir); err != nil {
		return fmt.Errorf("state directory %w", err)
	}
	return nil
}

// mkdirPrivate creates dir, whose parent exists, as a directory only the
// running user may use; an existing one is left as it is.
func mkdirPrivate(dir string) error {
	sa, err := privateAttributes(true)
	if err != nil {
		return fileError(dir, err)
	}
	p, err := windows.UTF16PtrFromString(dir)
	if err != nil {
		return fileError(dir, err)
	}
	err = windows.CreateDirectory(p, sa)
	if err != nil && !errors.Is(err, windows.ERROR_ALREADY_EXISTS) {
		return fmt.Errorf("create %q: %w", dir, err)
	}
	return nil
}
