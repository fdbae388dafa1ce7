//go:build !darwin && !windows

package config

import "path/filepath"

// userDirs follows the XDG base directory spec, as os.UserConfigDir does:
// $XDG_CONFIG_HOME, else $HOME/.config. Relative values are invalid by the
// spec and ignored.
func userDirs(getenv func(string) string) (home, configDir string) {
	if h := getenv("HOME"); filepath.IsAbs(h) {
		home = h
	}
	switch d := getenv("XDG_CONFIG_HOME"); {
	case filepath.IsAbs(d):
		configDir = d
	case home != "":
		configDir = filepath.Join(home, ".config")
	}
	return home, configDir
}
