package watch

import (
	"slices"

	"github.com/netguard/netguard/checks"
	"github.com/netguard/netguard/checks/diagnose"
)

// Fingerprint is what one run is compared on: the verdict and the set of
// finding IDs. Evidence, summaries and durations vary from run to run and
// are not part of it, so a steady problem is logged once, not every
// interval. It is not the network's state (netstate.State), only the
// comparable outline of a report.
type Fingerprint struct {
	Verdict  diagnose.Verdict
	Findings []string // sorted, unique
}

// FingerprintOf extracts the Fingerprint of a report. Info findings count
// too: a VPN taking over the default route is worth a line in the log.
func FingerprintOf(r *checks.Report) Fingerprint {
	s := Fingerprint{Verdict: r.Verdict}
	for _, f := range r.Findings {
		s.Findings = append(s.Findings, f.ID)
	}
	slices.Sort(s.Findings)
	s.Findings = slices.Compact(s.Findings)
	return s
}

// IsZero reports whether s is the fingerprint before the first run.
func (s Fingerprint) IsZero() bool { return s.Verdict == "" && len(s.Findings) == 0 }

// Equal reports whether two fingerprints are the same.
func (s Fingerprint) Equal(o Fingerprint) bool {
	return s.Verdict == o.Verdict && slices.Equal(s.Findings, o.Findings)
}

// Diff returns the finding IDs in s and not in prev (added), and those in
// prev and not in s (cleared).
func (s Fingerprint) Diff(prev Fingerprint) (added, cleared []string) {
	for _, id := range s.Findings {
		if !slices.Contains(prev.Findings, id) {
			added = append(added, id)
		}
	}
	for _, id := range prev.Findings {
		if !slices.Contains(s.Findings, id) {
			cleared = append(cleared, id)
		}
	}
	return added, cleared
}
