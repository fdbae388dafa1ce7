package diagnose

import (
	"strings"
	"testing"

	"github.com/netguard/netguard/checks/netstate"
)

// TestResourcesPortsUnknown: ephemeral-port counts the OS layer could not
// trust (a pcblist_n far shorter than its xig_count) make the resources
// check unknown with the reason, never "0 in use" and a pass.
func TestResourcesPortsUnknown(t *testing.T) {
	for _, tc := range []struct {
		name       string
		unknown    string
		files      int
		wantStatus Status
		wantIn     string
	}{
		{"trusted counts", "", 1000, StatusPass, "TCP 0, UDP 0 in use"},
		{"short list", "TCP sockets: pcblist holds 0 of the 37 sockets", 1000, StatusUnknown, "ephemeral ports: unknown (TCP sockets: pcblist holds 0 of the 37 sockets)"},
		{"short list, files exhausted", "TCP sockets: short", 99_000, StatusFail, "ephemeral ports: unknown"},
	} {
		s := healthyState("darwin")
		s.Sockets = netstate.SocketStats{EphemeralLow: 49152, EphemeralHigh: 65535, OpenFilesLimit: 65536,
			SystemFiles: tc.files, SystemFilesMax: 100_000, PortsUnknown: tc.unknown}
		d := Diagnose(s)
		var got CheckResult
		for _, c := range d.Checks {
			if c.ID == "resources" {
				got = c
			}
		}
		if got.Status != tc.wantStatus || !strings.Contains(got.Detail, tc.wantIn) {
			t.Errorf("%s: resources %s %q, want %s containing %q", tc.name, got.Status, got.Detail, tc.wantStatus, tc.wantIn)
		}
		for _, f := range d.Findings {
			if tc.unknown != "" && (f.ID == PortsExhausted.ID || f.ID == PortsHigh.ID) {
				t.Errorf("%s: %s from counts that cannot be trusted", tc.name, f.ID)
			}
		}
	}
}
