package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/netguard/netguard/hooks"
)

const hooksUsage = `usage:
  guard hooks install   [--hook NAME...] [--repo DIR] [--binary PATH] [--timeout D]
  guard hooks uninstall [--hook NAME...] [--repo DIR]
  guard hooks status    [--hook NAME...] [--repo DIR]

Installs git hooks that run 'guard check' (default: pre-push, which blocks
the push when the network is unhealthy; post-checkout and post-merge, which
only warn). core.hooksPath, worktrees and submodules are honoured; a hook
that is already there is kept and chained; hooks owned by husky, lefthook or
pre-commit are not touched: the snippet for their config is printed instead.

  --hook NAME     a hook to handle (repeat, or NAME,NAME); default: all three
  --repo DIR      the repository (default: the working directory)
  --binary PATH   the guard the hooks call, by absolute path (default: this one)
  --timeout D     the --timeout the hooks pass unless NETGUARD_TIMEOUT is set (default 5s)

Exit: 0 done, 1 a hook was left to a hook manager, 2 usage or other error.
`

// runHooks implements `guard hooks install|uninstall|status`. It is
// dispatched before the check flags are parsed: it takes its own flags and
// reads no netguard config.
func runHooks(io_ *IO, args []string) exitCode {
	if len(args) == 0 {
		fmt.Fprint(io_.ErrOut, hooksUsage)
		return exitUsage
	}
	sub, args := args[0], args[1:]
	if sub == "help" || sub == "-h" || sub == "--help" {
		fmt.Fprint(io_.Out, hooksUsage)
		return exitOK
	}
	fs := flag.NewFlagSet("guard hooks "+sub, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var o hooks.Options
	fs.Func("hook", "", func(s string) error {
		for _, n := range strings.Split(s, ",") {
			if n = strings.TrimSpace(n); n != "" {
				o.Hooks = append(o.Hooks, n)
			}
		}
		return nil
	})
	repo := fs.String("repo", io_.Cwd, "")
	fs.StringVar(&o.Binary, "binary", "", "")
	fs.DurationVar(&o.Timeout, "timeout", hooks.DefaultTimeout, "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(io_.Out, hooksUsage)
			return exitOK
		}
		fmt.Fprintf(io_.ErrOut, "guard hooks: %v\n", flagError(err))
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(io_.ErrOut, "guard hooks %s: unexpected argument %q\n", sub, fs.Arg(0))
		return exitUsage
	}
	if o.Timeout <= 0 {
		fmt.Fprintf(io_.ErrOut, "guard hooks: --timeout must be positive, got %s\n", o.Timeout)
		return exitUsage
	}
	var res hooks.Result
	var err error
	switch sub {
	case "install":
		if o.Binary == "" {
			if o.Binary, err = selfPath(io_); err != nil {
				break
			}
		}
		res, err = hooks.Install(*repo, o)
	case "uninstall":
		res, err = hooks.Uninstall(*repo, o)
	case "status":
		res, err = hooks.Status(*repo, o)
	default:
		fmt.Fprintf(io_.ErrOut, "guard hooks: unknown subcommand %q (want install, uninstall or status)\n", sub)
		return exitUsage
	}
	printHooks(io_.ErrOut, res)
	if err != nil {
		fmt.Fprintf(io_.ErrOut, "guard: %v\n", err)
		return exitUsage
	}
	if len(res.Refused()) > 0 {
		return exitUnhealthy
	}
	return exitOK
}

// selfPath is the path the hooks should call: this binary, by the PATH
// entry that leads to it when there is one (a package manager's symlink
// survives upgrades; the versioned file it points to does not).
func selfPath(io_ *IO) (string, error) {
	exe, err := io_.Executable()
	if err != nil {
		return "", fmt.Errorf("find this binary (pass --binary): %w", err)
	}
	// `go run` builds into a temporary directory that is deleted on exit.
	if strings.Contains(filepath.ToSlash(exe), "/go-build") {
		return "", fmt.Errorf("guard runs from a temporary 'go run' build (%s); install it (go install ./guard) or pass --binary PATH", exe)
	}
	if p, err := exec.LookPath("guard"); err == nil {
		a, aerr := os.Stat(p)
		b, berr := os.Stat(exe)
		if aerr == nil && berr == nil && os.SameFile(a, b) {
			if abs, err := filepath.Abs(p); err == nil {
				return abs, nil
			}
		}
	}
	return exe, nil
}

func printHooks(w io.Writer, res hooks.Result) {
	if res.Dir != "" {
		fmt.Fprintf(w, "hooks directory: %s\n", res.Dir)
	}
	for _, h := range res.Hooks {
		kind := "warns only"
		if h.Blocking {
			kind = "blocking"
		}
		line := fmt.Sprintf("%-14s %s", h.Name, h.State)
		if h.Action != "none" && h.Action != string(h.State) {
			line += " (" + h.Action + ")"
		}
		switch h.State {
		case hooks.Installed:
			line += ", " + kind
			if h.Chained != "" {
				line += ", runs the previous hook " + filepath.Base(h.Chained) + " after the check"
			}
		case hooks.Foreign:
			line += ": not netguard's"
		case hooks.Managed:
			line += ": owned by " + h.Manager + "; not touched. Add this to its config instead:"
		}
		fmt.Fprintln(w, line)
		if h.State == hooks.Managed {
			for _, l := range strings.Split(strings.TrimRight(h.Snippet, "\n"), "\n") {
				fmt.Fprintln(w, "    "+l)
			}
		}
	}
}
