//go:build windows

package checks

import "golang.org/x/sys/windows"

func isPrivileged() bool { return windows.GetCurrentProcessToken().IsElevated() }

func hostApp() string { return "" }
