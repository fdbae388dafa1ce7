// Package textreport turns a checks.Report into the lines a person reads.
// It is the one formatter behind the guard binary, `guard watch` and the
// Mage targets, so all three say the same thing in the same words, and the
// line editors' problem matchers read ("FAIL id: summary") is written in
// one place. It is pure: it returns lines; the caller decides where they
// go and whether the label is coloured.
package textreport

import (
	"fmt"
	"strings"

	"github.com/netguard/netguard/checks"
	"github.com/netguard/netguard/checks/diagnose"
)

// Level is what a line's label says. Callers colour by it.
type Level int

const (
	Plain Level = iota // no label: the verdict line, steps, continuations
	OK                 // "ok  "
	Note               // "    ": a check that was skipped, evidence
	Warn               // "WARN"
	Fail               // "FAIL"
)

// Label is the four-column word in front of a line; "" for Plain.
func (l Level) Label() string {
	switch l {
	case OK:
		return "ok  "
	case Note:
		return "    "
	case Warn:
		return "WARN"
	case Fail:
		return "FAIL"
	}
	return ""
}

// Line is one line of human output.
type Line struct {
	Level Level
	Text  string
	// Tone is the colour of a label-less line's head (the verdict line's
	// "netguard: healthy"), for callers that colour; it prints nothing.
	Tone Level
}

// String is the line as printed without colour.
func (l Line) String() string {
	if l.Level == Plain {
		return l.Text
	}
	return l.Level.Label() + " " + l.Text
}

// DefaultWidth is the width lines are fitted to: a normal terminal.
const DefaultWidth = 80

// Options say how much to print.
type Options struct {
	Verbose bool // every check with its detail, every finding with its evidence
	Quiet   bool // problems only: nothing at all when healthy
	// Width fits evidence and wrapped text; 0 means DefaultWidth.
	Width int
	// Explain is how a reader looks a finding up ("guard explain"); it is
	// named once under the root cause. Empty: no hint (mage has no explain).
	Explain string
}

// FindingLine is the problem-matcher line of a finding: "FAIL id: summary"
// or "WARN id: summary" (info findings get the blank label).
func FindingLine(f diagnose.Finding) Line {
	return Line{Level: severityLevel(f.Severity), Text: Sanitize(f.ID) + ": " + Sanitize(f.Summary)}
}

func severityLevel(s diagnose.Severity) Level {
	switch s {
	case diagnose.SevError:
		return Fail
	case diagnose.SevWarning:
		return Warn
	}
	return Note
}

func statusLevel(s diagnose.Status) Level {
	switch s {
	case diagnose.StatusFail:
		return Fail
	case diagnose.StatusWarn, diagnose.StatusUnknown:
		return Warn
	case diagnose.StatusSkip:
		return Note
	}
	return OK
}

// VerdictLine is the last line of every run: the verdict, the root cause
// when there is one, and the time. It has no label, so it never looks like
// a finding to a problem matcher. The root cause is shortened to fit width
// (0: no limit); its finding's line above has it whole.
func VerdictLine(r *checks.Report, width int) Line {
	ms := fmt.Sprintf(" (%.1f ms)", r.DurationMS)
	head := "netguard: " + string(r.Verdict)
	tone := OK
	switch r.Verdict {
	case diagnose.Healthy:
		return Line{Text: head + ms, Tone: OK}
	case diagnose.Degraded:
		tone = Warn
	case diagnose.Unhealthy:
		tone = Fail
	}
	head += " — "
	summary := Sanitize(r.Summary)
	if width > 0 {
		summary = truncate(summary, width-len([]rune(head))-len(ms))
	}
	return Line{Text: head + summary + ms, Tone: tone}
}

// RepairLine says what one rung of the ladder did.
func RepairLine(rp checks.Repair) Line {
	lvl := OK
	if rp.Outcome != checks.OutcomeOK {
		lvl = Warn
	}
	return Line{Level: lvl, Text: fmt.Sprintf("repair %s %s: %s (%.1f ms)", rp.Action, Sanitize(rp.Target), Sanitize(rp.Result()), rp.DurationMS)}
}

// StepLine is one manual step, printed whole so it pastes. A step that
// is a comment ("# ...": what to do by hand, or why) is an explanation,
// not a command: it gets no arrow.
func StepLine(step string) Line {
	if strings.HasPrefix(step, "# ") {
		return Line{Text: "    " + Sanitize(step)}
	}
	return Line{Text: "  → " + Sanitize(step)}
}

// Lines is the report for a person. Healthy: the verdict line alone
// (nothing under Quiet). Otherwise the findings that are not passing, the
// root cause first, the repairs, the checks that did not pass, the manual
// steps, then the verdict. Verbose adds every check with its detail and
// every finding's evidence, info findings included.
func Lines(r *checks.Report, o Options) []Line {
	width := o.Width
	if width <= 0 {
		width = DefaultWidth
	}
	var out []Line
	add := func(l Line) { out = append(out, wrap(l, width)...) }
	if r.Verdict == diagnose.Healthy && len(r.Repairs) == 0 && !o.Verbose {
		if o.Quiet {
			return nil
		}
		return []Line{VerdictLine(r, width)}
	}
	if o.Verbose {
		// Whole, wrapped: showing the detail is what -v is for.
		for _, c := range r.Checks {
			text := fmt.Sprintf("%-9s %-7s %s", c.ID, c.Status, Sanitize(c.Detail))
			add(Line{Level: statusLevel(c.Status), Text: text})
		}
	}
	var root string
	for _, sev := range []diagnose.Severity{diagnose.SevError, diagnose.SevWarning, diagnose.SevInfo} {
		for _, f := range r.Findings {
			if f.Severity != sev || (sev == diagnose.SevInfo && !o.Verbose) {
				continue
			}
			if root == "" && sev != diagnose.SevInfo {
				root = f.ID
			}
			// Whole, never wrapped: editors' problem matchers and grep read
			// one finding per line.
			out = append(out, FindingLine(f))
			if o.Verbose {
				for _, e := range f.Evidence {
					add(Line{Level: Note, Text: "  evidence: " + Sanitize(e)})
				}
			}
		}
	}
	for _, rp := range r.Repairs {
		if o.Quiet && rp.Outcome == checks.OutcomeOK {
			continue
		}
		add(RepairLine(rp))
	}
	if !o.Verbose && !o.Quiet {
		if l, ok := notPassing(r.Checks); ok {
			out = append(out, Line{Level: Note, Text: truncate(l, width-5)})
		}
	}
	if r.Verdict != diagnose.Healthy && r.Verdict != diagnose.Repaired {
		for _, s := range r.ManualSteps {
			out = append(out, StepLine(s))
		}
	}
	if root != "" && o.Explain != "" && !o.Quiet {
		out = append(out, Line{Text: "  more: " + o.Explain + " " + root})
	}
	out = append(out, VerdictLine(r, width))
	return out
}

// notPassing lists the checks that did not pass in one line. A skipped
// check is left out: it had nothing to check (no ports configured, no
// gateway to probe), and the findings above say why.
func notPassing(cs []diagnose.CheckResult) (string, bool) {
	var parts []string
	for _, c := range cs {
		if c.Status != diagnose.StatusPass && c.Status != diagnose.StatusSkip {
			parts = append(parts, c.ID+" "+string(c.Status))
		}
	}
	if len(parts) == 0 {
		return "", false
	}
	return "checks not passing: " + strings.Join(parts, ", "), true
}

// wrap breaks a long line at spaces; continuation lines are indented
// under the text so the label column stays clean.
func wrap(l Line, width int) []Line {
	indent := ""
	if l.Level != Plain {
		width -= 5
		indent = "  "
	}
	if width < 20 || len([]rune(l.Text)) <= width {
		return []Line{l}
	}
	var out []Line
	text := l.Text
	first := true
	for len([]rune(text)) > width {
		cut := strings.LastIndexByte(string([]rune(text)[:width]), ' ')
		if cut <= len(indent) {
			break // one long word: leave it whole rather than split a value
		}
		lvl := l.Level
		if !first {
			lvl = contLevel(l.Level)
		}
		out = append(out, Line{Level: lvl, Text: text[:cut]})
		text = indent + strings.TrimLeft(text[cut:], " ")
		first = false
	}
	lvl := l.Level
	if !first {
		lvl = contLevel(l.Level)
	}
	return append(out, Line{Level: lvl, Text: text})
}

// contLevel is the label of a continuation: blank, never a second "FAIL"
// that a problem matcher would read as another finding.
func contLevel(l Level) Level {
	if l == Plain {
		return Plain
	}
	return Note
}

// truncate shortens s to width runes, marking the cut with "…".
// truncate shortens s to width at a word boundary, marking the cut with
// "…"; a single word longer than half the width is cut where it must be.
func truncate(s string, width int) string {
	r := []rune(s)
	if width < 10 || len(r) <= width {
		return s
	}
	cut := width - 1
	if sp := strings.LastIndexByte(string(r[:cut+1]), ' '); sp >= 0 {
		if n := len([]rune(string(r[:cut+1])[:sp])); n >= width/2 {
			cut = n
		}
	}
	return strings.TrimRight(string(r[:cut]), " ,;:") + "…"
}

// Sanitize escapes what a terminal would act on instead of print (control
// characters, escape sequences, newlines), so a value read from the
// network, a config file or an argument can never restyle, move or split a
// line.
func Sanitize(s string) string {
	clean := true
	for _, r := range s {
		if !printable(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if printable(r) {
			b.WriteRune(r)
			continue
		}
		q := fmt.Sprintf("%+q", r) // '\x1b', '\n', '\u202e'
		b.WriteString(q[1 : len(q)-1])
	}
	return b.String()
}

func printable(r rune) bool {
	switch {
	case r == ' ':
		return true
	case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
		return false
	case r == 0xfffd:
		return false // invalid UTF-8 decodes to this: show it escaped
	case r >= 0x200b && r <= 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return false // zero-width and bidi controls reorder what is shown
	}
	return true
}
