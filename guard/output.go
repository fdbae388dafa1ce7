package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/log"
	"github.com/mattn/go-isatty"
	"github.com/muesli/termenv"
	"github.com/netguard/netguard/checks"
	"github.com/netguard/netguard/checks/ownedfile"
	"github.com/netguard/netguard/checks/textreport"
)

// IO is every way the program touches its environment, in the style of
// gh's iostreams: systemIO reads the process once, tests build one with
// buffers (testIO). Whether stderr is a terminal is recorded here; colour
// is decided once from it, --color, NO_COLOR and CLICOLOR_FORCE
// (decideColor), and nothing else ever asks the terminal.
type IO struct {
	In     io.Reader
	Out    io.Writer // the JSON report (not under guard run), help, version, explain
	ErrOut io.Writer // human output
	// ErrTTY reports that stderr is a terminal; StdinTTY, that a password
	// prompt is possible.
	ErrTTY   bool
	StdinTTY bool
	// Color turns on ANSI colour on ErrOut; decideColor sets it.
	Color      bool
	Getenv     func(string) string
	Cwd        string
	NewEngine  func() *checks.Engine
	Executable func() (string, error)
	// CreateFile opens --json-file; nil means ownedfile.Create.
	CreateFile func(name string) (io.WriteCloser, error)
	// SafeExe and ClearEnv stand in for safepath.Check and clearing the
	// environment in tests; nil means the real ones (privilege.go).
	SafeExe  func(path string) error
	ClearEnv func()
}

func systemIO() *IO {
	cwd, _ := os.Getwd()
	return &IO{
		In:         os.Stdin,
		Out:        os.Stdout,
		ErrOut:     os.Stderr,
		ErrTTY:     isatty.IsTerminal(os.Stderr.Fd()) || isatty.IsCygwinTerminal(os.Stderr.Fd()),
		StdinTTY:   isatty.IsTerminal(os.Stdin.Fd()),
		Getenv:     os.Getenv,
		Cwd:        cwd,
		NewEngine:  checks.New,
		Executable: os.Executable,
	}
}

// decideColor sets Color once for the whole run. --color always and never
// win; auto follows NO_COLOR (any value turns colour off, no-color.org),
// then CLICOLOR_FORCE (any value but 0 turns it on, even into a pipe), then
// TERM=dumb, then whether stderr is a terminal.
func (sys *IO) decideColor(mode string) {
	switch mode {
	case "always":
		sys.Color = true
	case "never":
		sys.Color = false
	default:
		switch {
		case sys.Getenv("NO_COLOR") != "":
			sys.Color = false
		case sys.Getenv("CLICOLOR_FORCE") != "" && sys.Getenv("CLICOLOR_FORCE") != "0":
			sys.Color = true
		case sys.Getenv("TERM") == "dumb":
			sys.Color = false
		default:
			sys.Color = sys.ErrTTY
		}
	}
}

// width is what human lines are fitted to: $COLUMNS when a shell exports
// it, else a normal terminal's 80 columns. The terminal is never asked.
func (sys *IO) width() int {
	if n, err := strconv.Atoi(sys.Getenv("COLUMNS")); err == nil && n >= 40 && n <= 500 {
		return n
	}
	return textreport.DefaultWidth
}

// render writes the report: JSON where the command line sends it, and the
// human lines on stderr.
func render(sys *IO, c *cli, r *checks.Report) error {
	if c.json {
		if err := writeJSON(sys, c, r); err != nil {
			return err
		}
	}
	printLines(sys, textreport.Lines(r, textreport.Options{
		Verbose: c.verbose, Quiet: c.quiet, Width: sys.width(), Explain: "guard explain",
	}))
	return nil
}

// writeJSON puts v where JSON goes: --json-file when given; under guard
// run stderr, because stdout belongs to the command that is about to start;
// otherwise stdout.
func writeJSON(sys *IO, c *cli, v any) error {
	var w io.Writer = sys.Out
	switch {
	case c.jsonFile != "":
		create := sys.CreateFile
		if create == nil {
			// The name may come from a repository's link or from the
			// environment: never follow a link, never write another
			// user's file, and keep the report private (0600).
			create = func(name string) (io.WriteCloser, error) { return ownedfile.Create(name) }
		}
		f, err := create(c.jsonFile)
		if err != nil {
			return fmt.Errorf("--json-file: %w", err)
		}
		defer f.Close()
		w = f
	case c.cmd == "run":
		w = sys.ErrOut
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	return nil
}

// printLines writes formatter lines through the logger.
func printLines(sys *IO, lines []textreport.Line) {
	if len(lines) == 0 {
		return
	}
	l := newLogger(sys)
	for _, line := range lines {
		l.line(line)
	}
}

// logger is charmbracelet/log behind a constructor that cannot let it
// query the terminal: the writer it gets never exposes a file descriptor,
// and its colour profile is fixed from IO.Color. Given a terminal,
// charmbracelet/log would ask it for its colours (termenv.WithColorCache)
// and wait seconds per answer on one that stays silent (an IDE console, a
// git hook under a GUI client).
type logger struct {
	l     *log.Logger
	color bool
}

// opaqueWriter hides the *os.File behind stderr from the logger.
type opaqueWriter struct{ w io.Writer }

func (o opaqueWriter) Write(p []byte) (int, error) { return o.w.Write(p) }

// levelStyles are the label styles; the profile decides whether they
// carry colour. Built when a logger is, not at start-up: building lipgloss
// styles is a visible share of a healthy one-line run, which never logs.
func levelStyles() *log.Styles {
	st := log.DefaultStyles()
	st.Levels[log.InfoLevel] = lipgloss.NewStyle().SetString(textreport.OK.Label()).Bold(true).Foreground(lipgloss.Color("42"))
	st.Levels[log.WarnLevel] = lipgloss.NewStyle().SetString(textreport.Warn.Label()).Bold(true).Foreground(lipgloss.Color("214"))
	st.Levels[log.ErrorLevel] = lipgloss.NewStyle().SetString(textreport.Fail.Label()).Bold(true).Foreground(lipgloss.Color("203"))
	st.Levels[log.DebugLevel] = lipgloss.NewStyle().SetString(textreport.Note.Label()).Foreground(lipgloss.Color("245"))
	return st
}

func newLogger(sys *IO) logger {
	l := log.NewWithOptions(opaqueWriter{sys.ErrOut}, log.Options{ReportTimestamp: false, Level: log.DebugLevel})
	profile := termenv.Ascii
	if sys.Color {
		profile = termenv.ANSI256
	}
	l.SetColorProfile(profile)
	l.SetStyles(levelStyles())
	return logger{l, sys.Color}
}

// toneColors colour a label-less line's head: plain SGR codes, written
// here, so nothing asks the terminal what it supports.
var toneColors = map[textreport.Level]string{
	textreport.OK:   "\x1b[1;32m",
	textreport.Warn: "\x1b[1;33m",
	textreport.Fail: "\x1b[1;31m",
}

// line prints one formatter line: its label styled by level, then the text
// exactly as the formatter wrote it.
func (l logger) line(line textreport.Line) {
	switch line.Level {
	case textreport.OK:
		l.l.Info(line.Text)
	case textreport.Note:
		l.l.Debug(line.Text)
	case textreport.Warn:
		l.l.Warn(line.Text)
	case textreport.Fail:
		l.l.Error(line.Text)
	default:
		text := line.Text
		if sgr, ok := toneColors[line.Tone]; ok && l.color {
			// The head is the text before the root cause or the time.
			end := len(text)
			for _, sep := range []string{" — ", " ("} {
				if i := strings.Index(text, sep); i >= 0 && i < end {
					end = i
				}
			}
			text = sgr + text[:end] + "\x1b[0m" + text[end:]
		}
		l.l.Print(text)
	}
}
