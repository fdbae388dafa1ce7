//go:build windows

package ownedfile

import (
	"errors"
	"fmt"
	"os"
)

// Open opens path with flag (O_CREATE creates it with perm). Windows has
// no O_NOFOLLOW for os.OpenFile: a link (or other reparse point) at path
// is refused before the open, and the file opened must be the one looked
// at. A file created with a perm that gives group and others nothing
// (0600) is created with an access list that grants only the running
// user: Windows ignores mode bits, and a file in a directory shared with
// others would otherwise inherit their access. Ownership of an existing
// file is left to the directory's ACLs.
func Open(path string, flag int, perm os.FileMode) (*os.File, error) {
	lst, err := os.Lstat(path)
	switch {
	case err == nil && lst.Mode()&(os.ModeSymlink|os.ModeIrregular) != 0:
		return nil, pathError(path, ErrLink)
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
		return nil, pathError(path, ErrLink)
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, pathError(path, errNotRegular)
	}
	return f, nil
}
