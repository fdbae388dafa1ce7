// Package safepath decides whether a program may be run as root: only when
// no one but root can change what runs. sudo does not check who owns the
// command a rule names, so a rule for a user-writable guard binary (or one
// in a user-writable directory) is passwordless root for that user.
package safepath

import "errors"

// ErrUnsafe is wrapped by every refusal, so callers can tell it from an
// I/O error with errors.Is.
var ErrUnsafe = errors.New("not safe to run as root")

// ErrNotFound is a program that is in none of SystemDirs.
var ErrNotFound = errors.New("not found in the system directories")

// SystemDirs are where a program that runs as root, or that is handed the
// user's password (sudo), is looked for, in order. Never PATH: anything
// the user (or a project's tooling) puts first there would run instead.
var SystemDirs = []string{"/usr/bin", "/bin", "/usr/sbin", "/sbin"}
