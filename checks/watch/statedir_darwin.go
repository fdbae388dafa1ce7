//go:build darwin

package watch

// stateDir is ~/Library/Logs/netguard: where Console.app shows a user's
// logs. The lock lives with the log, so there is one place to look.
func stateDir(getenv func(string) string) (string, error) {
	return fromHome(getenv, "Library", "Logs", "netguard")
}
