package guardmage

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/magefile/mage/mg"
	"github.com/netguard/netguard/checks"
	"github.com/netguard/netguard/checks/checkstest"
	"github.com/netguard/netguard/checks/checkstest/wine"
)

// fake points the package at the fake lab of checkstest (no network) and
// an environment holding the lab's targets, never the public defaults.
// The real engine under the real mage runs in guard/lab_examples_test.go.
func fake(t *testing.T, env map[string]string) (*checkstest.Lab, *bytes.Buffer) {
	t.Helper()
	fl := checkstest.NewLab(true)
	full := map[string]string{
		"NETGUARD_EXTERNAL":   checkstest.Ext.String(),
		"NETGUARD_DNS":        "www.lab.test",
		"NETGUARD_TIMEOUT":    "2s", // room to verify a repair on a loaded runner
		"NETGUARD_PROBE_WAIT": "100ms",
		"XDG_CONFIG_HOME":     wine.TempDir(t),
	}
	for k, v := range env {
		full[k] = v
	}
	var buf bytes.Buffer
	oldEnv, oldErr, oldEng := getenv, stderr, newEngine
	getenv = func(k string) string { return full[k] }
	stderr = &buf
	newEngine = func() *checks.Engine { return fl.Engine }
	t.Cleanup(func() { getenv, stderr, newEngine = oldEnv, oldErr, oldEng })
	t.Chdir(wine.TempDir(t)) // no .netguard.yaml above
	return fl, &buf
}

func TestCheckHealthy(t *testing.T) {
	_, out := fake(t, nil)
	if err := (Guard{}).Check(context.Background()); err != nil {
		t.Fatalf("healthy: %v", err)
	}
	if got := out.String(); !strings.HasPrefix(got, "netguard: healthy (") || strings.Count(got, "\n") != 1 {
		t.Errorf("healthy summary = %q, want one verdict line", got)
	}
}

func TestCheckUnhealthy(t *testing.T) {
	fl, out := fake(t, nil)
	fl.BreakGatewayMAC(false)
	err := (Guard{}).Check(context.Background())
	if err == nil {
		t.Fatal("unhealthy network passed")
	}
	if mg.ExitStatus(err) != 1 {
		t.Errorf("exit status %d, want 1", mg.ExitStatus(err))
	}
	if !strings.Contains(err.Error(), "network unhealthy") || !strings.Contains(err.Error(), "NETGUARD_SKIP=1") {
		t.Errorf("error lacks the verdict or the skip hint:\n%v", err)
	}
	// The formatter's lines: findings first, the steps, the verdict last;
	// the step that names the repair names the mage target, since no
	// guard binary need be installed.
	got := out.String()
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	if !strings.HasPrefix(lines[0], "FAIL gateway-neighbor-") || !strings.HasPrefix(lines[len(lines)-1], "netguard: unhealthy — ") {
		t.Errorf("summary order:\n%s", got)
	}
	if !strings.Contains(got, "  → mage guard:fix  # tries the safe repairs") || strings.Contains(got, "guard fix") || strings.Contains(got, "guard explain") {
		t.Errorf("steps name a guard binary under mage:\n%s", got)
	}
	if calls := fl.Sys.Calls; len(calls) != 0 {
		t.Errorf("Check changed the system: %v", calls)
	}
	// Through mage's own dependency runner, as a project's Start uses it.
	defer func() {
		r := recover()
		if r == nil {
			t.Fatal("mg.CtxDeps did not fail")
		}
		if err, ok := r.(error); !ok || mg.ExitStatus(err) != 1 {
			t.Errorf("mg.CtxDeps failed with %v, want exit status 1", r)
		}
	}()
	mg.CtxDeps(context.Background(), Guard.Check)
}

func TestFixRepairs(t *testing.T) {
	fl, out := fake(t, nil)
	fl.BreakGatewayMAC(false)
	if err := (Guard{}).Fix(context.Background()); err != nil {
		t.Fatalf("fix: %v\n%s", err, out)
	}
	if got := out.String(); !strings.Contains(got, "repair ") || !strings.Contains(got, "netguard: repaired") {
		t.Errorf("fix summary:\n%s", got)
	}
}

// As a normal user, the fix target says why nothing was repaired and how
// to run it as root, in words for a fix target, not a start.
func TestFixNotRoot(t *testing.T) {
	fl, out := fake(t, nil)
	fl.Engine.Privileged = false
	fl.BreakGatewayMAC(false)
	err := (Guard{}).Fix(context.Background())
	if mg.ExitStatus(err) != 1 {
		t.Fatalf("fix as a user: %v (status %d), want exit 1", err, mg.ExitStatus(err))
	}
	if msg := err.Error(); !strings.Contains(msg, "need root") || strings.Contains(msg, "not starting") {
		t.Errorf("error %q: want why nothing was repaired, not 'not starting'", msg)
	}
	got := out.String()
	if !strings.Contains(got, "not permitted (needs root)") {
		t.Errorf("the repair line does not say why:\n%s", got)
	}
	if !strings.Contains(got, `→ sudo env "PATH=$PATH" mage guard:fix  # the repairs need root`) || !strings.Contains(got, "→ sudo ip neigh del 198.18.3.1 dev eth0") {
		t.Errorf("no step that runs the target as root, or no plain command:\n%s", got)
	}
	if len(fl.Sys.Calls) != 0 {
		t.Errorf("changed the system without root: %v", fl.Sys.Calls)
	}
}

func TestSkipAndBadSettings(t *testing.T) {
	fl, out := fake(t, map[string]string{"NETGUARD_SKIP": "1"})
	fl.BreakGatewayMAC(false)
	if err := Require(context.Background()); err != nil {
		t.Fatalf("skip: %v", err)
	}
	if out.String() != "netguard: skipped (NETGUARD_SKIP is set)\n" {
		t.Errorf("skip printed %q", out)
	}

	_, _ = fake(t, map[string]string{"NETGUARD_TIMEOUT": "soon"})
	err := Require(context.Background())
	if mg.ExitStatus(err) != 2 || !strings.Contains(err.Error(), "NETGUARD_TIMEOUT") {
		t.Errorf("bad NETGUARD_TIMEOUT: %v (status %d), want exit 2 naming the variable", err, mg.ExitStatus(err))
	}
}
