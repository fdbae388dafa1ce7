package diagnose

import (
	"time"

	"github.com/netguard/netguard/checks/netstate"
)

// clockLocalCases are the cases of TestDiagnoseLocal whose first finding is the clock check's.
var clockLocalCases = []localCase{
	{
		name:   "clock unsynchronised: info only (CI boxes without a time daemon)",
		mutate: func(s *netstate.State) { s.Clock.Synced, s.Clock.MaxError = netstate.TriNo, 16*time.Second },
		want:   []string{"clock-unsynchronized"}, verdict: Healthy, check: "clock", status: StatusPass,
	},
	{
		name:   "clock before the binary's commit: behind",
		mutate: func(s *netstate.State) { s.Clock.Now = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC) },
		want:   []string{"clock-wrong"}, verdict: Degraded, culprit: "2025-01-01", check: "clock", status: StatusWarn,
	},
}
