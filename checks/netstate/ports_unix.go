//go:build !windows

package netstate

// isAddrInUse: syscall.EADDRINUSE already matches on Unix.
func IsAddrInUse(error) bool { return false }

// isExcludedPort: only Windows reserves port ranges that refuse binds.
func IsExcludedPort(error) bool { return false }
