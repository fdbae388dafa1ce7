//go:build windows

package config

import "path/filepath"

// userDirs is %USERPROFILE% and %APPDATA%, as os.UserHomeDir and
// os.UserConfigDir have them on Windows.
func userDirs(getenv func(string) string) (home, configDir string) {
	if h := getenv("USERPROFILE"); filepath.IsAbs(h) {
		home = h
	}
	if d := getenv("APPDATA"); filepath.IsAbs(d) {
		configDir = d
	}
	return home, configDir
}
