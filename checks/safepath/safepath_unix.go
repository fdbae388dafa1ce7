//go:build unix

package safepath

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// Check returns nil when path (a program) and every directory above it are
// owned by root and writable by nobody else, following symlinks and
// checking both the link and what it points to. A directory that others
// may write to is accepted only with the sticky bit and owned by root
// (/tmp): there nobody else can rename or replace a root-owned entry.
// Group write is accepted for group 0 only (root, wheel).
func Check(path string) error {
	return check(path, 0)
}

func check(path string, depth int) error {
	if depth > 8 {
		return fmt.Errorf("%q: %w: too many symbolic links", path, ErrUnsafe)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("%q: %w", path, err)
	}
	// Every directory from / down to the file's parent, then the file.
	var chain []string
	for p := filepath.Dir(abs); ; p = filepath.Dir(p) {
		chain = append([]string{p}, chain...)
		if p == filepath.Dir(p) {
			break
		}
	}
	chain = append(chain, abs)
	for i, p := range chain {
		fi, err := os.Lstat(p)
		if err != nil {
			return fmt.Errorf("%q: %w", p, err)
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			// The link itself can only be replaced through its directory,
			// checked above; what it points to must be safe as well.
			target, err := filepath.EvalSymlinks(p)
			if err != nil {
				return fmt.Errorf("%q: %w", p, err)
			}
			if err := check(target, depth+1); err != nil {
				return err
			}
			if i < len(chain)-1 {
				continue
			}
			return nil
		}
		if err := owned(p, fi, i == len(chain)-1); err != nil {
			return err
		}
	}
	return nil
}

func owned(p string, fi fs.FileInfo, last bool) error {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fmt.Errorf("%q: %w: cannot read its owner", p, ErrUnsafe)
	}
	if st.Uid != 0 {
		return fmt.Errorf("%q is owned by uid %d: %w (it must be owned by root)", p, st.Uid, ErrUnsafe)
	}
	m := fi.Mode()
	sticky := m&fs.ModeSticky != 0 && m.IsDir() && !last
	switch {
	case m.Perm()&0o002 != 0 && !sticky:
		return fmt.Errorf("%q is writable by every user: %w", p, ErrUnsafe)
	case m.Perm()&0o020 != 0 && st.Gid != 0 && !sticky:
		return fmt.Errorf("%q is writable by group %d: %w", p, st.Gid, ErrUnsafe)
	case last && !m.IsRegular():
		return fmt.Errorf("%q is not a regular file: %w", p, ErrUnsafe)
	}
	return nil
}

// Find returns the first of SystemDirs that holds name, once Check
// accepts it: a copy there that someone but root could replace is an
// error, never a reason to look further.
func Find(name string) (string, error) {
	for _, d := range SystemDirs {
		p := filepath.Join(d, name)
		if _, err := os.Stat(p); err != nil {
			continue
		}
		if err := Check(p); err != nil {
			return "", err
		}
		return p, nil
	}
	return "", fmt.Errorf("%s: %w", name, ErrNotFound)
}
