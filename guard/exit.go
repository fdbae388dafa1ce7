package main

import (
	"errors"
	"fmt"

	"github.com/netguard/netguard/checks"
)

// exitCode is the process's contract with hooks, IDEs and compose.
type exitCode int

const (
	exitOK        exitCode = 0 // healthy, degraded or repaired: the start may go on
	exitUnhealthy exitCode = 1 // unhealthy: do not start; manual steps printed
	exitUsage     exitCode = 2 // usage or configuration error
)

// usageError is bad input: a flag, a config value, an argument.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

func verdictExit(v checks.Verdict) exitCode {
	if v.OK() {
		return exitOK
	}
	return exitUnhealthy
}

// errExit maps an error to its exit code: bad input is 2, and so is any
// error that kept us from reaching a verdict at all.
func errExit(err error) exitCode {
	var ue usageError
	if errors.As(err, &ue) {
		return exitUsage
	}
	return exitUsage
}
