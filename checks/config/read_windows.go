//go:build windows

package config

import (
	"fmt"
	"os"
	"strings"
)

// readConfig reads a config file. Windows has no O_NOFOLLOW for
// os.OpenFile, so with noFollow the path is looked at without following it
// first, and the opened file must be that same file (a link swapped in
// between is refused). There is no uid: the owner is -1 and Load's Env
// turns owner checks off.
func readConfig(path string, noFollow bool) ([]byte, int, error) {
	var lst os.FileInfo
	if noFollow {
		var err error
		if lst, err = os.Lstat(path); err != nil {
			return nil, -1, fmt.Errorf("stat: %w", err)
		}
		if lst.Mode()&(os.ModeSymlink|os.ModeIrregular) != 0 {
			return nil, -1, errSymlink
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, -1, fmt.Errorf("open: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, -1, fmt.Errorf("stat: %w", err)
	}
	if lst != nil && !os.SameFile(lst, st) {
		return nil, -1, errSymlink
	}
	if !st.Mode().IsRegular() {
		return nil, -1, errNotRegular
	}
	if st.Size() > MaxFileSize {
		return nil, -1, errTooLarge
	}
	data, err := readAll(f)
	if err != nil {
		return nil, -1, err
	}
	return data, -1, nil
}

// privateGroupDir is always false: Windows has no Unix group bits.
func privateGroupDir(os.FileInfo, int, int) bool { return false }

// sameDir compares two clean paths as NTFS names them: without regard to
// case, so a trust entry of c:\users\me\src\app matches the working
// directory C:\Users\Me\src\app. filepath.Clean has already turned / into
// \.
func sameDir(a, b string) bool { return strings.EqualFold(a, b) }
