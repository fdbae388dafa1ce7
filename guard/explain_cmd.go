package main

import (
	"fmt"
	"runtime"
	"strings"

	"github.com/netguard/netguard/checks/diagnose"
	"github.com/netguard/netguard/checks/textreport"
)

// explained is one finding as guard explain prints it; its JSON is part of
// the contract like the report's.
type explained struct {
	ID          string   `json:"id"`
	Check       string   `json:"check"`
	Severity    string   `json:"severity"`
	Title       string   `json:"title"`
	Summary     string   `json:"summary"` // the report's summary, {arg} placeholders unfilled
	Why         string   `json:"why"`
	How         string   `json:"how"`
	Repairs     []string `json:"repairs"` // ladder rungs guard fix tries, narrowest first
	OS          string   `json:"os"`
	ManualSteps []string `json:"manual_steps"`
}

func explain(d *diagnose.Def, goos string) explained {
	e, _ := diagnose.Explain(d.ID)
	x := explained{ID: d.ID, Check: diagnose.CheckOf(d).ID, Severity: string(d.Severity), Title: d.Title, Summary: d.Text,
		Why: e.Why, How: e.How, Repairs: []string{}, OS: goos, ManualSteps: []string{}}
	for _, f := range d.Fixes {
		x.Repairs = append(x.Repairs, string(f))
	}
	x.ManualSteps = append(x.ManualSteps, d.Manual.For(goos)...)
	return x
}

// runExplain is guard explain ID and guard explain --list.
func runExplain(sys *IO, c *cli) exitCode {
	goos := c.explainOS
	if goos == "" {
		goos = runtime.GOOS
	}
	if c.explainList {
		if len(c.args) > 0 {
			fmt.Fprintln(sys.ErrOut, "guard explain: --list takes no ID")
			return exitUsage
		}
		var all []explained
		for _, d := range diagnose.Catalog() {
			all = append(all, explain(d, goos))
		}
		if c.json {
			return jsonOrUsage(sys, c, all)
		}
		for _, x := range all {
			fmt.Fprintf(sys.Out, "%-27s %-9s %-8s %s\n", x.ID, x.Check, x.Severity, x.Title)
		}
		return exitOK
	}
	if len(c.args) == 0 {
		fmt.Fprintln(sys.ErrOut, "guard explain: which finding? (guard explain ID, or guard explain --list)")
		return exitUsage
	}
	d, ok := diagnose.Lookup(c.args[0])
	if !ok {
		fmt.Fprintf(sys.ErrOut, "guard explain: unknown finding %q (see guard explain --list)\n", c.args[0])
		return exitUsage
	}
	x := explain(d, goos)
	if c.json {
		return jsonOrUsage(sys, c, x)
	}
	w := sys.width()
	fmt.Fprintf(sys.Out, "%s: %s\n", x.ID, x.Title)
	fmt.Fprintf(sys.Out, "check %s, severity %s\n\n", x.Check, x.Severity)
	para := func(label, text string) {
		fmt.Fprintf(sys.Out, "%s\n", label)
		for _, l := range wrapWords(text, w-2) {
			fmt.Fprintf(sys.Out, "  %s\n", l)
		}
	}
	para("reported as:", x.Summary)
	para("why it matters:", x.Why)
	para("how guard decided:", x.How)
	if len(x.Repairs) > 0 {
		para("repair:", "guard fix (or guard run) tries "+strings.Join(x.Repairs, ", then ")+", and checks again.")
	}
	fmt.Fprintf(sys.Out, "steps on %s:\n", goos)
	if len(x.ManualSteps) == 0 {
		fmt.Fprintln(sys.Out, "  (none)")
	}
	for _, s := range x.ManualSteps {
		fmt.Fprintln(sys.Out, textreport.StepLine(s).String())
	}
	fmt.Fprintln(sys.Out, "({name} values are filled in from the machine in a real report)")
	return exitOK
}

func jsonOrUsage(sys *IO, c *cli, v any) exitCode {
	if err := writeJSON(sys, c, v); err != nil {
		fmt.Fprintf(sys.ErrOut, "guard: %s\n", oneLine(err))
		return exitUsage
	}
	return exitOK
}

// wrapWords breaks text into lines of at most width runes at spaces.
func wrapWords(text string, width int) []string {
	var lines []string
	var cur strings.Builder
	for _, word := range strings.Fields(text) {
		if cur.Len() > 0 && len([]rune(cur.String()))+1+len([]rune(word)) > width {
			lines = append(lines, cur.String())
			cur.Reset()
		}
		if cur.Len() > 0 {
			cur.WriteByte(' ')
		}
		cur.WriteString(word)
	}
	if cur.Len() > 0 {
		lines = append(lines, cur.String())
	}
	return lines
}
