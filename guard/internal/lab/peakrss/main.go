//go:build unix

// Command peakrss runs a command and writes its peak resident set, in KiB,
// to a file: the benchmark's memory figure.
//
//	peakrss OUTFILE COMMAND [ARG...]   exits with the command's status
//
// A process started by a Go program cannot report its own peak from the
// parent's rusage: os/exec starts it with vfork semantics (CLONE_VM), so
// until its exec it runs in the parent's memory, and the kernel carries
// that memory's high-water mark into the child's ru_maxrss at exec. The
// benchmark's parent is the whole test binary, whose figure hid guard's.
// Started from this small program instead, the carried mark is this
// program's few MiB, below any guard run's own.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: peakrss OUTFILE COMMAND [ARG...]")
		os.Exit(2)
	}
	cmd := exec.Command(os.Args[2], os.Args[3:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	if cmd.ProcessState == nil {
		fmt.Fprintf(os.Stderr, "peakrss: %v\n", err)
		os.Exit(127)
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		fmt.Fprintln(os.Stderr, "peakrss: no rusage on this OS")
		os.Exit(2)
	}
	if err := os.WriteFile(os.Args[1], []byte(strconv.FormatInt(int64(ru.Maxrss), 10)+"\n"), 0o644); err != nil {
		fmt.Fprintf(os.Stderr, "peakrss: %v\n", err)
		os.Exit(2)
	}
	os.Exit(cmd.ProcessState.ExitCode())
}
