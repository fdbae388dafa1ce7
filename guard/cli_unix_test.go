//go:build !windows

package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/netguard/netguard/checks"
	"github.com/netguard/netguard/checks/checkstest"
)

// With a guard binary sudo must not run (owned by the user, as `go
// install` leaves it), no step offers the helper, which would refuse: the
// steps are the plain OS commands, and the last says how to install a
// root-owned copy.
func TestNoHelperStepWithoutRootOwnedBinary(t *testing.T) {
	for _, mode := range []string{"never", "auto"} {
		lab := checkstest.NewLab(false)
		lab.BreakGatewayMAC(false)
		sys, out, errOut := testIO(t, lab, map[string]string{"NETGUARD_SUDO": mode})
		sys.Executable = func() (string, error) { return "/home/dev/go/bin/guard", nil }
		sys.SafeExe = func(p string) error { return fmt.Errorf("%q is owned by uid 1000: not safe to run as root", p) }
		if code := run([]string{"fix", "--json"}, sys); code != exitUnhealthy {
			t.Fatalf("%s: exit %d (%s)", mode, code, errOut)
		}
		var r checks.Report
		if err := json.Unmarshal(out.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		if slices.ContainsFunc(r.ManualSteps, func(s string) bool { return strings.Contains(s, "guard repair") }) {
			t.Errorf("%s: a helper step guard would refuse: %q", mode, r.ManualSteps)
		}
		if n := len(r.ManualSteps); n < 2 || r.ManualSteps[0] != "sudo ip neigh del 198.18.3.1 dev eth0" ||
			!strings.Contains(r.ManualSteps[n-1], "sudo install -o root -m 0755 /home/dev/go/bin/guard /usr/local/libexec/netguard/guard") {
			t.Errorf("%s: steps %q, want the plain command first and the install line last", mode, r.ManualSteps)
		}
		if len(lab.Sys.Calls) != 0 {
			t.Fatalf("changed the system without privilege: %v", lab.Sys.Calls)
		}
	}
}
