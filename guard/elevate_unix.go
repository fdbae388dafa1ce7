//go:build !windows

package main

// canSudo reports that privileged repairs may go through sudo re-executing
// this binary.
const canSudo = true

const noSudoReason = ""

// privilegedCommandSaysHow is false: a refused repair's sudo command gets
// the note that guard could not run it without root.
const privilegedCommandSaysHow = false

// privilegedCommand is how a user runs argv with privilege, for manual steps.
func privilegedCommand(argv []string) string { return "sudo " + shellQuote(argv) }
