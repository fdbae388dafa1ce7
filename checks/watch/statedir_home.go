//go:build !windows

package watch

import (
	"errors"
	"path/filepath"
)

var errNoHome = errors.New("neither the state directory variable nor HOME is set")

// fromHome joins elem under $HOME, which must be absolute.
func fromHome(getenv func(string) string, elem ...string) (string, error) {
	home := getenv("HOME")
	if home == "" || !filepath.IsAbs(home) {
		return "", errNoHome
	}
	return filepath.Join(append([]string{home}, elem...)...), nil
}
