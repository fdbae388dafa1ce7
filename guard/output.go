package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/log"
	"github.com/mattn/go-isatty"
	"github.com/muesli/termenv"
	"github.com/netguard/netguard/checks"
)

// IO is every way the program touches its environment, decided once: tests
// build one with buffers (testIO), main with the real process (systemIO).
type IO struct {
	In     io.Reader
	Out    io.Writer // the JSON report, version, help
	ErrOut io.Writer // human output
	// Color: ANSI colour on ErrOut. Decided from isatty and NO_COLOR,
	// never by asking the terminal (a silent pty would stall us for
	// seconds; see design.md, pitfalls).
	Color      bool
	StdinTTY   bool
	Getenv     func(string) string
	Cwd        string
	NewEngine  func() *checks.Engine
	Executable func() (string, error)
	// SafeExe and ClearEnv stand in for safepath.Check and clearing the
	// environment in tests; nil means the real ones (privilege.go).
	SafeExe  func(path string) error
	ClearEnv func()
}

func systemIO() *IO {
	cwd, _ := os.Getwd()
	errTTY := isatty.IsTerminal(os.Stderr.Fd()) || isatty.IsCygwinTerminal(os.Stderr.Fd())
	return &IO{
		In:         os.Stdin,
		Out:        os.Stdout,
		ErrOut:     os.Stderr,
		Color:      errTTY && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb",
		StdinTTY:   isatty.IsTerminal(os.Stdin.Fd()),
		Getenv:     os.Getenv,
		Cwd:        cwd,
		NewEngine:  checks.New,
		Executable: os.Executable,
	}
}

// render writes the report: JSON on stdout when asked; human lines always go
// to stderr, so stdout stays clean for JSON and for the child of guard run;
// -q limits them to problems.
func render(io_ *IO, c *cli, r *checks.Report) error {
	if c.json {
		enc := json.NewEncoder(io_.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
	}
	human(io_, c, r)
	return nil
}

// opaqueWriter hides the *os.File behind stderr from the logger. Given a
// terminal, charmbracelet/log builds a renderer that asks the terminal for
// its colours at once (termenv.WithColorCache) and waits up to 5 s per
// answer; a writer without Fd is never asked. Colour is decided here
// instead, from isatty and NO_COLOR, and forced with SetColorProfile.
type opaqueWriter struct{ w io.Writer }

func (o opaqueWriter) Write(p []byte) (int, error) { return o.w.Write(p) }

// newLogger builds a charmbracelet logger with a fixed colour profile so it
// never queries the terminal. The level labels are the same either way;
// the Ascii profile renders them without colour.
func newLogger(io_ *IO) *log.Logger {
	l := log.NewWithOptions(opaqueWriter{io_.ErrOut}, log.Options{ReportTimestamp: false, Level: log.DebugLevel})
	profile := termenv.Ascii
	if io_.Color {
		profile = termenv.ANSI256
	}
	l.SetColorProfile(profile)
	st := log.DefaultStyles()
	st.Levels[log.InfoLevel] = lipgloss.NewStyle().SetString("ok  ").Bold(true).Foreground(lipgloss.Color("42"))
	st.Levels[log.WarnLevel] = lipgloss.NewStyle().SetString("WARN").Bold(true).Foreground(lipgloss.Color("214"))
	st.Levels[log.ErrorLevel] = lipgloss.NewStyle().SetString("FAIL").Bold(true).Foreground(lipgloss.Color("203"))
	st.Levels[log.DebugLevel] = lipgloss.NewStyle().SetString("    ").Foreground(lipgloss.Color("245"))
	l.SetStyles(st)
	return l
}

func statusLevel(s checks.Status) log.Level {
	switch s {
	case checks.StatusFail:
		return log.ErrorLevel
	case checks.StatusWarn, checks.StatusUnknown:
		return log.WarnLevel
	case checks.StatusSkip:
		return log.DebugLevel
	}
	return log.InfoLevel
}

func sevLevel(s checks.Severity) log.Level {
	switch s {
	case checks.SevError:
		return log.ErrorLevel
	case checks.SevWarning:
		return log.WarnLevel
	}
	return log.InfoLevel
}

// human prints one line per check, then findings with their manual steps.
func human(io_ *IO, c *cli, r *checks.Report) {
	l := newLogger(io_)
	quiet := c.quiet
	if !quiet {
		for _, ch := range r.Checks {
			l.Log(statusLevel(ch.Status), fmt.Sprintf("%-9s %-7s %s", ch.ID, ch.Status, ch.Detail))
		}
	}
	for _, f := range r.Findings {
		if f.Severity == checks.SevInfo && (quiet || !c.verbose) {
			continue
		}
		l.Log(sevLevel(f.Severity), fmt.Sprintf("%s: %s", f.ID, f.Summary))
		if c.verbose {
			for _, e := range f.Evidence {
				l.Log(log.DebugLevel, "  evidence: "+e)
			}
		}
	}
	for _, r := range r.Repairs {
		lvl := log.InfoLevel
		if r.Outcome != checks.OutcomeOK {
			lvl = log.WarnLevel
		}
		l.Log(lvl, fmt.Sprintf("repair %s %s: %s (%.1f ms)", r.Action, r.Target, r.Result(), r.DurationMS))
	}
	if len(r.ManualSteps) > 0 && r.Verdict != checks.Healthy {
		l.Log(log.DebugLevel, "manual steps:")
		for _, s := range r.ManualSteps {
			l.Log(log.DebugLevel, "  → "+s)
		}
	}
	if quiet && r.Verdict == checks.Healthy {
		return
	}
	line := fmt.Sprintf("verdict: %s — %s (%.1f ms)", r.Verdict, r.Summary, r.DurationMS)
	switch r.Verdict {
	case checks.Unhealthy:
		l.Error(line)
	case checks.Degraded:
		l.Warn(line)
	default:
		l.Info(line)
	}
}
