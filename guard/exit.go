package main

import "github.com/netguard/netguard/checks"

// exitCode is the process's contract with hooks, IDEs and compose.
type exitCode int

const (
	exitOK        exitCode = 0 // healthy, degraded or repaired: the start may go on
	exitUnhealthy exitCode = 1 // unhealthy: do not start; manual steps printed
	exitUsage     exitCode = 2 // usage or configuration error
)

func verdictExit(v checks.Verdict) exitCode {
	if v.OK() {
		return exitOK
	}
	return exitUnhealthy
}
