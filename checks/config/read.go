package config

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// MaxFileSize caps a config file: a handful of settings is a few hundred
// bytes, and nothing larger is read (a committed link to /dev/zero, a
// generated file of thousands of targets).
const MaxFileSize = 64 << 10

// Why a config file is not read at all.
var (
	errSymlink    = errors.New("is a symbolic link (a project file must be a regular file in the repository)")
	errNotRegular = errors.New("is not a regular file")
	errTooLarge   = fmt.Errorf("is larger than %d KiB", MaxFileSize>>10)
)

// openMode says how far a config file is trusted.
type openMode int

const (
	// openFollow opens --config or NETGUARD_CONFIG, a file the user named.
	openFollow openMode = iota
	// openUser opens the user config. It may be a symbolic link (dotfile
	// managers link it), but must belong to the user.
	openUser
	// openProject opens a .netguard.yaml found by the search. Never followed
	// through a link, and must belong to the user; any problem skips it.
	openProject
)

// skipError is a config file passed over with a warning rather than an
// error: it is not the user's to fix, or not theirs at all.
type skipError struct {
	path string
	err  error
}

func (e *skipError) Error() string {
	return fmt.Sprintf("ignoring %s: %v", printable(e.path), e.err)
}

func (e *skipError) Unwrap() error { return e.err }

// readFile opens, checks and parses one config file.
func readFile(path string, mode openMode, env Env) (*Values, error) {
	data, err := readChecked(path, mode, env)
	if err != nil {
		return nil, err
	}
	return ParseFile(path, data)
}

// readChecked reads one file a project or the user wrote, with the checks
// of mode: a regular file of bounded size, and for the user's and the
// project's, owned by the user (or root, or the user who ran sudo) in a
// directory nobody else can write.
func readChecked(path string, mode openMode, env Env) ([]byte, error) {
	data, owner, err := readConfig(path, mode == openProject)
	if err != nil {
		if mode == openProject {
			return nil, &skipError{path, err}
		}
		return nil, fmt.Errorf("read config %s: %w", printable(path), err)
	}
	if mode != openFollow && env.UID >= 0 {
		if owner != env.UID && owner != 0 && (env.InvokerUID <= 0 || owner != env.InvokerUID) {
			return nil, &skipError{path, fmt.Errorf("owned by uid %d, not by you (uid %d)%s", owner, env.UID, env.invokerText())}
		}
		// Whoever can write the directory can replace the file.
		dir := filepath.Dir(path)
		if st, err := os.Stat(dir); err == nil && st.Mode().Perm()&0o022 != 0 &&
			!privateGroupDir(st, env.UID, env.GID) && (env.InvokerUID <= 0 || !privateGroupDir(st, env.InvokerUID, env.InvokerGID)) {
			return nil, &skipError{path, fmt.Errorf("its directory %s can be written by others (mode %04o)", printable(dir), st.Mode().Perm())}
		}
	}
	return data, nil
}

// readAll reads f up to MaxFileSize, failing beyond it: the size in the
// file's metadata was checked already, but a file can grow while we read.
func readAll(f *os.File) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileSize {
		return nil, errTooLarge
	}
	return data, nil
}

// invokerText ends the "owned by" warning: who else may own a file.
func (env Env) invokerText() string {
	switch {
	case env.InvokerUID > 0:
		return fmt.Sprintf(", the user who ran sudo (SUDO_UID %d) or root", env.InvokerUID)
	case env.UID == 0:
		// Root with no invoker: su, or a container over a bind-mounted
		// project; SUDO_UID is how to name the owner.
		return " or root, and SUDO_UID is not set"
	}
	return " or root"
}
