//go:build windows

package watch

import (
	"errors"
	"path/filepath"
)

// stateDir is %LOCALAPPDATA%\netguard: per user and per machine (not
// roamed), where Windows programs keep logs.
func stateDir(getenv func(string) string) (string, error) {
	d := getenv("LOCALAPPDATA")
	if d == "" || !filepath.IsAbs(d) {
		return "", errors.New("LOCALAPPDATA is not set")
	}
	return filepath.Join(d, "netguard"), nil
}
