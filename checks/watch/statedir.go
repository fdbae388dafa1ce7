package watch

import (
	"errors"
	"fmt"
	"path/filepath"
)

// LogName is the log file in the state directory.
const LogName = "watch.jsonl"

// StateDir is where the watcher keeps its log and lock for the current
// user (see stateDir in statedir_<goos>.go). getenv is os.Getenv outside
// tests.
func StateDir(getenv func(string) string) (string, error) {
	d, err := stateDir(getenv)
	if err != nil {
		return "", fmt.Errorf("state directory: %w", err)
	}
	return d, nil
}

var errNoHome = errors.New("neither the state directory variable nor HOME is set")

// fromHome joins elem under $HOME, which must be absolute.
func fromHome(getenv func(string) string, elem ...string) (string, error) {
	home := getenv("HOME")
	if home == "" || !filepath.IsAbs(home) {
		return "", errNoHome
	}
	return filepath.Join(append([]string{home}, elem...)...), nil
}
