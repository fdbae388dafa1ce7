//go:build windows

package main

// Windows has no sudo to re-execute through without a UAC prompt, which a
// hook or IDE task cannot answer: privileged repairs are left to the user,
// with the exact command for an elevated prompt.
const canSudo = false

const noSudoReason = "needs an elevated prompt"

func privilegedCommand(argv []string) string {
	return "in an elevated prompt (Run as administrator): " + shellQuote(argv)
}
