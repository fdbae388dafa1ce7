package safepath

import "fmt"

// Check is a no-op on Windows: guard never re-executes itself with
// privilege there (no sudo without a UAC prompt); the repair steps are run
// from an elevated prompt by the user.
func Check(path string) error { return nil }

// Find never finds a program on Windows: nothing is run with privilege
// there.
func Find(name string) (string, error) {
	return "", fmt.Errorf("%s: %w", name, ErrNotFound)
}
