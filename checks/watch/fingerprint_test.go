package watch

import (
	"slices"
	"testing"

	"github.com/netguard/netguard/checks"
	"github.com/netguard/netguard/checks/diagnose"
)

func report(v diagnose.Verdict, ids ...string) *checks.Report {
	r := &checks.Report{Verdict: v}
	for _, id := range ids {
		r.Findings = append(r.Findings, diagnose.Finding{ID: id, Severity: diagnose.SevError, Summary: "s " + id})
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
		{"same healthy", report(diagnose.Healthy), report(diagnose.Healthy), false, nil, nil},
		{"same findings, other order and summaries", report(diagnose.Unhealthy, "b", "a"), report(diagnose.Unhealthy, "a", "b", "a"), false, nil, nil},
		{"verdict changes", report(diagnose.Healthy), report(diagnose.Unhealthy, "a"), true, []string{"a"}, nil},
		{"finding clears, verdict stays", report(diagnose.Unhealthy, "a", "b"), report(diagnose.Unhealthy, "b"), true, nil, []string{"a"}},
		{"finding replaced", report(diagnose.Degraded, "a"), report(diagnose.Degraded, "c"), true, []string{"c"}, []string{"a"}},
		{"repaired then healthy", report(diagnose.Repaired), report(diagnose.Healthy), true, nil, nil},
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
	if !(Fingerprint{}).IsZero() || FingerprintOf(report(diagnose.Healthy)).IsZero() {
		t.Error("IsZero")
	}
}
