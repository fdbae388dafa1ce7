package diagnose

import (
	"net/netip"
	"strings"
	"syscall"
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

// resourcesCases are the cases of TestDiagnose whose first finding is the resources check's.
var resourcesCases = []diagCase{
	{name: "27000 ports toward one endpoint: a warning, no connect failed", mutate: func(s *netstate.State) {
		s.Sockets.TCPEphemeralInUse, s.Sockets.TCPBusiestPeer = 27000, netip.MustParseAddrPort("127.0.0.1:8080")
	}, want: []string{"ports-high"}, verdict: Degraded, manual: "ss -s"},
	{name: "ports high", mutate: func(s *netstate.State) { s.Sockets.UDPEphemeralInUse = 21000 }, want: []string{"ports-high"}, verdict: Degraded},
	{name: "EADDRNOTAVAIL on connect means exhausted", mutate: func(s *netstate.State) {
		s.V4.External = append(s.V4.External, netstate.TargetResult{Addr: ext2, Role: "external", ICMP: answered(netstate.ProbeICMP, ext2), TCP: failed(netstate.ProbeTCP, ext2, syscall.EADDRNOTAVAIL)})
	}, want: []string{"ports-exhausted"}, verdict: Unhealthy},
	{name: "file handles exhausted", mutate: func(s *netstate.State) { s.Sockets.SystemFiles = 99000 }, want: []string{"files-exhausted"}, verdict: Unhealthy},
	{name: "macOS default open-file limit", oses: []string{"darwin"}, mutate: func(s *netstate.State) { s.Sockets.OpenFilesLimit = 256 }, want: []string{"files-limit-low"}, verdict: Healthy},
}

// resourcesLocalCases are the cases of TestDiagnoseLocal whose first finding is the resources check's.
var resourcesLocalCases = []localCase{
	{
		name: "ephemeral range of two ports",
		mutate: func(s *netstate.State) {
			s.Sockets.EphemeralLow, s.Sockets.EphemeralHigh = 40000, 40001
			s.Sockets.TCPEphemeralInUse, s.Sockets.UDPEphemeralInUse = 0, 0
		},
		want: []string{"ports-range-small"}, verdict: Unhealthy, culprit: "40000-40001", check: "resources", status: StatusFail,
	},
	{
		name: "many ports toward one endpoint: the steps name the holder",
		mutate: func(s *netstate.State) {
			s.Sockets.TCPEphemeralInUse, s.Sockets.TCPBusiestPeer = 27000, netip.MustParseAddrPort("10.0.0.7:5432")
			s.Sockets.TopProcess, s.Sockets.TopProcessPID, s.Sockets.TopProcessSockets = "node", 4242, 26000
		},
		want: []string{"ports-high"}, verdict: Degraded, culprit: "27000 toward 10.0.0.7:5432", check: "resources", status: StatusWarn,
		steps: "node (pid 4242, 26000 sockets)",
	},
	{
		name:   "ephemeral range of 500 ports: a warning",
		mutate: func(s *netstate.State) { s.Sockets.EphemeralLow, s.Sockets.EphemeralHigh = 60000, 60499 },
		want:   []string{"ports-range-small"}, verdict: Degraded, culprit: "60000-60499", check: "resources", status: StatusWarn,
	},
}
