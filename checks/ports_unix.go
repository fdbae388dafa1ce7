//go:build !windows

package checks

// isAddrInUse: syscall.EADDRINUSE already matches on Unix.
func isAddrInUse(error) bool { return false }

// isExcludedPort: only Windows reserves port ranges that refuse binds.
func isExcludedPort(error) bool { return false }
