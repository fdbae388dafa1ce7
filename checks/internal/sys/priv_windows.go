//go:build windows

package sys

import "golang.org/x/sys/windows"

// IsPrivileged reports whether this process may open raw sockets and change
// the tables itself (root, an elevated token).
func IsPrivileged() bool { return windows.GetCurrentProcessToken().IsElevated() }

// HostApp returns "": Windows has no per-app network privacy to name an
// app for.
func HostApp() string { return "" }
