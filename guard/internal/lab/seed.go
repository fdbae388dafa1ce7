//go:build linux

package lab

import (
	_ "embed"
	"os"
	"path/filepath"
	"testing"
)

// SeedScriptEnv names a variable that overrides the script SeedScript
// returns, to compare guard with another baseline.
const SeedScriptEnv = "NETGUARD_SEED_SCRIPT"

// seedScript is the baseline netguard replaces: the seed incident's own
// check and reset, translated to Linux (testdata/seed-check.sh says from
// where and how). It is embedded so that a test needs nothing outside the
// repository, whatever directory it runs in.
//
//go:embed testdata/seed-check.sh
var seedScript []byte

// SeedScript returns the path of the baseline shell script, which
// benchmarks and tests run in the client namespace next to guard:
//
//	l.Run(t, l.Client, "bash", lab.SeedScript(t), "check")
//
// Its defaults (GW_IP 198.18.3.1, EXT_IP 203.0.113.5) are the lab's
// addresses. It needs bash, ping, traceroute, arp (net-tools) and lsof.
// The file is written into the test's temporary directory, or taken from
// $NETGUARD_SEED_SCRIPT when that is set.
func SeedScript(t testing.TB) string {
	t.Helper()
	if p := os.Getenv(SeedScriptEnv); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("lab: $%s: %v", SeedScriptEnv, err)
		}
		return p
	}
	p := filepath.Join(t.TempDir(), "seed-check.sh")
	if err := os.WriteFile(p, seedScript, 0o755); err != nil {
		t.Fatalf("lab: seed script: %v", err)
	}
	return p
}
