//go:build !windows

package sys

import (
	"os"
	"path/filepath"
	"strings"
)

// IsPrivileged reports whether this process may open raw sockets and change
// the tables itself (root, an elevated token).
func IsPrivileged() bool { return os.Geteuid() == 0 }

// HostApp names the app a terminal session belongs to, for macOS Local
// Network privacy steps: the terminal or IDE sets TERM_PROGRAM, and
// __CFBundleIdentifier is set for apps launched by the Finder/Dock.
func HostApp() string {
	switch tp := os.Getenv("TERM_PROGRAM"); tp {
	case "vscode":
		if strings.Contains(strings.ToLower(os.Getenv("__CFBundleIdentifier")), "cursor") {
			return "Cursor"
		}
		return "Visual Studio Code"
	case "Apple_Terminal":
		return "Terminal"
	case "iTerm.app":
		return "iTerm"
	case "":
	default:
		return tp
	}
	if id := os.Getenv("__CFBundleIdentifier"); id != "" {
		return strings.TrimPrefix(filepath.Ext(id), ".")
	}
	return ""
}
