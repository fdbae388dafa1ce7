package main

import (
	"io"
	"os"

	"github.com/charmbracelet/x/term"

	"github.com/netguard/netguard/checks/safepath"
)

// safeExe reports whether the binary at path may be run as root: owned by
// root, in root-owned directories, writable by nobody else.
func (sys *IO) safeExe(path string) error {
	if sys.SafeExe != nil {
		return sys.SafeExe(path)
	}
	return safepath.Check(path)
}

// clearEnv empties the privileged helper's environment: nothing its
// caller set (PATH, LD_*, GODEBUG, NETGUARD_*) may steer code running as
// root. PATH is set to the system directories for anything the OS layer
// resolves by itself.
func (sys *IO) clearEnv() {
	if sys.ClearEnv != nil {
		sys.ClearEnv()
		return
	}
	os.Clearenv()
	_ = os.Setenv("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
}

// saveTerminal records the terminal mode of in, when it is a terminal, and
// returns what puts it back: a prompting sudo that is stopped mid-prompt
// must not leave the user's terminal without echo.
func saveTerminal(in io.Reader) func() {
	f, ok := in.(*os.File)
	if !ok || !term.IsTerminal(f.Fd()) {
		return func() {}
	}
	st, err := term.GetState(f.Fd())
	if err != nil {
		return func() {}
	}
	return func() { _ = term.Restore(f.Fd(), st) }
}
