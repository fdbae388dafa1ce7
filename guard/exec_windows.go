//go:build windows

package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
)

// signalIgnored is signal.Ignored, a seam for tests.
var signalIgnored = signal.Ignored

// execCommand runs the command as a child (Windows has no exec), forwards
// interrupts to it unless they were ignored, and returns its exit code.
func execCommand(sys *IO, path string, argv []string, ignored []os.Signal) exitCode {
	cmd := exec.Command(path, argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(sys.ErrOut, "guard run: %q: %s\n", path, oneLine(err))
		return exitNotExecutable
	}
	if !contains(ignored, os.Interrupt) {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt)
		defer signal.Stop(sig)
		go func() {
			for s := range sig {
				_ = cmd.Process.Signal(s)
			}
		}()
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return exitCode(ee.ExitCode())
	}
	if err != nil {
		fmt.Fprintf(sys.ErrOut, "guard run: %s\n", oneLine(err))
		return exitNotExecutable
	}
	return exitOK
}
