//go:build !windows

package main

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

// execCommand replaces this process with the command, so signals, the
// terminal and the exit code are the command's own with nothing between.
func execCommand(io_ *IO, argv []string) exitCode {
	path, err := exec.LookPath(argv[0])
	if err != nil {
		fmt.Fprintf(io_.ErrOut, "guard run: %v\n", err)
		return exitUsage
	}
	err = syscall.Exec(path, argv, os.Environ())
	fmt.Fprintf(io_.ErrOut, "guard run: exec %s: %v\n", path, err)
	return exitUsage
}
