package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/netguard/netguard/checks"
	"github.com/netguard/netguard/checks/safepath"
)

// repairExitFailed is the privileged helper's exit code for an action that
// ran and failed, so the caller can tell it from sudo refusing (1).
const repairExitFailed = 3

// elevation returns how repairs that need privilege run under the --sudo
// mode: sudo re-executing this binary with one fixed action, never a
// command line. A binary that anyone but root could replace is never run
// through sudo: a sudoers rule for it would be passwordless root for that
// user, so guard refuses and says how to install a root-owned copy.
func elevation(sys *IO, mode checks.SudoMode) checks.FixOptions {
	exe, err := sys.Executable()
	if err != nil {
		exe = "guard"
	}
	fo := checks.FixOptions{
		Describe: func(a checks.Action) string {
			return privilegedCommand(append([]string{exe, "repair"}, a.Args()...))
		},
		DescribedHow: privilegedCommandSaysHow,
	}
	refuse := func(why string) checks.FixOptions {
		fo.Elevate = func(context.Context, checks.Action) error {
			return fmt.Errorf("%w (%s)", checks.ErrNotPermitted, why)
		}
		return fo
	}
	// A helper step is offered only for a binary sudo may run: a step
	// guard itself would refuse is a dead end.
	unsafe := sys.safeExe(exe)
	if unsafe != nil {
		fo.Describe = nil
		if canSudo {
			fo.HelperHint = helperInstallStep(exe)
		}
	}
	switch {
	case mode == checks.SudoNever:
		return refuse("--sudo never")
	case !canSudo:
		return refuse(noSudoReason)
	case unsafe != nil:
		return refuse(fmt.Sprintf("needs root, and %v; sudo would run it as root: install a root-owned copy, see the README's Security section", unsafe))
	}
	fo.Interactive = mode == checks.SudoPrompt
	var refused error
	fo.Elevate = func(ctx context.Context, a checks.Action) error {
		// sudo gets the terminal and may ask for the password: it is
		// looked for where root's programs are, never through PATH,
		// where anything the user's tooling put first would run instead.
		sudo, err := safepath.Find("sudo")
		switch {
		case errors.Is(err, safepath.ErrNotFound):
			return fmt.Errorf("%w: sudo is not installed", checks.ErrNotPermitted)
		case err != nil:
			return fmt.Errorf("%w: %w", checks.ErrNotPermitted, err)
		}
		args := []string{}
		if mode == checks.SudoAuto {
			args = append(args, "-n") // never prompt: fail at once if a password is needed
		}
		args = append(args, "--", exe, "repair")
		args = append(args, a.Args()...)
		var stderr bytes.Buffer
		var cmd *exec.Cmd
		if mode == checks.SudoPrompt {
			if refused != nil {
				// A prompt was refused or interrupted (Ctrl-C): ask no more.
				return refused
			}
			// A password prompt is not bound by the probe deadline: the
			// user types at their own pace. sudo is stopped with SIGTERM
			// (never SIGKILL, which leaves the terminal with echo off) and
			// the terminal's mode is put back whatever happens.
			pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), promptTimeout)
			defer cancel()
			cmd = exec.CommandContext(pctx, sudo, args...)
			cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
			cmd.WaitDelay = 2 * time.Second
			cmd.Stdin, cmd.Stderr = sys.In, sys.ErrOut
			restore := saveTerminal(sys.In)
			defer restore()
		} else {
			cmd = exec.CommandContext(ctx, sudo, args...)
			cmd.Stderr = &stderr
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
			refused = fmt.Errorf("%w: %s", checks.ErrNotPermitted, msg)
			return refused
		}
	}
	return fo
}

// helperInstallStep is the manual step, a comment, that says how to
// install a root-owned copy of exe that guard fix can run through sudo.
func helperInstallStep(exe string) string {
	return "# to let guard fix do this through sudo, install a root-owned copy and run it from there: sudo install -d -o root -m 0755 /usr/local/libexec/netguard && sudo install -o root -m 0755 " +
		shellQuote([]string{exe}) + " /usr/local/libexec/netguard/guard (README, Security)"
}

// promptTimeout bounds how long sudo may wait for a password.
const promptTimeout = 2 * time.Minute

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

// runRepair is the privileged helper: one validated action, authorised
// against the tables it reads itself, in-process. It trusts nothing from
// its caller but the argv: the environment is cleared, and it refuses to
// run from a binary anyone but root could have replaced.
func runRepair(ctx context.Context, sys *IO, args []string) exitCode {
	a, err := checks.ParseAction(args)
	if err != nil {
		fmt.Fprintf(sys.ErrOut, "guard repair: %v\n", err)
		return exitUsage
	}
	eng := sys.NewEngine()
	if !eng.Privileged {
		fmt.Fprintln(sys.ErrOut, "guard repair: needs root (run through sudo)")
		return exitUsage
	}
	if exe, err := sys.Executable(); err != nil {
		fmt.Fprintf(sys.ErrOut, "guard repair: cannot tell which binary runs: %v\n", err)
		return repairExitFailed
	} else if err := sys.safeExe(exe); err != nil {
		fmt.Fprintf(sys.ErrOut, "guard repair: refusing to run as root: %v (install a root-owned copy, see the README's Security section)\n", err)
		return repairExitFailed
	}
	sys.clearEnv()
	if err := eng.Repair(ctx, a); err != nil {
		fmt.Fprintf(sys.ErrOut, "guard repair: %v\n", err)
		return repairExitFailed
	}
	return exitOK
}
