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
	// produced are the finding IDs the table cases that ran produced.
	produced map[string]bool
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
	if summaryLog.produced == nil {
		summaryLog.produced = map[string]bool{}
	}
	for _, f := range d.Findings {
		summaryLog.produced[f.ID] = true
	}
}

const summariesGolden = "testdata/summaries.golden"

// TestMain compares the summaries of every case that ran with the golden
// file (a case filtered out by -run is not compared), or rewrites it, and
// on a full run checks that the table cases produced every finding of the
// catalog.
func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if code == 0 {
		if err := checkSummaries(); err != nil {
			fmt.Fprintln(os.Stderr, "FAIL summaries:", err)
			code = 1
		}
	}
	if code == 0 && !filtered() {
		if err := checkCoverage(); err != nil {
			fmt.Fprintln(os.Stderr, "FAIL coverage:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// filtered reports whether -run or -skip left tests out, so that not
// every finding could have been produced.
func filtered() bool {
	for _, name := range []string{"test.run", "test.skip"} {
		if f := flag.Lookup(name); f != nil && f.Value.String() != "" {
			return true
		}
	}
	return false
}

// checkCoverage: every finding of the catalog was produced by a table
// case that ran, so none is declared without a diagnosis that reaches it.
func checkCoverage() error {
	summaryLog.Lock()
	defer summaryLog.Unlock()
	var missing []string
	for _, d := range Catalog() {
		if !summaryLog.produced[d.ID] {
			missing = append(missing, d.ID)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("no diagnosis table case produces %s", strings.Join(missing, ", "))
	}
	return nil
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
