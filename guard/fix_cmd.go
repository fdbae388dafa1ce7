package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/netguard/netguard/checks"
)

// repairExitFailed is the privileged helper's exit code for an action that
// ran and failed, so the caller can tell it from sudo refusing (1).
const repairExitFailed = 3

// elevation returns how repairs that need privilege run under the --sudo
// mode: sudo re-executing this binary with one fixed action, never a
// command line.
func elevation(io_ *IO, mode checks.SudoMode) checks.FixOptions {
	exe, err := io_.Executable()
	if err != nil {
		exe = "guard"
	}
	fo := checks.FixOptions{
		Describe: func(a checks.Action) string {
			return privilegedCommand(append([]string{exe, "repair"}, a.Args()...))
		},
	}
	if mode == checks.SudoNever || !canSudo {
		why := "--sudo never"
		if !canSudo {
			why = noSudoReason
		}
		fo.Elevate = func(context.Context, checks.Action) error {
			return fmt.Errorf("%w (%s)", checks.ErrNotPermitted, why)
		}
		return fo
	}
	fo.Elevate = func(ctx context.Context, a checks.Action) error {
		sudo, err := exec.LookPath("sudo")
		if err != nil {
			return fmt.Errorf("%w: sudo is not installed", checks.ErrNotPermitted)
		}
		args := []string{}
		if mode == checks.SudoAuto {
			args = append(args, "-n") // never prompt: fail at once if a password is needed
		}
		args = append(args, "--", exe, "repair")
		args = append(args, a.Args()...)
		cmd := exec.CommandContext(ctx, sudo, args...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if mode == checks.SudoPrompt {
			cmd.Stdin, cmd.Stderr = os.Stdin, io_.ErrOut
		}
		err = cmd.Run()
		var ee *exec.ExitError
		switch {
		case err == nil:
			return nil
		case errors.As(err, &ee) && ee.ExitCode() == repairExitFailed:
			return errors.New(firstLine(stderr.String()))
		default:
			msg := firstLine(stderr.String())
			if msg == "" {
				msg = err.Error()
			}
			return fmt.Errorf("%w: %s", checks.ErrNotPermitted, msg)
		}
	}
	return fo
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return strings.TrimPrefix(s, "guard repair: ")
}

// shellQuote renders argv for a manual step a user can paste.
func shellQuote(argv []string) string {
	out := make([]string, len(argv))
	for i, a := range argv {
		if a != "" && strings.IndexFunc(a, func(r rune) bool {
			return !(r == '/' || r == '.' || r == '-' || r == '_' || r == ':' || r == '=' || r == '@' || r == ',' ||
				(r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9'))
		}) < 0 {
			out[i] = a
			continue
		}
		out[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(out, " ")
}

// runRepair is the privileged helper: one validated action, in-process.
func runRepair(ctx context.Context, io_ *IO, args []string) exitCode {
	a, err := checks.ParseAction(args)
	if err != nil {
		fmt.Fprintf(io_.ErrOut, "guard repair: %v\n", err)
		return exitUsage
	}
	eng := io_.NewEngine()
	if !eng.Privileged {
		fmt.Fprintln(io_.ErrOut, "guard repair: needs root (run through sudo)")
		return exitUsage
	}
	if err := eng.Do(ctx, a); err != nil {
		fmt.Fprintf(io_.ErrOut, "guard repair: %v\n", err)
		return repairExitFailed
	}
	return exitOK
}
