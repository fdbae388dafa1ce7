//go:build windows

package watch

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/netguard/netguard/checks/ownedfile"
)

// checkDir refuses a directory that is a link.
func checkDir(dir string) error {
	st, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("directory: %w", err)
	}
	if st.Mode()&(os.ModeSymlink|os.ModeIrregular) != 0 {
		return fileError(dir, errLink)
	}
	if !st.IsDir() {
		return fileError(dir, errors.New("is not a directory"))
	}
	return nil
}

// PrepareStateDir creates the state directory when missing and refuses one
// that is a link. A directory it creates grants only the running user, and
// what is created in it inherits that.
func PrepareStateDir(dir string) error {
	if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
		return fmt.Errorf("state directory: %w", err)
	}
	if err := ownedfile.MkdirPrivate(dir); err != nil {
		return fmt.Errorf("state directory: %w", err)
	}
	if err := checkDir(dir); err != nil {
		return fmt.Errorf("state directory %w", err)
	}
	return nil
}
