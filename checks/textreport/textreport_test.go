package textreport

import (
	"strings"
	"testing"

	"github.com/netguard/netguard/checks"
	"github.com/netguard/netguard/checks/diagnose"
	"github.com/netguard/netguard/checks/netstate"
)

func strs(ls []Line) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.String()
	}
	return out
}

func healthy() *checks.Report {
	return &checks.Report{Verdict: diagnose.Healthy, Summary: "network stack healthy", DurationMS: 3.25,
		Checks: []diagnose.CheckResult{{ID: "link", Status: diagnose.StatusPass, Detail: "eth0 up"}, {ID: "dns", Status: diagnose.StatusPass, Detail: "www.lab.test resolved"}}}
}

func broken() *checks.Report {
	return &checks.Report{Verdict: diagnose.Unhealthy, DurationMS: 12,
		Summary: "the gateway 198.18.3.1 resolves to 02:00:00:00:00:01 on eth0 (reachable) but does not answer through it",
		Checks: []diagnose.CheckResult{
			{ID: "link", Status: diagnose.StatusPass, Detail: "eth0 up"},
			{ID: "neighbor", Status: diagnose.StatusFail, Detail: strings.Repeat("very long detail ", 10)},
			{ID: "internet", Status: diagnose.StatusSkip, Detail: "because neighbor failed"},
		},
		Findings: []diagnose.Finding{
			{ID: "icmp-blocked", Severity: diagnose.SevWarning, Summary: "no host answers ping while TCP gets through"},
			{ID: "gateway-silent", Severity: diagnose.SevInfo, Summary: "the gateway ignores probes", Evidence: []string{"ping: no reply"}},
			{ID: "gateway-neighbor-wrong", Severity: diagnose.SevError, Summary: "the gateway 198.18.3.1 resolves to 02:00:00:00:00:01 on eth0 (reachable) but does not answer through it",
				Evidence: []string{"neighbor 198.18.3.1 lladdr 02:00:00:00:00:01 REACHABLE"}},
		},
		ManualSteps: []string{"sudo ip neigh del 198.18.3.1 dev eth0"},
	}
}

func TestHealthyIsOneLine(t *testing.T) {
	got := strs(Lines(healthy(), Options{Explain: "guard explain"}))
	if len(got) != 1 || got[0] != "netguard: healthy (3.2 ms)" {
		t.Fatalf("healthy: %q", got)
	}
	if got := Lines(healthy(), Options{Quiet: true}); len(got) != 0 {
		t.Fatalf("quiet healthy: %q", strs(got))
	}
}

func TestNotHealthyRootCauseFirst(t *testing.T) {
	got := strs(Lines(broken(), Options{Explain: "guard explain"}))
	want := []string{
		"FAIL gateway-neighbor-wrong: the gateway 198.18.3.1 resolves to 02:00:00:00:00:01 on eth0 (reachable) but does not answer through it",
		"WARN icmp-blocked: no host answers ping while TCP gets through",
		"     checks not passing: neighbor fail",
		"  → sudo ip neigh del 198.18.3.1 dev eth0",
		"  more: guard explain gateway-neighbor-wrong",
		"netguard: unhealthy — the gateway 198.18.3.1 resolves to… (12.0 ms)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Lines fit 80 columns, except a finding's line (one per finding, for
	// problem matchers) and a step (pasted whole).
	for _, l := range got {
		if len([]rune(l)) > DefaultWidth && !strings.HasPrefix(l, "FAIL ") && !strings.HasPrefix(l, "  → ") {
			t.Errorf("%d columns: %q", len([]rune(l)), l)
		}
	}
}

func TestQuietAndVerbose(t *testing.T) {
	q := strings.Join(strs(Lines(broken(), Options{Quiet: true, Explain: "guard explain"})), "\n")
	if strings.Contains(q, "checks not passing") || strings.Contains(q, "gateway-silent") || strings.Contains(q, "guard explain") || !strings.Contains(q, "FAIL gateway-neighbor-wrong") {
		t.Errorf("quiet:\n%s", q)
	}
	v := strs(Lines(broken(), Options{Verbose: true}))
	joined := strings.Join(v, "\n")
	for _, want := range []string{"ok   link      pass    eth0 up", "FAIL neighbor  fail    very long", "     internet  skip    because neighbor failed",
		"     gateway-silent: the gateway ignores probes", "       evidence: neighbor 198.18.3.1 lladdr"} {
		if !strings.Contains(joined, want) {
			t.Errorf("verbose lacks %q:\n%s", want, joined)
		}
	}
	for _, l := range v {
		if len([]rune(l)) > DefaultWidth && !strings.HasPrefix(l, "FAIL gateway") && !strings.HasPrefix(l, "  → ") {
			t.Errorf("verbose line of %d columns: %q", len([]rune(l)), l)
		}
	}
	// Verbose on a healthy run lists the checks too.
	if h := strs(Lines(healthy(), Options{Verbose: true})); len(h) != 3 {
		t.Errorf("verbose healthy: %q", h)
	}
}

// A check detail or summary carrying terminal controls (a hostile DNS
// name, an interface name) is printed escaped, on one line.
func TestSanitize(t *testing.T) {
	r := broken()
	r.Findings[2].Summary = "bad \x1b[31mred\x1b[0m\nsecond line \u202e"
	for _, l := range strs(Lines(r, Options{Verbose: true})) {
		if strings.ContainsAny(l, "\x1b\n\u202e") {
			t.Fatalf("unescaped control in %q", l)
		}
	}
	if got := Sanitize("a\x1b[1mb\nc\u200bd\xffe"); got != `a\x1b[1mb\nc\u200bd\ufffde` {
		t.Fatalf("Sanitize = %q", got)
	}
	if got := Sanitize("plain — ünïcode"); got != "plain — ünïcode" {
		t.Fatalf("printable text changed: %q", got)
	}
}

func TestRepairLinesWrap(t *testing.T) {
	r := broken()
	r.Verdict = diagnose.Repaired
	r.Repairs = []checks.Repair{{Action: netstate.RungDeleteNeighbor, Target: "eth0 198.18.3.1", Outcome: checks.OutcomeFailed, Detail: strings.Repeat("word ", 30)}}
	got := Lines(r, Options{})
	var repair []Line
	for _, l := range got {
		if strings.Contains(l.Text, "repair") || strings.HasPrefix(l.Text, "  word") {
			repair = append(repair, l)
		}
	}
	if len(repair) < 2 || repair[0].Level != Warn || repair[1].Level != Note {
		t.Fatalf("wrapped repair: %q", strs(repair))
	}
	for _, l := range repair {
		if len([]rune(l.String())) > DefaultWidth {
			t.Errorf("%q is wider than %d", l, DefaultWidth)
		}
	}
	if strings.Contains(strings.Join(strs(got), "\n"), "  → ") {
		t.Error("a repaired run printed manual steps")
	}
}

// The verdict line is shortened at a word, never inside one; -v shows a
// check's detail and a finding's evidence whole, wrapped.
func TestShortenAtWordsVerboseWhole(t *testing.T) {
	if got := truncate("there is no default route: nothing outside the local networks is reachable", 40); got != "there is no default route: nothing…" {
		t.Errorf("truncate = %q", got)
	}
	if got := truncate("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 20); got != "aaaaaaaaaaaaaaaaaaa…" {
		t.Errorf("truncate of one long word = %q", got)
	}
	long := "www.lab.test: connection refused (203.0.113.53 connection refused, 203.0.113.54 connection refused, 203.0.113.55 connection refused)"
	r := &checks.Report{Verdict: diagnose.Unhealthy, Summary: "x",
		Checks:   []diagnose.CheckResult{{ID: "dns", Status: diagnose.StatusFail, Detail: long}},
		Findings: []diagnose.Finding{{ID: "dns-failed", Severity: diagnose.SevError, Summary: "x", Evidence: []string{long}}}}
	var text strings.Builder
	for _, l := range Lines(r, Options{Verbose: true, Width: 80}) {
		text.WriteString(l.String() + "\n")
	}
	if got := strings.Join(strings.Fields(text.String()), " "); strings.Count(got, "203.0.113.55 connection refused)") != 2 || strings.Contains(got, "…") {
		t.Errorf("-v cut the detail:\n%s", text.String())
	}
}

// A step that is a comment is shown as an explanation, without the arrow.
func TestNoteStep(t *testing.T) {
	if got := StepLine("# check the cable").String(); got != "    # check the cable" {
		t.Errorf("note = %q", got)
	}
	if got := StepLine("ip link").String(); got != "  → ip link" {
		t.Errorf("step = %q", got)
	}
}
