package watch

import "fmt"

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
