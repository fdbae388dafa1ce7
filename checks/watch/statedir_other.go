//go:build !darwin && !windows

package watch

import "path/filepath"

// stateDir follows the XDG base directory spec: $XDG_STATE_HOME/netguard,
// else ~/.local/state/netguard. A relative XDG_STATE_HOME is invalid by the
// spec and ignored.
func stateDir(getenv func(string) string) (string, error) {
	if d := getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "netguard"), nil
	}
	return fromHome(getenv, ".local", "state", "netguard")
}
