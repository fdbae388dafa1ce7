//go:build windows

package watch

import (
	"errors"
	"fmt"
	"os"
)

// openOwned opens path with flag (O_CREATE creates it with perm). Windows
// has no O_NOFOLLOW for os.OpenFile: a link (or other reparse point) at
// path is refused before the open, and the file opened must be the one
// looked at. Ownership is left to the ACLs of %LOCALAPPDATA%.
func openOwned(path string, flag int, perm os.FileMode) (*os.File, error) {
	lst, err := os.Lstat(path)
	switch {
	case err == nil && lst.Mode()&(os.ModeSymlink|os.ModeIrregular) != 0:
		return nil, fileError(path, errLink)
	case err != nil && !errors.Is(err, os.ErrNotExist):
		return nil, err
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
// that is a link.
func PrepareStateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("state directory: %w", err)
	}
	if err := checkDir(dir); err != nil {
		return fmt.Errorf("state directory %w", err)
	}
	return nil
}
