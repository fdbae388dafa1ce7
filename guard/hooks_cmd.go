package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/netguard/netguard/checks/textreport"
	"github.com/netguard/netguard/hooks"
)

// finishHooks checks guard hooks' subcommand and arguments.
func (c *cli) finishHooks() error {
	if len(c.args) == 0 {
		return usagef("hooks: which one? install, uninstall or status (see guard help hooks)")
	}
	switch c.args[0] {
	case "install", "uninstall", "status":
	default:
		return usagef("hooks: unknown subcommand %q (want install, uninstall or status)", c.args[0])
	}
	if len(c.args) > 1 {
		return usagef("hooks %s: unexpected argument %q", c.args[0], c.args[1])
	}
	if c.args[0] != "install" {
		for _, n := range []string{"binary", "timeout", "block"} {
			if c.set[n] {
				return usagef("flag \"--%s\" is only for guard hooks install", n)
			}
		}
	}
	return nil
}

// runHooks implements guard hooks install|uninstall|status. It reads no
// netguard config: the hooks run guard, which reads it each time.
func runHooks(sys *IO, c *cli) exitCode {
	sub, o := c.args[0], c.hooks
	repo := c.hooksRepo
	if repo == "" {
		repo = sys.Cwd
	}
	var res hooks.Result
	var err error
	switch sub {
	case "install":
		if o.Binary == "" {
			if o.Binary, err = selfPath(sys); err != nil {
				break
			}
		}
		res, err = hooks.Install(repo, o)
	case "uninstall":
		res, err = hooks.Uninstall(repo, o)
	case "status":
		res, err = hooks.Status(repo, o)
	}
	if c.json && err == nil {
		if code := jsonOrUsage(sys, c, res); code != exitOK {
			return code
		}
	} else {
		printHooks(sys.Out, res)
	}
	if err != nil {
		fmt.Fprintf(sys.ErrOut, "guard: %s\n", oneLine(err))
		return exitUsage
	}
	switch {
	case sub == "install" && len(res.Refused()) > 0:
		return exitUnhealthy // left to a hook manager: the snippet is above
	case sub == "status" && len(res.Missing()) > 0:
		return exitUnhealthy // not installed: a script can tell
	}
	return exitOK
}

// selfPath is the path the hooks should call: this binary, by the PATH
// entry that leads to it when there is one (a package manager's symlink
// survives upgrades; the versioned file it points to does not).
func selfPath(sys *IO) (string, error) {
	exe, err := sys.Executable()
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
		fmt.Fprintf(w, "hooks directory: %s\n", textreport.Sanitize(res.Dir))
	}
	for _, h := range res.Hooks {
		kind := "warns only"
		if h.Blocking {
			kind = "blocking"
		}
		if h.Name == "pre-push" {
			kind += "; local remotes not checked"
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
			line += ": not netguard's (install chains it)"
		case hooks.Managed:
			line += ": owned by " + h.Manager + "; not touched. Add this to its config instead:"
		}
		fmt.Fprintln(w, textreport.Sanitize(line))
		if h.State == hooks.Managed {
			for _, l := range strings.Split(strings.TrimRight(h.Snippet, "\n"), "\n") {
				fmt.Fprintln(w, "    "+l)
			}
		}
	}
}
