//go:build windows

package main

import (
	"strings"

	"github.com/netguard/netguard/checks/diagnose"
)

// Windows has no sudo to re-execute through without a UAC prompt, which a
// hook or IDE task cannot answer: privileged repairs are left to the user,
// with the exact command for an elevated prompt.
const canSudo = false

const noSudoReason = "needs an elevated prompt"

// privilegedCommandSaysHow is true: the command's own comment says to run
// it in an elevated PowerShell, so no second note is added.
const privilegedCommandSaysHow = true

// privilegedCommand is argv as one PowerShell command (the call operator
// runs a quoted path), each word quoted for PowerShell, for a manual step.
func privilegedCommand(argv []string) string {
	q := make([]string, len(argv))
	for i, a := range argv {
		q[i] = diagnose.QuotePowerShell(a)
	}
	return "& " + strings.Join(q, " ") + "  # in an elevated PowerShell (Run as administrator)"
}
