//go:build !windows

package watch

import (
	"os"
	"testing"
)

// checkPrivate fails unless path's mode gives group and others nothing.
func checkPrivate(t *testing.T, path string) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		t.Errorf("%s: mode %v, want private to its owner", path, st.Mode())
	}
}
