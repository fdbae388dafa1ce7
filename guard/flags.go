package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/netguard/netguard/checks/config"
)

// flagDef is one flag. The parser is our own rather than the flag
// package's, so every error names the flag as the user typed it and is
// written here, never cut out of another package's message text.
type flagDef struct {
	names []string // canonical name first, then aliases ("quiet", "q")
	arg   string   // "" for a yes/no flag; otherwise its value's placeholder
	usage string
	cmds  []string // the commands that take it
	// set applies one value; a yes/no flag gets "true" or what followed "=".
	set func(c *cli, raw string) error
}

// The command groups flags belong to.
var (
	checking = []string{"check", "fix", "run", "watch"}
	// everyCmd starts with "", before any command: guard --help,
	// guard --color never.
	everyCmd  = []string{"", "check", "fix", "run", "watch", "explain", "version", "hooks", "help", "completion", "man"}
	jsonTaker = []string{"check", "fix", "run", "watch", "explain", "version", "hooks"}
)

// flagDefs are every flag of every command, in the order help lists them.
var flagDefs = []*flagDef{
	{names: []string{"json"}, usage: "write the JSON report (stderr under guard run)", cmds: jsonTaker,
		set: boolSetter(func(c *cli) *bool { return &c.json })},
	{names: []string{"json-file"}, arg: "FILE", usage: "write the JSON report to FILE instead", cmds: []string{"check", "fix", "run"},
		set: func(c *cli, s string) error {
			if s == "" {
				return errors.New("empty file name")
			}
			c.json, c.jsonFile = true, s
			return nil
		}},
	{names: []string{"external"}, arg: "IP[,IP...]", usage: `targets that stand for "the internet" (IP or IP:port)`, cmds: checking,
		set: configSetter("external")},
	{names: []string{"dns"}, arg: "NAME", usage: "name to resolve with the system resolver", cmds: checking,
		set: configSetter("dns")},
	{names: []string{"gateway"}, arg: "auto|IP", usage: "gateway to check (default: from the routing table)", cmds: checking,
		set: configSetter("gateway")},
	{names: []string{"timeout"}, arg: "DURATION", usage: "deadline for the whole run (default 2s)", cmds: append([]string{"hooks"}, checking...),
		set: func(c *cli, s string) error {
			if c.cmd == "hooks" {
				return c.setHookTimeout(s)
			}
			return configSetter("timeout")(c, s)
		}},
	{names: []string{"probe-wait"}, arg: "DURATION", usage: "how long silence counts as no answer (default 450ms)", cmds: checking,
		set: configSetter("probe-wait")},
	{names: []string{"sudo"}, arg: "never|auto|prompt", usage: "how privileged repairs may run (default auto)", cmds: checking,
		set: configSetter("sudo")},
	{names: []string{"ports"}, arg: "PORT,...", usage: "TCP ports needed free (IP:PORT; default: Compose's)", cmds: checking,
		set: configSetter("ports")},
	{names: []string{"config"}, arg: "FILE", usage: "config file (default: .netguard.yaml upward)", cmds: checking,
		set: func(c *cli, s string) error {
			if s == "" {
				return errors.New("empty file name")
			}
			c.configPath = s
			return nil
		}},
	{names: []string{"dry-run"}, usage: "change nothing: say which repairs would run", cmds: checking,
		set: boolSetter(func(c *cli) *bool { return &c.dryRun })},
	{names: []string{"quiet", "q"}, usage: "print only problems", cmds: checking,
		set: boolSetter(func(c *cli) *bool { return &c.quiet })},
	{names: []string{"verbose", "v"}, usage: "print every check with its evidence", cmds: checking,
		set: boolSetter(func(c *cli) *bool { return &c.verbose })},
	{names: []string{"color"}, arg: "auto|always|never", usage: "colour: auto (a terminal; off with NO_COLOR)", cmds: everyCmd,
		set: oneOfSetter(func(c *cli) *string { return &c.color }, "auto", "always", "never")},
	// guard watch
	{names: []string{"fix"}, usage: "repair what is safe to repair on each change", cmds: []string{"watch"},
		set: boolSetter(func(c *cli) *bool { return &c.watch.fix })},
	{names: []string{"metrics"}, arg: "HOST:PORT", usage: "serve Prometheus metrics there", cmds: []string{"watch"},
		set: func(c *cli, s string) error { return c.watch.setMetrics(s) }},
	{names: []string{"interval"}, arg: "DURATION", usage: "re-check at least this often (default 5m)", cmds: []string{"watch"},
		set: func(c *cli, s string) error { return c.watch.setInterval(s) }},
	{names: []string{"log"}, arg: "FILE", usage: "log file (default: in the state directory)", cmds: []string{"watch"},
		set: func(c *cli, s string) error {
			if strings.TrimSpace(s) == "" {
				return errors.New("empty file name")
			}
			c.watch.log = s
			return nil
		}},
	// guard explain
	{names: []string{"os"}, arg: "linux|darwin|windows", usage: "show the steps for another OS", cmds: []string{"explain"},
		set: oneOfSetter(func(c *cli) *string { return &c.explainOS }, "linux", "darwin", "windows")},
	{names: []string{"list"}, usage: "list every finding", cmds: []string{"explain"},
		set: boolSetter(func(c *cli) *bool { return &c.explainList })},
	// guard hooks
	{names: []string{"hook"}, arg: "NAME[,NAME...]", usage: "a hook to handle, repeatable (default: all three)", cmds: []string{"hooks"},
		set: func(c *cli, s string) error {
			for _, n := range strings.Split(s, ",") {
				if n = strings.TrimSpace(n); n != "" {
					c.hooks.Hooks = append(c.hooks.Hooks, n)
				}
			}
			return nil
		}},
	{names: []string{"repo"}, arg: "DIR", usage: "the repository (default: the working directory)", cmds: []string{"hooks"},
		set: func(c *cli, s string) error { c.hooksRepo = s; return nil }},
	{names: []string{"binary"}, arg: "PATH", usage: "install: the guard the hooks call (default: this one)", cmds: []string{"hooks"},
		set: func(c *cli, s string) error { c.hooks.Binary = s; return nil }},
	{names: []string{"block"}, usage: "install: pre-push stops git on an unhealthy network", cmds: []string{"hooks"},
		set: boolSetter(func(c *cli) *bool { return &c.hooks.Block })},
	// everywhere
	{names: []string{"help", "h"}, usage: "help for the command", cmds: everyCmd,
		set: boolSetter(func(c *cli) *bool { return &c.help })},
	{names: []string{"version"}, usage: "print the version", cmds: []string{""},
		set: boolSetter(func(c *cli) *bool { return &c.version })},
}

func boolSetter(field func(*cli) *bool) func(*cli, string) error {
	return func(c *cli, s string) error {
		v, err := config.ParseBool(s)
		if err != nil {
			return err
		}
		*field(c) = v
		return nil
	}
}

// oneOfSetter takes one of a fixed set of words: "want a, b or c, got %q".
func oneOfSetter(field func(*cli) *string, words ...string) func(*cli, string) error {
	return func(c *cli, s string) error {
		if !slices.Contains(words, s) {
			return fmt.Errorf("want %s or %s, got %q", strings.Join(words[:len(words)-1], ", "), words[len(words)-1], s)
		}
		*field(c) = s
		return nil
	}
}

// configSetter parses a setting through the config package, so a flag is
// validated exactly as the same key in a file or NETGUARD_<KEY>.
func configSetter(key string) func(*cli, string) error {
	return func(c *cli, s string) error { return c.flagVals.Set(key, s) }
}

func lookupFlag(name string) *flagDef {
	for _, d := range flagDefs {
		if slices.Contains(d.names, name) {
			return d
		}
	}
	return nil
}

// takes reports whether command cmd takes flag d.
func (d *flagDef) takes(cmd string) bool { return slices.Contains(d.cmds, cmd) }

// cliUsageError is a command-line mistake: exit 2 with one line.
type cliUsageError struct{ msg string }

func (e *cliUsageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &cliUsageError{fmt.Sprintf(format, a...)} }

// splitArgs separates the command line into the command, its flags (those
// before the command included: `guard --json check`) and its positional
// arguments. A flag that takes a value takes the next argument unless it
// was given as --name=value. For guard run the first positional argument
// ends the flags: everything from it on is the command to start. "--" ends
// the flags everywhere.
func splitArgs(args []string) (cmd string, flags []flagArg, pos []string, err error) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return cmd, flags, append(pos, args[i+1:]...), nil
		}
		if len(a) < 2 || a[0] != '-' {
			switch {
			case cmd == "":
				cmd = a
				if cmd == "repair" {
					// The privileged helper's argv is all positional and
					// checked by checks.ParseAction.
					return cmd, flags, args[i+1:], nil
				}
			case cmd == "run":
				// run's flags come before its command; the rest is the
				// command's own, flags included.
				return cmd, flags, append(pos, args[i:]...), nil
			default:
				pos = append(pos, a)
			}
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if strings.HasPrefix(a, "---") || name == "" {
			return cmd, nil, nil, usagef("bad flag %q", a)
		}
		d := lookupFlag(name)
		if d == nil {
			return cmd, nil, nil, usagef("unknown flag %q%s", a, seeHelp(cmd))
		}
		switch {
		case d.arg == "" && !hasValue:
			value = "true"
		case d.arg != "" && !hasValue:
			if i+1 >= len(args) {
				return cmd, nil, nil, usagef("flag %q needs a value (%s)", a, d.arg)
			}
			i++
			value = args[i]
		}
		flags = append(flags, flagArg{typed: a, def: d, value: value})
	}
	return cmd, flags, pos, nil
}

// flagArg is one flag as given.
type flagArg struct {
	typed string // as the user typed it, e.g. "-q" or "--timeout=3s"
	def   *flagDef
	value string
}

func seeHelp(cmd string) string {
	if cmd == "" || !slices.Contains(commands, cmd) {
		return " (see guard help)"
	}
	return " (see guard help " + cmd + ")"
}
