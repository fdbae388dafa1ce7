package firewall

import (
	"context"
	"errors"
	"testing"

	"github.com/netguard/netguard/checks/checkstest/wine"
	"golang.org/x/sys/windows"
)

// TestWFPLive reads the real WFP filters; it runs only on Windows and
// changes nothing.
func TestWFPLive(t *testing.T) {
	wine.SkipIfGap(t, wine.GapWFP)
	elevated := windows.GetCurrentProcessToken().IsElevated()
	chains, err := wfpFilters(context.Background(), elevated)
	switch {
	case !elevated && !errors.Is(err, errWFPNeedsElevation):
		t.Errorf("wfpFilters without elevation = %v, want %v", err, errWFPNeedsElevation)
	case elevated && err != nil:
		t.Errorf("wfpFilters as administrator: %v", err)
	}
	for _, c := range chains {
		t.Logf("WFP chain %s: %d rule(s)", c.Name, len(c.Rules))
	}
}
