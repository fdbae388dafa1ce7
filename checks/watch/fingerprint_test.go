package watch

import (
	"slices"
	"testing"

	"github.com/netguard/netguard/checks"
)

func report(v checks.Verdict, ids ...string) *checks.Report {
	r := &checks.Report{Verdict: v}
	for _, id := range ids {
		r.Findings = append(r.Findings, checks.Finding{ID: id, Severity: checks.SevError, Summary: "s " + id})
	}
	return r
}

func TestFingerprintChange(t *testing.T) {
	tests := []struct {
		name          string
		prev, cur     *checks.Report
		changed       bool
		added, clears []string
	}{
		{"same healthy", report(checks.Healthy), report(checks.Healthy), false, nil, nil},
		{"same findings, other order and summaries", report(checks.Unhealthy, "b", "a"), report(checks.Unhealthy, "a", "b", "a"), false, nil, nil},
		{"verdict changes", report(checks.Healthy), report(checks.Unhealthy, "a"), true, []string{"a"}, nil},
		{"finding clears, verdict stays", report(checks.Unhealthy, "a", "b"), report(checks.Unhealthy, "b"), true, nil, []string{"a"}},
		{"finding replaced", report(checks.Degraded, "a"), report(checks.Degraded, "c"), true, []string{"c"}, []string{"a"}},
		{"repaired then healthy", report(checks.Repaired), report(checks.Healthy), true, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, c := FingerprintOf(tt.prev), FingerprintOf(tt.cur)
			if got := !c.Equal(p); got != tt.changed {
				t.Errorf("changed = %v, want %v (%+v -> %+v)", got, tt.changed, p, c)
			}
			a, cl := c.Diff(p)
			if !slices.Equal(a, tt.added) || !slices.Equal(cl, tt.clears) {
				t.Errorf("diff = +%v -%v, want +%v -%v", a, cl, tt.added, tt.clears)
			}
		})
	}
	if !(Fingerprint{}).IsZero() || FingerprintOf(report(checks.Healthy)).IsZero() {
		t.Error("IsZero")
	}
}
