//go:build unix

package watch

import (
	"errors"
	"fmt"
	"os"

	"github.com/netguard/netguard/checks/ownedfile"
)

// checkDir accepts a directory (not a link to one) that the running user
// or root owns, and that others cannot write unless it is sticky (/tmp,
// /var/tmp): there nobody else can rename or remove our files.
func checkDir(dir string) error {
	st, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("directory: %w", err)
	}
	switch uid, me := ownedfile.Owner(st), os.Geteuid(); {
	case st.Mode()&os.ModeSymlink != 0:
		return fileError(dir, errLink)
	case !st.IsDir():
		return fileError(dir, errors.New("is not a directory"))
	case uid != me && uid != 0:
		return fileError(dir, fmt.Errorf("%w (owner uid %d, you are uid %d)", ErrNotOwned, uid, me))
	case st.Mode().Perm()&0o022 != 0 && st.Mode()&os.ModeSticky == 0:
		return fileError(dir, fmt.Errorf("can be written by others (mode %04o)", st.Mode().Perm()))
	}
	return nil
}

// PrepareStateDir creates the state directory (mode 0700) when missing and
// refuses one that is a link, that the running user does not own, or that
// others can write. Root with a user's XDG_STATE_HOME (sudo -E) is refused
// here rather than writing into a directory the user controls.
func PrepareStateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("state directory: %w", err)
	}
	st, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("state directory: %w", err)
	}
	switch uid, me := ownedfile.Owner(st), os.Geteuid(); {
	case st.Mode()&os.ModeSymlink != 0:
		return fmt.Errorf("state directory %w", fileError(dir, errLink))
	case !st.IsDir():
		return fmt.Errorf("state directory %w", fileError(dir, errors.New("is not a directory")))
	case uid != me:
		return fmt.Errorf("state directory %w", fileError(dir, fmt.Errorf("%w (owner uid %d, you are uid %d)", ErrNotOwned, uid, me)))
	case st.Mode().Perm()&0o022 != 0:
		return fmt.Errorf("state directory %w", fileError(dir, fmt.Errorf("can be written by others (mode %04o)", st.Mode().Perm())))
	}
	return nil
}
