package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/netguard/netguard/checks"
	"github.com/netguard/netguard/checks/config"
	"github.com/netguard/netguard/checks/diagnose"
	"github.com/netguard/netguard/checks/textreport"
	"github.com/netguard/netguard/checks/watch"
	"golang.org/x/net/netutil"
)

// watchFlags are the flags only `guard watch` takes.
type watchFlags struct {
	fix      bool
	metrics  string // listen address; "" is off
	interval time.Duration
	log      string // log file; "" is the state directory's
}

// The interval's range: below a second the watcher would probe in a busy
// loop; above a day the periodic re-check no longer catches what no event
// announces (a DNS server going away).
const (
	minInterval = time.Second
	maxInterval = 24 * time.Hour
)

func (w *watchFlags) setMetrics(s string) error {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return fmt.Errorf("want HOST:PORT (e.g. 127.0.0.1:9977), got %q", s)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return fmt.Errorf("invalid port %q", port)
	}
	_ = host // "" binds every address: allowed, the user asked for it (see README)
	w.metrics = s
	return nil
}

func (w *watchFlags) setInterval(s string) error {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("invalid duration %q (e.g. 5m, 30s)", s)
	}
	if d < minInterval || d > maxInterval {
		return fmt.Errorf("%s is out of range (%s to %s)", d, minInterval, maxInterval)
	}
	w.interval = d
	return nil
}

// watchEnvFlags are the watch flags finish reads from the environment.
var watchEnvFlags = []string{"fix", "metrics", "interval", "log"}

// finish applies NETGUARD_FIX, _METRICS, _INTERVAL and _LOG to the flags
// not given on the command line, for guard watch only: a NETGUARD_FIX in a
// shell's profile must not break guard check. (A watch flag given to
// another command is refused by the parser.)
func (w *watchFlags) finish(cmd string, set map[string]bool, getenv func(string) string) error {
	if cmd != "watch" {
		return nil
	}
	for _, n := range watchEnvFlags {
		raw := getenv(config.EnvName(n))
		if raw == "" || set[n] {
			continue
		}
		var err error
		switch n {
		case "fix":
			w.fix, err = config.ParseBool(raw)
		case "metrics":
			err = w.setMetrics(raw)
		case "interval":
			err = w.setInterval(raw)
		case "log":
			w.log = raw
		}
		if err != nil {
			return usagef("%s: %s", config.EnvName(n), oneLine(err))
		}
	}
	return nil
}

// newWatchSource opens the OS's change notifications; tests replace it.
var newWatchSource = watch.NewSource

// runWatch is `guard watch`: re-check on every relevant network change and
// on the interval until SIGINT or SIGTERM (exit 0). Exit 2 when it cannot
// start: another watcher holds the lock, the log cannot be opened, the
// metrics address cannot be bound.
func runWatch(ctx context.Context, sys *IO, c *cli) exitCode {
	fail := func(format string, a ...any) exitCode {
		// One line whatever a path or an error holds.
		fmt.Fprintf(sys.ErrOut, "guard watch: %s\n", textreport.Sanitize(fmt.Sprintf(format, a...)))
		return exitUsage
	}
	w := c.watch
	if w.fix && c.opts.Sudo == checks.SudoPrompt {
		return fail("--sudo prompt cannot be used with --fix: a watcher runs unattended (use --sudo auto or never)")
	}
	dir, err := watch.StateDir(sys.Getenv)
	if err != nil && w.log == "" {
		return fail("%v (set --log FILE)", err)
	}
	if err == nil {
		// The lock always lives here: it must be this user's directory.
		if err := watch.PrepareStateDir(dir); err != nil {
			return fail("%v", err)
		}
	}
	logPath := w.log
	if logPath == "" {
		logPath = filepath.Join(dir, watch.LogName)
	} else if !filepath.IsAbs(logPath) {
		logPath = filepath.Join(sys.Cwd, logPath)
	}
	if dir == "" {
		dir = filepath.Dir(logPath)
	}
	lock, err := watch.AcquireLock(filepath.Join(dir, watch.LockName))
	if err != nil {
		return fail("%v", err)
	}
	defer lock.Release()
	logf, err := watch.OpenRotating(logPath, watch.DefaultMaxBytes, watch.DefaultKeep)
	if err != nil {
		return fail("%q: %v", logPath, err)
	}
	defer logf.Close()

	var metrics *watch.Metrics
	if w.metrics != "" {
		metrics = watch.NewMetrics()
		ln, err := net.Listen("tcp", w.metrics)
		if err != nil {
			return fail("--metrics %s: %v", w.metrics, err)
		}
		mux := http.NewServeMux()
		mux.Handle("/metrics", metrics.Handler())
		srv, ln := metricsServer(ln, mux, metricsLimits)
		go func() { _ = srv.Serve(ln) }() // returns ErrServerClosed at Shutdown
		defer func() {
			sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			_ = srv.Shutdown(sctx)
		}()
		if !c.quiet {
			fmt.Fprintf(sys.ErrOut, "guard watch: metrics on http://%s/metrics\n", ln.Addr())
		}
	}

	hum := &watchHuman{io: sys, c: c}
	if !c.quiet {
		mode := "check"
		if w.fix {
			mode = "check and repair"
		}
		fmt.Fprintf(sys.ErrOut, "guard watch: %s on network changes and every %s; log %s\n", mode, w.interval, textreport.Sanitize(logPath))
	}
	logBroken := false
	err = watch.Run(ctx, watch.Config{
		Engine:     sys.NewEngine(),
		Options:    c.opts,
		Fix:        w.fix,
		FixOptions: elevation(sys, c.opts.Sudo),
		Interval:   w.interval,
		OpenSource: newWatchSource,
		OnRun: func(r watch.Result) {
			b, err := json.Marshal(r.Line())
			if err != nil {
				fmt.Fprintf(sys.ErrOut, "guard watch: encode report: %v\n", err)
				return
			}
			b = append(b, '\n')
			if c.json {
				_, _ = sys.Out.Write(b)
			}
			if r.Loggable() {
				// A full disk must not stop the watcher; say so once.
				if _, err := logf.Write(b); err != nil && !logBroken {
					logBroken = true
					fmt.Fprintf(sys.ErrOut, "guard watch: %s\n", oneLine(err))
				} else if err == nil {
					logBroken = false
				}
			}
			if metrics != nil {
				metrics.Observe(r)
			}
			hum.result(r)
		},
		OnError: func(err error) {
			if errors.Is(err, watch.ErrNoSource) {
				if !c.quiet {
					fmt.Fprintf(sys.ErrOut, "guard watch: %v: re-checking every %s only\n", err, w.interval)
				}
				return
			}
			fmt.Fprintf(sys.ErrOut, "guard watch: change notifications: %s (reopening)\n", oneLine(err))
		},
	})
	if err != nil {
		return fail("%v", err)
	}
	if !c.quiet {
		fmt.Fprintln(sys.ErrOut, "guard watch: stopped")
	}
	return exitOK
}

// watchHuman prints the human side of guard watch on stderr, through the
// same formatter as guard check: a verdict line when the state changes,
// the problem-matcher line of each new finding, one line per repair, and
// one when a repair is first held back; nothing for a run that changed
// nothing.
type watchHuman struct {
	io      *IO
	c       *cli
	l       *logger
	wasHeld bool
}

func (h *watchHuman) result(r watch.Result) {
	if h.l == nil {
		l := newLogger(h.io)
		h.l = &l
	}
	rep := r.Report
	ts := r.Time.Local().Format("15:04:05")
	held := !r.RepairHeldUntil.IsZero()
	// -q: problems only, so not the first "healthy".
	quietOK := h.c.quiet && r.Previous.IsZero() && rep.Verdict == diagnose.Healthy
	if r.Changed && !quietOK {
		v := textreport.VerdictLine(rep, h.io.width()-9)
		v.Text = ts + " " + v.Text
		if r.Reason != "" && h.c.verbose {
			v.Text += " (after: " + textreport.Sanitize(r.Reason) + ")"
		}
		h.l.line(v)
		added, cleared := r.Fingerprint.Diff(r.Previous)
		for _, f := range rep.Findings {
			if f.Severity == diagnose.SevInfo && !h.c.verbose {
				continue
			}
			if slices.Contains(added, f.ID) {
				h.l.line(textreport.FindingLine(f))
			}
		}
		for _, id := range cleared {
			h.l.line(textreport.Line{Level: textreport.OK, Text: textreport.Sanitize(id) + ": cleared"})
		}
		if rep.Verdict == diagnose.Unhealthy {
			for _, s := range rep.ManualSteps {
				h.l.line(textreport.StepLine(s))
			}
		}
	}
	for _, rp := range rep.Repairs {
		l := textreport.RepairLine(rp)
		l.Text = ts + " " + l.Text
		h.l.line(l)
	}
	if held && !h.wasHeld {
		b := watch.DefaultBackoff()
		h.l.line(textreport.Line{Level: textreport.Warn, Text: fmt.Sprintf("%s repair held back until %s (backoff: at most %d repairs in %s)",
			ts, r.RepairHeldUntil.Local().Format("15:04:05"), b.Limit, b.Window)})
	}
	h.wasHeld = held
}

// serverLimits bound an HTTP server's connections and how long each may
// take or sit idle.
type serverLimits struct {
	Conns                     int
	Header, Read, Write, Idle time.Duration
}

// metricsLimits bound what the metrics server gives each connection:
// anyone who can connect to its address (every local user, on loopback)
// must not be able to hold the watcher's file
// descriptors and memory. A scrape is one short request; a scraper that
// keeps its connection gets it back within the idle timeout.
var metricsLimits = serverLimits{Conns: 32, Header: 5 * time.Second, Read: 10 * time.Second, Write: 10 * time.Second, Idle: 30 * time.Second}

// metricsServer serves h on ln within l: at most l.Conns connections are
// accepted at once (the rest wait in the kernel's backlog, costing this
// process nothing), and each is closed when a request is slow to arrive
// or to be written, or when it sits idle.
func metricsServer(ln net.Listener, h http.Handler, l serverLimits) (*http.Server, net.Listener) {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: l.Header, ReadTimeout: l.Read, WriteTimeout: l.Write, IdleTimeout: l.Idle}
	return srv, netutil.LimitListener(ln, l.Conns)
}
