//go:build windows

package checks

import "errors"

// isAddrInUse: Winsock answers a taken port with WSAEADDRINUSE, which
// syscall.EADDRINUSE does not match.
func isAddrInUse(err error) bool { return errors.Is(err, wsaeAddrInUse) }

// isExcludedPort: WSAEACCES from bind is what an excluded port range
// (netsh int ipv4 show excludedportrange) answers, not a port in use.
func isExcludedPort(err error) bool { return errors.Is(err, wsaeAccess) }
