//go:build !windows

package main

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// signalIgnored is signal.Ignored, a seam for tests.
var signalIgnored = signal.Ignored

// execCommand replaces this process with the command at path, so signals,
// the terminal and the exit code are the command's own with nothing
// between. Signals the shell had ignored are ignored again first: exec
// keeps an ignored signal ignored, but one guard caught reverts to the
// default, which would let Ctrl-C kill a background job.
func execCommand(sys *IO, path string, argv []string, ignored []os.Signal) exitCode {
	if len(ignored) > 0 {
		signal.Ignore(ignored...)
	}
	err := syscall.Exec(path, argv, os.Environ())
	fmt.Fprintf(sys.ErrOut, "guard run: exec %q: %s\n", path, oneLine(err))
	if errors.Is(err, syscall.ENOENT) {
		return exitNotFound
	}
	return exitNotExecutable
}
