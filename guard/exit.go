package main

import "github.com/netguard/netguard/checks/diagnose"

// exitCode is the process's contract with hooks, IDEs and compose.
type exitCode int

const (
	exitOK        exitCode = 0 // healthy, degraded or repaired: the start may go on
	exitUnhealthy exitCode = 1 // unhealthy: do not start; manual steps printed
	exitUsage     exitCode = 2 // usage or configuration error
	// exitInternal is a bug in guard (a panic caught in main): neither a
	// verdict nor the user's mistake. 70 is EX_SOFTWARE of sysexits.h;
	// never 2, which hooks read as a usage error.
	exitInternal exitCode = 70
	// guard run's command could not be started, as a shell reports it.
	exitNotExecutable exitCode = 126
	exitNotFound      exitCode = 127
	// exitInterrupted means SIGINT or SIGTERM stopped a repair (128+SIGINT, as
	// a shell reports an interrupted command). A run that only looks has
	// no handler and dies by the signal itself (runSignals).
	exitInterrupted exitCode = 130
)

func verdictExit(v diagnose.Verdict) exitCode {
	if v.OK() {
		return exitOK
	}
	return exitUnhealthy
}
