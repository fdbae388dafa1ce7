//go:build windows

package netstate

import "errors"

// isAddrInUse: Winsock answers a taken port with WSAEADDRINUSE, which
// syscall.EADDRINUSE does not match.
func IsAddrInUse(err error) bool { return errors.Is(err, wsaeAddrInUse) }

// isExcludedPort: WSAEACCES from bind is what an excluded port range
// (netsh int ipv4 show excludedportrange) answers, not a port in use.
func IsExcludedPort(err error) bool { return errors.Is(err, wsaeAccess) }
