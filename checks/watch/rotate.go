package watch

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/netguard/netguard/checks/ownedfile"
)

// Log rotation defaults: a watcher logs a line per state change and per
// repair, so 5 MiB is months of history, and three old files bound the
// disk use at 20 MiB.
const (
	DefaultMaxBytes = 5 << 20
	DefaultKeep     = 3
)

// RotatingFile appends lines to Path and rotates it by size: when a write
// would take it past MaxBytes, Path.Keep is removed, Path.N becomes
// Path.N+1 and Path becomes Path.1. One Write is never split across two
// files, so every file holds whole JSON lines. It is safe for concurrent
// use; across processes the watch lock keeps a single writer.
type RotatingFile struct {
	Path     string
	MaxBytes int64 // <= 0: DefaultMaxBytes
	Keep     int   // old files kept; <= 0: DefaultKeep

	mu   sync.Mutex
	f    *os.File
	size int64
}

// OpenRotating opens (creating it and its directory when needed) the log
// at path for appending. The file is readable by its owner only: it holds
// addresses, MACs and host names of the networks the user visits. A link
// at path, a file of another user, or a directory neither the user's nor
// root's-and-closed (safefile.go) is refused.
func OpenRotating(path string, maxBytes int64, keep int) (*RotatingFile, error) {
	r := &RotatingFile{Path: path, MaxBytes: maxBytes, Keep: keep}
	if r.MaxBytes <= 0 {
		r.MaxBytes = DefaultMaxBytes
	}
	if r.Keep <= 0 {
		r.Keep = DefaultKeep
	}
	if err := mkdirChecked(filepath.Dir(path)); err != nil {
		return nil, fmt.Errorf("log: %w", err)
	}
	if err := r.open(); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *RotatingFile) open() error {
	// Never through a link, and only the running user's file (safefile.go).
	f, err := ownedfile.Open(r.Path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open log: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("stat log: %w", err)
	}
	r.f, r.size = f, st.Size()
	return nil
}

// Write appends p, rotating first when p would not fit. A line longer than
// MaxBytes is written alone into a fresh file rather than dropped.
func (r *RotatingFile) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.f == nil {
		return 0, fmt.Errorf("write log %s: %w", r.Path, os.ErrClosed)
	}
	if r.size > 0 && r.size+int64(len(p)) > r.MaxBytes {
		if err := r.rotate(); err != nil {
			return 0, err
		}
	}
	n, err := r.f.Write(p)
	r.size += int64(n)
	if err != nil {
		return n, fmt.Errorf("write log: %w", err)
	}
	return n, nil
}

// rotate shifts the old files up by one and starts a new Path. The file
// is closed before it is renamed: Windows cannot rename an open file.
func (r *RotatingFile) rotate() error {
	if err := r.f.Close(); err != nil {
		return fmt.Errorf("close log for rotation: %w", err)
	}
	r.f = nil
	old := func(i int) string { return r.Path + "." + strconv.Itoa(i) }
	if err := os.Remove(old(r.Keep)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("rotate log: %w", err)
	}
	for i := r.Keep - 1; i >= 1; i-- {
		if err := os.Rename(old(i), old(i+1)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("rotate log: %w", err)
		}
	}
	if err := os.Rename(r.Path, old(1)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("rotate log: %w", err)
	}
	return r.open()
}

// Close closes the file. Later writes fail.
func (r *RotatingFile) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.f == nil {
		return nil
	}
	err := r.f.Close()
	r.f = nil
	if err != nil {
		return fmt.Errorf("close log: %w", err)
	}
	return nil
}
