//go:build darwin

package config

import "path/filepath"

// userDirs is $HOME and $HOME/Library/Application Support, as
// os.UserConfigDir has it on macOS (no XDG variables).
func userDirs(getenv func(string) string) (home, configDir string) {
	if h := getenv("HOME"); filepath.IsAbs(h) {
		return h, filepath.Join(h, "Library", "Application Support")
	}
	return "", ""
}
