package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/netguard/netguard/checks"
	"github.com/netguard/netguard/checks/config"
	"github.com/netguard/netguard/checks/netstate"
	"github.com/netguard/netguard/checks/textreport"
	"github.com/netguard/netguard/checks/watch"
	"github.com/netguard/netguard/hooks"
)

// cli is one parsed command line.
type cli struct {
	cmd      string
	args     []string
	json     bool
	jsonFile string
	dryRun   bool
	quiet    bool
	verbose  bool
	color    string // auto, always or never
	help     bool
	version  bool
	opts     checks.Options
	watch    watchFlags // guard watch only (watch_cmd.go)

	explainOS   string // guard explain
	explainList bool

	hooks     hooks.Options // guard hooks
	hooksRepo string

	flagVals   config.Values // settings given as flags, applied over the config
	configPath string
	set        map[string]bool // canonical names of the flags given
	// warnings are config files skipped and keys ignored (config.Load),
	// printed before the run.
	warnings []string
}

// commands are the command names; repair is the privileged helper and is
// not listed in help.
var commands = []string{"check", "fix", "run", "watch", "hooks", "explain", "version", "help", "completion", "man", "repair"}

// visibleCommands are the commands help lists: all but the privileged
// helper.
func visibleCommands() []string {
	return slices.DeleteFunc(slices.Clone(commands), func(c string) bool { return c == "repair" })
}

// run is the whole program behind main, testable with a fake IO.
func run(args []string, sys *IO) exitCode {
	// Recorded before anything installs a handler: signals the shell
	// ignored (a background job's SIGINT) stay ignored in guard run's
	// command (exec_unix.go).
	ignored := ignoredSignals()
	c, err := parse(args, sys.Getenv, sys.Cwd, sys.StdinTTY)
	if c != nil {
		sys.decideColor(c.color)
	} else {
		sys.decideColor("")
	}
	if err != nil {
		fmt.Fprintf(sys.ErrOut, "guard: %s\n", oneLine(err))
		return exitUsage
	}
	for _, w := range c.warnings {
		fmt.Fprintf(sys.ErrOut, "guard: warning: %s\n", textreport.Sanitize(w))
	}
	switch {
	case c.version:
		return runVersion(sys, c)
	case c.help:
		fmt.Fprint(sys.Out, helpFor(c.cmd))
		return exitOK
	case c.cmd == "":
		// A bare guard checks nothing. It is a usage error, not a quiet
		// exit 0, so a script that called it as a gate fails loudly.
		fmt.Fprint(sys.ErrOut, usageText)
		return exitUsage
	}
	switch c.cmd {
	case "help":
		return runHelp(sys, c)
	case "version":
		return runVersion(sys, c)
	case "explain":
		return runExplain(sys, c)
	case "hooks":
		return runHooks(sys, c)
	case "completion":
		return runCompletion(sys, c)
	case "man":
		return runMan(sys, c)
	}
	// guard run finds its command before checking anything, as a shell
	// would: not found is 127, not executable 126, in one line.
	var argv0 string
	if c.cmd == "run" {
		var code exitCode
		if argv0, code = resolveCommand(sys, c.args[0]); code != exitOK {
			return code
		}
	}
	if c.cmd != "repair" {
		skip, err := config.Skip(sys.Getenv)
		if err != nil {
			fmt.Fprintf(sys.ErrOut, "guard: %s\n", oneLine(err))
			return exitUsage
		}
		if skip {
			fmt.Fprintln(sys.ErrOut, "netguard: skipped (NETGUARD_SKIP is set)")
			if c.cmd == "run" {
				return startCommand(sys, argv0, c.args, ignored) // skipping the check, not the start
			}
			return exitOK
		}
	}
	sig := newRunSignals(caughtSignals(ignored))
	ctx, stop := sig.ctx, sig.stop
	defer stop()
	// A signal during a repair is the user's interrupt, not a broken
	// network: the report of a run cut short would blame the network, so
	// it is not printed. watch stops on a signal by design.
	interrupted := func() bool {
		if ctx.Err() == nil {
			return false
		}
		fmt.Fprintln(sys.ErrOut, "guard: interrupted")
		return true
	}
	var rep *checks.Report
	switch c.cmd {
	case "check":
		rep = sys.NewEngine().Check(ctx, c.opts)
	case "fix", "run":
		fo := elevation(sys, c.opts.Sudo)
		fo.DryRun = c.dryRun
		fo.BeforeRepair = sig.arm
		rep = sys.NewEngine().Fix(ctx, c.opts, fo)
	case "repair":
		sig.arm()
		return runRepair(ctx, sys, c.args)
	case "watch":
		sig.arm()
		return runWatch(ctx, sys, c)
	default:
		fmt.Fprintf(sys.ErrOut, "guard: unknown command %q (see guard help)\n", c.cmd)
		return exitUsage
	}
	if interrupted() {
		return exitInterrupted
	}
	code := report(sys, c, rep)
	if c.cmd == "run" && code == exitOK {
		stop()
		return startCommand(sys, argv0, c.args, ignored)
	}
	return code
}

func report(sys *IO, c *cli, rep *checks.Report) exitCode {
	if err := render(sys, c, rep); err != nil {
		fmt.Fprintf(sys.ErrOut, "guard: %s\n", oneLine(err))
		return exitUsage
	}
	return verdictExit(rep.Verdict)
}

// oneLine is an error as one printable line: whatever raw input it quotes,
// a newline or an escape sequence in it cannot split or restyle the line.
func oneLine(err error) string { return textreport.Sanitize(err.Error()) }

// parse reads the command, its flags, NETGUARD_* variables and the config
// files: flags > environment > project config > user config > defaults.
// A nil cli comes only with an error.
func parse(args []string, getenv func(string) string, cwd string, stdinTTY bool) (*cli, error) {
	cmd, flags, pos, err := splitArgs(args)
	if err != nil {
		return nil, err
	}
	if cmd != "" && !slices.Contains(commands, cmd) {
		return nil, usagef("unknown command %q (want one of: %s)", cmd, strings.Join(visibleCommands(), ", "))
	}
	c := &cli{cmd: cmd, args: pos, color: "auto", set: map[string]bool{}}
	c.watch.interval = watch.DefaultInterval
	for _, f := range flags {
		d := f.def
		if !d.takes(cmd) {
			if cmd == "" {
				return c, usagef("flag %q needs a command first (see guard help)", f.typed)
			}
			return c, usagef("flag %q is not for guard %s%s", f.typed, cmd, forWhom(d))
		}
		if err := d.set(c, f.value); err != nil {
			return c, usagef("flag %q: %s", f.typed, oneLine(err))
		}
		c.set[d.names[0]] = true
	}
	if c.help || c.version || cmd == "" {
		return c, nil
	}
	if err := c.envFlags(getenv); err != nil {
		return c, err
	}
	switch cmd {
	case "help", "explain":
		if len(pos) > 1 {
			return c, usagef("%s: unexpected argument %q", cmd, pos[1])
		}
		return c, nil
	case "version":
		if len(pos) > 0 {
			return c, usagef("version: unexpected argument %q", pos[0])
		}
		return c, nil
	case "hooks":
		return c, c.finishHooks()
	case "completion":
		return c, checkShell(pos)
	case "man":
		if len(pos) > 0 {
			return c, usagef("man: unexpected argument %q", pos[0])
		}
		return c, nil
	case "repair":
		return c, nil // the privileged helper reads no config: its argv is all it acts on
	case "run":
		if len(pos) == 0 {
			return c, usagef("run: missing command (usage: guard run [flags] -- CMD ARGS...)")
		}
	default:
		if len(pos) > 0 {
			return c, usagef("%s: unexpected argument %q", cmd, pos[0])
		}
	}
	if err := c.watch.finish(cmd, c.set, getenv); err != nil {
		return c, err
	}
	configPath := c.configPath
	if configPath == "" {
		configPath = getenv(config.EnvName("config"))
	}
	warn := func(msg string) { c.warnings = append(c.warnings, msg) }
	o, out, err := config.LoadAll(configPath, config.NewEnv(getenv, cwd, warn))
	if err != nil {
		return c, err
	}
	// Output settings from the files and the environment, under any flag.
	for _, b := range []struct {
		name string
		dst  *bool
		src  *bool
	}{{"json", &c.json, out.JSON}, {"quiet", &c.quiet, out.Quiet}, {"verbose", &c.verbose, out.Verbose}} {
		if b.src != nil && !c.set[b.name] {
			*b.dst = *b.src
		}
	}
	// -q on the command line beats verbose from elsewhere, and -v quiet.
	switch {
	case c.set["quiet"] && c.set["verbose"] && c.quiet && c.verbose:
		return c, usagef("--quiet and --verbose contradict each other")
	case c.set["quiet"] && c.quiet:
		c.verbose = false
	case c.set["verbose"] && c.verbose:
		c.quiet = false
	case c.quiet && c.verbose:
		c.quiet = false // both from the environment or a file: show more, not less
	}
	c.flagVals.Apply(&o)
	if cmd == "watch" {
		// The watcher runs beside the environment, whose own containers
		// hold the ports its project files publish: it watches only the
		// ports the user named.
		o.Ports = slices.DeleteFunc(o.Ports, func(p netstate.PortSpec) bool { return p.From != "" })
		o.PortNotes = nil
	}
	if err := o.Validate(); err != nil {
		return c, err
	}
	c.opts = o
	if cmd == "watch" && c.dryRun && c.watch.fix {
		return c, usagef("dry-run and --fix contradict each other in guard watch (dry-run is set by %s)", c.source("dry-run", getenv))
	}
	if o.Sudo == checks.SudoPrompt && (cmd == "fix" || cmd == "run") && !stdinTTY && !c.dryRun {
		return c, errors.New("--sudo prompt needs a terminal to ask for a password (use --sudo auto or never)")
	}
	return c, nil
}

// envFlagNames are the flags envFlags reads from the environment.
var envFlagNames = []string{"json", "json-file", "quiet", "verbose", "dry-run", "color"}

// envFlags reads NETGUARD_<FLAG> for the yes/no and colour flags this
// command takes and the command line did not set, under each of a flag's
// names (NETGUARD_QUIET and NETGUARD_Q). The settings that are also config
// keys (json, quiet, verbose) come through config.LoadAll as well; reading
// them here too keeps NETGUARD_Q and NETGUARD_V.
func (c *cli) envFlags(getenv func(string) string) error {
	for _, name := range envFlagNames {
		d := lookupFlag(name)
		if c.set[name] || !d.takes(c.cmd) {
			continue
		}
		for _, n := range d.names {
			raw := getenv(config.EnvName(n))
			if raw == "" {
				continue
			}
			if err := d.set(c, raw); err != nil {
				return usagef("%s: %s", config.EnvName(n), oneLine(err))
			}
			break
		}
	}
	return nil
}

// source names where a setting came from, for an error message.
func (c *cli) source(name string, getenv func(string) string) string {
	if c.set[name] {
		return "--" + name
	}
	if getenv(config.EnvName(name)) != "" {
		return config.EnvName(name)
	}
	return "the config"
}

// forWhom says which commands take a flag, for an error message.
func forWhom(d *flagDef) string {
	var cmds []string
	for _, c := range d.cmds {
		if c != "" && c != "help" {
			cmds = append(cmds, "guard "+c)
		}
	}
	if len(cmds) == 0 {
		return ""
	}
	return " (it is for " + strings.Join(cmds, ", ") + ")"
}

// setHookTimeout is guard hooks install --timeout.
func (c *cli) setHookTimeout(s string) error {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("invalid duration %q (e.g. 5s)", s)
	}
	if d <= 0 || d > 10*time.Minute {
		return fmt.Errorf("%s is out of range (0 < timeout <= 10m)", d)
	}
	c.hooks.Timeout = d
	return nil
}
