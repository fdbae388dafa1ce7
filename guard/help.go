package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/netguard/netguard/checks/config"
)

const usageText = `guard: keep a development environment from starting on a broken network

usage: guard [flags] COMMAND [flags] [ARGS]

commands:
  check      read-only diagnosis (exit 0 ok, 1 unhealthy, 2 usage)
  fix        check, apply the safe repairs, verify
  run        fix, then start a command: guard run [flags] -- CMD ARGS...
  watch      stay running: re-check on network changes and on an interval
  hooks      install, remove or show git hooks that run the check
  explain    what a finding means and what to do: guard explain ID
  version    version, commit, Go version, OS/arch (also guard --version)
  help       help for a command: guard help CMD (or guard CMD --help)
  completion shell completion: guard completion bash|zsh|fish|powershell
  man        this help as a manual page: guard man | man -l -

A bare guard checks nothing: it prints this and exits 2.
Flags may come before or after the command (guard --json check).
Settings come from flags, then NETGUARD_<FLAG> (NETGUARD_TIMEOUT=3s; each
command's help names the variables it reads), then .netguard.yaml upward
from here, then the user config.
NETGUARD_SKIP=1 skips every entry point with one line on stderr.
`

// commandHelp is each command's summary, usage and examples; its flags are
// listed from flagDefs so help and parser cannot disagree.
var commandHelp = map[string]struct{ usage, about, examples string }{
	"check": {"guard check [flags]",
		"Read-only diagnosis of the network path: link, routes, gateway neighbor entry,\ngateway and internet reachability, DNS, sockets. Changes nothing.\nExit 0 healthy, degraded or repaired; 1 unhealthy; 2 usage; 130 interrupted.",
		"guard check\n  guard check -v --timeout 5s\n  guard --json check > report.json"},
	"fix": {"guard fix [flags]",
		"Check, apply the safe repairs the diagnosis names (never a flush, never a\nroute removed), verify, report. --dry-run says what it would do.",
		"guard fix\n  guard fix --dry-run\n  guard fix --sudo never"},
	"run": {"guard run [flags] -- CMD ARGS...",
		"fix, then replace guard with CMD (exit code = CMD's). CMD is looked up first:\nnot found exits 127, not executable 126. When the network stays unhealthy CMD\nis not started (exit 1). stdout is CMD's alone: --json goes to stderr, or to\n--json-file. --dry-run repairs nothing and starts CMD only if the check passes.",
		"guard run -- docker compose up\n  guard run --timeout 5s -- make dev\n  guard run --json-file netguard.json -- npm start"},
	"watch": {"guard watch [flags]",
		"Stay running: re-check on every link, route or neighbor change and every\n--interval; log changes as JSON lines to the state directory. --json also\nwrites them to stdout. Stops on SIGINT or SIGTERM (exit 0).",
		"guard watch\n  guard watch --fix --sudo auto\n  guard watch --metrics 127.0.0.1:9977"},
	"hooks": {"guard hooks install|uninstall|status [flags]",
		"Git hooks that run guard check: pre-push, post-checkout and post-merge by\ndefault. They warn by default and never block: git has already reached the\nremote when pre-push runs, so blocking a push protects only what runs after\nthe check (a chained hook that fetches modules, say); --block at install\nmakes pre-push (and pre-commit) stop git on an unhealthy network. A push to\na local remote (a path or file://) is never checked. core.hooksPath,\nworktrees and submodules are honoured; an existing hook is chained; hooks\nowned by husky, lefthook or pre-commit are not touched (the snippet for their\nconfig is printed instead). The hooks pass no --timeout unless install got\none, so NETGUARD_TIMEOUT and the project's .netguard.yaml apply.\nstatus exits 1 when a hook is not installed; install exits 1 when a hook was\nleft to a hook manager.",
		"guard hooks install\n  guard hooks install --block --hook pre-push\n  guard hooks status --json"},
	"explain": {"guard explain ID | guard explain --list",
		"What a finding means, why it matters, how guard decided it, and the steps\nfor this OS (--os for another). Every FAIL and WARN line names its ID.",
		"guard explain gateway-neighbor-wrong\n  guard explain dns-failed --os darwin\n  guard explain --list --json"},
	"version": {"guard version [--json]", "Version, commit, Go version, OS/arch.", "guard version\n  guard --version"},
	"help":    {"guard help [COMMAND]", "Help for guard or one of its commands.", "guard help run"},
	"completion": {"guard completion bash|zsh|fish|powershell",
		"A completion script for the shell: commands, flags, the values of --color,\n--os and --sudo, and finding IDs for guard explain.",
		"source <(guard completion bash)\n  guard completion zsh > \"${fpath[1]}/_guard\"\n  guard completion fish > ~/.config/fish/completions/guard.fish\n  guard completion powershell | Out-String | Invoke-Expression"},
	"man": {"guard man", "The help of guard and of every command as one manual page (roff).\nThe packages install it as guard(1).", "guard man | man -l -\n  guard man > guard.1"},
}

// helpFor is the help of one command, or the usage for "".
func helpFor(cmd string) string {
	h, ok := commandHelp[cmd]
	if !ok {
		return usageText
	}
	var b strings.Builder
	fmt.Fprintf(&b, "usage: %s\n\n%s\n", h.usage, h.about)
	var rows [][2]string
	for _, d := range helpFlags(cmd) {
		var names []string
		for _, n := range d.names {
			if len(n) == 1 {
				names = append(names, "-"+n)
			} else {
				names = append(names, "--"+n)
			}
		}
		left := strings.Join(names, ", ")
		if d.arg != "" {
			left += " " + d.arg
		}
		rows = append(rows, [2]string{left, d.usage})
	}
	if len(rows) > 0 {
		b.WriteString("\nflags:\n")
		for _, r := range rows {
			if len(r[0]) > 24 {
				fmt.Fprintf(&b, "  %s\n  %-24s %s\n", r[0], "", r[1])
				continue
			}
			fmt.Fprintf(&b, "  %-24s %s\n", r[0], r[1])
		}
	}
	if envs := commandEnvs(cmd); len(envs) > 0 {
		line := "\nset in the environment too (a flag wins):"
		for _, e := range envs {
			if len(line)-strings.LastIndexByte(line, '\n')+len(e)+1 > 78 {
				line += "\n "
			}
			line += " " + e
		}
		b.WriteString(line + "\n")
	}
	fmt.Fprintf(&b, "\nexamples:\n  %s\n", h.examples)
	return b.String()
}

// helpFlags are the flags the help of cmd lists: every one it takes but
// --help.
func helpFlags(cmd string) []*flagDef {
	var out []*flagDef
	for _, d := range flagDefs {
		if d.takes(cmd) && d.names[0] != "help" {
			out = append(out, d)
		}
	}
	return out
}

// commandEnvs are the variables that also set cmd's flags, in help's
// order: only those guard reads, since a flag without one (--block, --os)
// has none.
func commandEnvs(cmd string) []string {
	var envs []string
	for _, d := range helpFlags(cmd) {
		if env := envOf(d, cmd); env != "" {
			envs = append(envs, env)
		}
	}
	return envs
}

// envOf is the environment variable that also sets flag d for cmd, ""
// when none does: help names only variables guard reads.
func envOf(d *flagDef, cmd string) string {
	name := d.names[0]
	switch {
	case cmd == "watch" && slices.Contains(watchEnvFlags, name),
		slices.Contains(checking, cmd) && (slices.Contains(config.Keys, name) || name == "config"),
		slices.Contains(envFlagNames, name) && d.takes(cmd):
		return config.EnvName(name)
	}
	return ""
}

// runHelp is guard help [COMMAND].
func runHelp(sys *IO, c *cli) exitCode {
	if len(c.args) == 0 {
		fmt.Fprint(sys.Out, usageText)
		return exitOK
	}
	if _, ok := commandHelp[c.args[0]]; !ok {
		fmt.Fprintf(sys.ErrOut, "guard help: unknown command %q (see guard help)\n", c.args[0])
		return exitUsage
	}
	fmt.Fprint(sys.Out, helpFor(c.args[0]))
	return exitOK
}
