//go:build !windows

package main

// canSudo reports that privileged repairs may go through sudo re-executing
// this binary.
const canSudo = true

const noSudoReason = ""

// privilegedCommand is how a user runs argv with privilege, for manual steps.
func privilegedCommand(argv []string) string { return "sudo " + shellQuote(argv) }
