//go:build windows

package netstate

import "errors"

// IsAddrInUse reports whether err is WSAEADDRINUSE: Winsock answers a
// taken port with it, and syscall.EADDRINUSE does not match it.
func IsAddrInUse(err error) bool { return errors.Is(err, wsaeAddrInUse) }

// IsExcludedPort reports whether err is WSAEACCES from bind: what an
// excluded port range (netsh int ipv4 show excludedportrange) answers, not
// a port in use.
func IsExcludedPort(err error) bool { return errors.Is(err, wsaeAccess) }
