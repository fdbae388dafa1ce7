//go:build windows

package watch

import (
	"os"

	"golang.org/x/sys/windows"
)

var errWouldBlock error = windows.ERROR_LOCK_VIOLATION

// lockOffset is the byte LockFileEx locks: far past the pid written at
// the start of the file, so a second instance can still read who holds the
// lock (a locked range cannot be read through another handle).
const lockOffset = 1<<32 - 1

// lockFile locks one byte of the file exclusively without waiting.
// LockFileEx locks belong to the handle, so a second open of the file, in
// this process or another, fails with ERROR_LOCK_VIOLATION.
func lockFile(f *os.File) error {
	ol := &windows.Overlapped{Offset: lockOffset}
	return windows.LockFileEx(windows.Handle(f.Fd()), windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, ol)
}

func unlockFile(f *os.File) error {
	ol := &windows.Overlapped{Offset: lockOffset}
	return windows.UnlockFileEx(windows.Handle(f.Fd()), 0, 1, 0, ol)
}
