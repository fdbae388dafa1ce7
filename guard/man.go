package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// runMan is guard man: the usage text and every command's help as one
// manual page, so the page says exactly what guard help says.
func runMan(sys *IO, _ *cli) exitCode {
	v := currentVersion()
	// SOURCE_DATE_EPOCH (reproducible-builds.org) dates the page of a
	// package build; otherwise the stamped commit date, if any.
	date := ""
	if s := sys.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			fmt.Fprintf(sys.ErrOut, "guard man: SOURCE_DATE_EPOCH: not a number of seconds: %q\n", s)
			return exitUsage
		}
		date = time.Unix(n, 0).UTC().Format(time.DateOnly)
	} else if len(v.Date) >= len(time.DateOnly) {
		date = v.Date[:len(time.DateOnly)]
	}
	source := "netguard"
	if v.Version != "devel" {
		source += " " + v.Version
	}
	if err := writeMan(sys.Out, date, source); err != nil {
		fmt.Fprintf(sys.ErrOut, "guard man: %s\n", oneLine(err))
		return exitUsage
	}
	return exitOK
}

// roff escapes text for a roff line: backslashes and minus signs, and a
// leading dot or quote that roff would read as a request.
func roff(s string) string {
	s = strings.NewReplacer(`\`, `\e`, "-", `\-`).Replace(s)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}

func writeMan(w io.Writer, date, source string) error {
	e := &errWriter{w: w}
	intro, rest, _ := strings.Cut(usageText, "\n\n")
	name := strings.TrimPrefix(intro, "guard: ")
	synopsis, rest, _ := strings.Cut(rest, "\n\n")
	_, rest, _ = strings.Cut(rest, "\n\n") // the commands block: the COMMANDS section lists them
	e.printf(".\\\" Written by guard man from guard's help texts; do not edit.\n")
	e.printf(".TH GUARD 1 %q %q \"User Commands\"\n", date, source)
	e.printf(".SH NAME\nguard \\- %s\n", roff(name))
	e.printf(".SH SYNOPSIS\n.B guard\n%s\n", roff(strings.TrimPrefix(synopsis, "usage: guard ")))
	e.printf(".SH DESCRIPTION\n")
	for _, l := range strings.Split(strings.TrimSpace(rest), "\n") {
		e.printf("%s\n", roff(l))
	}
	e.printf(".SH COMMANDS\n")
	sum := commandSummaries()
	for _, cmd := range visibleCommands() {
		h := commandHelp[cmd]
		e.printf(".SS %s\n", roff(h.usage))
		e.printf("%s\n", roff(sum[cmd]))
		e.printf(".PP\n")
		for _, l := range strings.Split(h.about, "\n") {
			e.printf("%s\n", roff(l))
		}
		if flags := helpFlags(cmd); len(flags) > 0 {
			e.printf(".PP\nFlags:\n")
			for _, d := range flags {
				var names []string
				for _, n := range d.names {
					if len(n) == 1 {
						names = append(names, `\fB\-`+n+`\fR`)
					} else {
						names = append(names, `\fB\-\-`+roff(n)+`\fR`)
					}
				}
				e.printf(".TP\n%s", strings.Join(names, ", "))
				if d.arg != "" {
					e.printf(" \\fI%s\\fR", roff(d.arg))
				}
				e.printf("\n%s\n", roff(d.usage))
			}
		}
		if envs := commandEnvs(cmd); len(envs) > 0 {
			e.printf(".PP\nSet in the environment too (a flag wins):\n%s\n", roff(strings.Join(envs, ", ")))
		}
		e.printf(".PP\nExamples:\n.PP\n.RS\n.nf\n")
		for _, l := range strings.Split(h.examples, "\n") {
			e.printf("%s\n", roff(strings.TrimSpace(l)))
		}
		e.printf(".fi\n.RE\n")
	}
	e.printf(".SH SEE ALSO\nguard explain \\-\\-list; https://github.com/netguard/netguard\n")
	return e.err
}
