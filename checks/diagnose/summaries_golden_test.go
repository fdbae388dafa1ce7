package diagnose

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// updateSummaries rewrites testdata/summaries.golden from this run.
var updateSummaries = flag.Bool("update-summaries", false, "rewrite testdata/summaries.golden")

// summaryLog collects, for every diagnosis table case, the findings in
// report order with their summaries, so that moving the diagnosis code
// cannot change what a user reads without the golden file saying so.
var summaryLog struct {
	sync.Mutex
	cases map[string][]string
}

// logSummaries records d's findings under the running test's name.
func logSummaries(t *testing.T, d Diagnosis) {
	t.Helper()
	lines := make([]string, 0, len(d.Findings))
	for _, f := range d.Findings {
		lines = append(lines, fmt.Sprintf("  %s %s: %s", f.ID, f.Severity, f.Summary))
	}
	summaryLog.Lock()
	defer summaryLog.Unlock()
	if summaryLog.cases == nil {
		summaryLog.cases = map[string][]string{}
	}
	summaryLog.cases[t.Name()] = lines
}

const summariesGolden = "testdata/summaries.golden"

// TestMain compares the summaries of every case that ran with the golden
// file (a case filtered out by -run is not compared), or rewrites it.
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		if err := checkSummaries(); err != nil {
			fmt.Fprintln(os.Stderr, "FAIL summaries:", err)
			code = 1
		}
	}
	os.Exit(code)
}

func checkSummaries() error {
	summaryLog.Lock()
	defer summaryLog.Unlock()
	if *updateSummaries {
		return os.WriteFile(filepath.FromSlash(summariesGolden), []byte(renderSummaries(summaryLog.cases)), 0o644)
	}
	if len(summaryLog.cases) == 0 {
		return nil
	}
	b, err := os.ReadFile(filepath.FromSlash(summariesGolden))
	if err != nil {
		return fmt.Errorf("%w (run go test ./checks/diagnose -update-summaries)", err)
	}
	golden := parseSummaries(string(b))
	var diffs []string
	for name, got := range summaryLog.cases {
		want, ok := golden[name]
		if !ok {
			diffs = append(diffs, name+": not in "+summariesGolden)
			continue
		}
		if !slices.Equal(got, want) {
			diffs = append(diffs, fmt.Sprintf("%s:\n got\n%s\n want\n%s", name, strings.Join(got, "\n"), strings.Join(want, "\n")))
		}
	}
	if len(diffs) > 0 {
		slices.Sort(diffs)
		return fmt.Errorf("%d cases differ from %s (if deliberate, rerun with -update-summaries and say why in the commit):\n%s",
			len(diffs), summariesGolden, strings.Join(diffs, "\n"))
	}
	return nil
}

// renderSummaries writes one block per case: its name, then its
// findings indented, in report order.
func renderSummaries(cases map[string][]string) string {
	names := make([]string, 0, len(cases))
	for n := range cases {
		names = append(names, n)
	}
	slices.Sort(names)
	var b strings.Builder
	for _, n := range names {
		b.WriteString(n + "\n")
		for _, l := range cases[n] {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

func parseSummaries(s string) map[string][]string {
	out := map[string][]string{}
	var cur string
	for _, l := range strings.Split(s, "\n") {
		switch {
		case l == "":
		case strings.HasPrefix(l, "  "):
			out[cur] = append(out[cur], l)
		default:
			cur = l
			out[cur] = []string{}
		}
	}
	return out
}
