//go:build !windows

package netstate

// IsAddrInUse reports whether err is a Winsock "in use"; on Unix
// syscall.EADDRINUSE already matches, so never.
func IsAddrInUse(error) bool { return false }

// IsExcludedPort reports whether err says the port lies in a reserved
// range; only Windows reserves port ranges that refuse binds.
func IsExcludedPort(error) bool { return false }
