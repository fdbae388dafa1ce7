package diagnose

import (
	"fmt"
	"net/netip"
	"strings"
	"syscall"
	"testing"

	"github.com/netguard/netguard/checks/netstate"
)

// Ports read from the project's files say where they came from in the
// ports check's detail, with the notes on what was not checked; one a
// container publisher holds is a warning, since the project's own
// containers may be running.
func TestPortsFromProject(t *testing.T) {
	inUse := func(port uint16, from, holder string) netstate.PortResult {
		return netstate.PortResult{Spec: netstate.PortSpec{Port: port, From: from}, Addr: netip.IPv4Unspecified(),
			Err: fmt.Errorf("bind 0.0.0.0:%d: %w", port, syscall.EADDRINUSE), InUse: true, Owner: netstate.PortOwner{PID: 4242, Name: holder}}
	}
	notes := []string{"compose.yaml:web: ${DB_PORT} has no value here, port not checked"}
	for _, tt := range []struct {
		name    string
		ports   []netstate.PortResult
		notes   []string
		want    []string
		verdict Verdict
		status  Status
		detail  []string
	}{
		{name: "free, with its source", ports: []netstate.PortResult{{Spec: netstate.PortSpec{Port: 8080, From: "compose.yaml:web"}, Free: true}}, notes: notes,
			verdict: Healthy, status: StatusPass, detail: []string{"8080 (compose.yaml:web) free", notes[0]}},
		{name: "taken by a process", ports: []netstate.PortResult{inUse(8080, "compose.yaml:web", "python3")},
			want: []string{"port-in-use"}, verdict: Unhealthy, status: StatusFail, detail: []string{"8080 (compose.yaml:web): in use by python3 (pid 4242)"}},
		{name: "taken by a container's proxy", ports: []netstate.PortResult{inUse(8080, "compose.yaml:web", "docker-proxy")},
			want: []string{"port-in-use"}, verdict: Degraded, status: StatusWarn, detail: []string{"in use by docker-proxy"}},
		{name: "docker-proxy on a port the user named", ports: []netstate.PortResult{inUse(8080, "", "docker-proxy")},
			want: []string{"port-in-use"}, verdict: Unhealthy, status: StatusFail},
		{name: "Docker Desktop on Windows", ports: []netstate.PortResult{inUse(8080, ".devcontainer.json:appPort", "com.docker.backend.exe")},
			want: []string{"port-in-use"}, verdict: Degraded, status: StatusWarn},
		{name: "Docker Desktop on macOS, its name cut to p_comm's 16 bytes", ports: []netstate.PortResult{inUse(8080, "compose.yaml:web", "com.docker.backe")},
			want: []string{"port-in-use"}, verdict: Degraded, status: StatusWarn},
		{name: "a short name is no prefix", ports: []netstate.PortResult{inUse(8080, "compose.yaml:web", "docker")},
			want: []string{"port-in-use"}, verdict: Unhealthy, status: StatusFail},
		{name: "holder hidden, a project's port", ports: []netstate.PortResult{{Spec: netstate.PortSpec{Port: 8080, From: "compose.yaml:web"}, Err: syscall.EADDRINUSE, InUse: true, OwnerErr: fmt.Errorf("not readable by this user")}},
			want: []string{"port-in-use"}, verdict: Degraded, status: StatusWarn, detail: []string{"8080 (compose.yaml:web): in use by another process"}},
		{name: "holder hidden, a port the user named", ports: []netstate.PortResult{{Spec: netstate.PortSpec{Port: 8080}, Err: syscall.EADDRINUSE, InUse: true, OwnerErr: fmt.Errorf("not readable by this user")}},
			want: []string{"port-in-use"}, verdict: Unhealthy, status: StatusFail},
		{name: "nothing to check, notes only", notes: notes, verdict: Healthy, status: StatusSkip, detail: []string{"no ports configured", notes[0]}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := localHealthy("linux")
			s.Ports, s.PortNotes = tt.ports, tt.notes
			d, _ := diagnoseWant(t, s, "linux", tt.want, tt.verdict)
			for _, c := range d.Checks {
				if c.ID != "ports" {
					continue
				}
				if c.Status != tt.status {
					t.Errorf("ports %s, want %s (%s)", c.Status, tt.status, c.Detail)
				}
				for _, w := range tt.detail {
					if !strings.Contains(c.Detail, w) {
						t.Errorf("detail %q lacks %q", c.Detail, w)
					}
				}
			}
		})
	}
}
