package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/netguard/netguard/checks"
	"github.com/netguard/netguard/checks/config"
)

const usageText = `guard: keep a development environment from starting on a broken network

usage:
  guard check [flags]              read-only diagnosis (exit 0 ok, 1 unhealthy, 2 usage)
  guard fix [--dry-run] [flags]    check, apply the safe repairs, verify
  guard run [flags] -- CMD ARGS    fix, then run CMD (exit code = CMD's); CMD is not started when unhealthy
  guard hooks install|uninstall|status [--hook NAME...] [--repo DIR]
                                   git hooks that run the check (pre-push blocks)
  guard watch [--fix] [--metrics ADDR] [--interval DURATION] [--log FILE] [flags]
                                   stay running: re-check on network changes and every
                                   --interval (default 5m); log changes to the state dir
  guard version                    version, commit, Go version, OS/arch

flags (each also read from NETGUARD_<FLAG>, e.g. NETGUARD_TIMEOUT=3s):
  --json                 print the JSON report on stdout (human text stays on stderr)
  --external IP[,IP...]  targets that stand for "the internet" (IP or IP:port)
  --dns NAME             name to resolve with the system resolver
  --gateway auto|IP      gateway to check (default: from the routing table)
  --timeout DURATION     deadline for the whole run (default 2s)
  --config FILE          config file (default: .netguard.yaml upward, then the user config)
  --sudo never|auto|prompt  how privileged repairs may run (default auto)
  -q, --quiet            print only problems
  -v, --verbose          print evidence for every finding

NETGUARD_SKIP=1 skips every entry point with one line on stderr.
`

// cli is one parsed command line.
type cli struct {
	cmd     string
	args    []string
	json    bool
	dryRun  bool
	quiet   bool
	verbose bool
	opts    checks.Options
	watch   watchFlags // guard watch only (watch_cmd.go)
	// warnings are config files skipped and keys ignored (config.Load),
	// printed before the run.
	warnings []string
}

// run is the whole program behind main, testable with a fake IO.
func run(args []string, io_ *IO) exitCode {
	if len(args) > 0 && args[0] == "hooks" { // own flags and subcommands; reads no check config
		return runHooks(io_, args[1:])
	}
	c, err := parse(args, io_.Getenv, io_.Cwd, io_.StdinTTY)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(io_.Out, usageText)
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(io_.ErrOut, "guard: %v\n", err)
		return exitUsage
	}
	for _, w := range c.warnings {
		fmt.Fprintf(io_.ErrOut, "guard: warning: %s\n", w)
	}
	switch c.cmd {
	case "version":
		fmt.Fprintln(io_.Out, versionString())
		return exitOK
	case "help":
		fmt.Fprint(io_.Out, usageText)
		return exitOK
	}
	if c.cmd != "repair" && skip(io_) {
		if c.cmd == "run" {
			return execCommand(io_, c.args) // skipping the check, not the start
		}
		return exitOK
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch c.cmd {
	case "check":
		return report(io_, c, io_.NewEngine().Check(ctx, c.opts))
	case "fix":
		fo := elevation(io_, c.opts.Sudo)
		fo.DryRun = c.dryRun
		return report(io_, c, io_.NewEngine().Fix(ctx, c.opts, fo))
	case "run":
		rep := io_.NewEngine().Fix(ctx, c.opts, elevation(io_, c.opts.Sudo))
		if code := report(io_, c, rep); code != exitOK {
			return code
		}
		return execCommand(io_, c.args)
	case "repair":
		return runRepair(ctx, io_, c.args)
	case "watch":
		return runWatch(ctx, io_, c)
	}
	fmt.Fprintf(io_.ErrOut, "guard: unknown command %q (see guard help)\n", c.cmd)
	return exitUsage
}

func report(io_ *IO, c *cli, rep *checks.Report) exitCode {
	if err := render(io_, c, rep); err != nil {
		fmt.Fprintf(io_.ErrOut, "guard: %v\n", err)
		return exitUsage
	}
	return verdictExit(rep.Verdict)
}

func skip(io_ *IO) bool {
	v := io_.Getenv("NETGUARD_SKIP")
	if v == "" || v == "0" || strings.EqualFold(v, "false") {
		return false
	}
	fmt.Fprintln(io_.ErrOut, "netguard: skipped (NETGUARD_SKIP is set)")
	return true
}

var commands = []string{"check", "fix", "run", "watch", "version", "help", "repair"}

// parse reads the command, its flags and NETGUARD_* variables, and the
// config files: flags > environment > project config > user config >
// defaults.
func parse(args []string, getenv func(string) string, cwd string, stdinTTY bool) (*cli, error) {
	c := &cli{cmd: "check"}
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		c.cmd, args = args[0], args[1:]
		known := false
		for _, k := range commands {
			known = known || k == c.cmd
		}
		if !known {
			return nil, fmt.Errorf("unknown command %q (want one of: %s)", c.cmd, strings.Join(commands, ", "))
		}
	}
	fs := flag.NewFlagSet("guard "+c.cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var flagVals config.Values
	var configPath string
	for _, k := range config.Keys {
		fs.Func(k, "", func(s string) error { return flagVals.Set(k, s) })
	}
	fs.StringVar(&configPath, "config", "", "")
	fs.BoolVar(&c.json, "json", false, "")
	fs.BoolVar(&c.dryRun, "dry-run", false, "")
	fs.BoolVar(&c.quiet, "q", false, "")
	fs.BoolVar(&c.quiet, "quiet", false, "")
	fs.BoolVar(&c.verbose, "v", false, "")
	fs.BoolVar(&c.verbose, "verbose", false, "")
	c.watch.register(fs)
	if err := fs.Parse(args); err != nil {
		return nil, flagError(err)
	}
	c.args = fs.Args()
	switch {
	case c.cmd == "repair":
		return c, nil // the privileged helper reads no config: its argv is all it acts on
	case c.cmd == "run" && len(c.args) == 0:
		return nil, errors.New("run: missing command (usage: guard run [flags] -- CMD ARGS...)")
	case c.cmd != "run" && len(c.args) > 0:
		return nil, fmt.Errorf("%s: unexpected argument %q", c.cmd, c.args[0])
	case c.dryRun && c.cmd != "fix":
		return nil, fmt.Errorf("--dry-run is only for guard fix")
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if err := c.watch.finish(c.cmd, set, getenv); err != nil {
		return nil, err
	}
	// Boolean flags from NETGUARD_<FLAG> when not given on the command
	// line, under each of their names (NETGUARD_QUIET and NETGUARD_Q).
	for _, b := range []struct {
		names []string
		dst   *bool
	}{{[]string{"json"}, &c.json}, {[]string{"quiet", "q"}, &c.quiet}, {[]string{"verbose", "v"}, &c.verbose}, {[]string{"dry-run"}, &c.dryRun}} {
		if slices.ContainsFunc(b.names, func(n string) bool { return set[n] }) {
			continue
		}
		for _, n := range b.names {
			raw := getenv(config.EnvName(n))
			if raw == "" {
				continue
			}
			v, err := strconv.ParseBool(raw)
			if err != nil {
				return nil, fmt.Errorf("%s: want true or false, got %q", config.EnvName(n), raw)
			}
			*b.dst = v
			break
		}
	}
	if configPath == "" {
		configPath = getenv(config.EnvName("config"))
	}
	warn := func(msg string) { c.warnings = append(c.warnings, msg) }
	o, err := config.Load(configPath, config.NewEnv(getenv, cwd, warn))
	if err != nil {
		return nil, err
	}
	flagVals.Apply(&o)
	if err := o.Validate(); err != nil {
		return nil, err
	}
	c.opts = o
	if o.Sudo == checks.SudoPrompt && (c.cmd == "fix" || c.cmd == "run") && !stdinTTY {
		return nil, errors.New("--sudo prompt needs a terminal to ask for a password (use --sudo auto or never)")
	}
	return c, nil
}

// flagError turns the flag package's messages into one line that names
// the flag the way the user typed it.
func flagError(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	msg := err.Error()
	switch {
	case strings.HasPrefix(msg, "flag provided but not defined: "):
		return fmt.Errorf("unknown flag %s (see guard help)", strings.TrimPrefix(msg, "flag provided but not defined: "))
	case strings.HasPrefix(msg, "invalid value "):
		// invalid value "x" for flag -timeout: timeout: invalid duration "x"
		if i := strings.Index(msg, ": "); i >= 0 {
			name := msg[strings.Index(msg, "flag -")+len("flag -") : i]
			return fmt.Errorf("--%s: %s", name, strings.TrimPrefix(msg[i+2:], name+": "))
		}
	}
	return errors.New(msg)
}
