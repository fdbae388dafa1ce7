package safepath

// Check is a no-op on Windows: guard never re-executes itself with
// privilege there (no sudo without a UAC prompt); the repair steps are run
// from an elevated prompt by the user.
func Check(path string) error { return nil }
