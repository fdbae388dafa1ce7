//go:build windows

package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
)

// execCommand runs the command as a child (Windows has no exec), forwards
// interrupts to it, and returns its exit code.
func execCommand(io_ *IO, argv []string) exitCode {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(io_.ErrOut, "guard run: %v\n", err)
		return exitUsage
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	defer signal.Stop(sig)
	go func() {
		for s := range sig {
			_ = cmd.Process.Signal(s)
		}
	}()
	err := cmd.Wait()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return exitCode(ee.ExitCode())
	}
	if err != nil {
		fmt.Fprintf(io_.ErrOut, "guard run: %v\n", err)
		return exitUsage
	}
	return exitOK
}
