//go:build linux

package lab

import (
	"os"
	"path/filepath"
	"testing"
)

// SeedScriptEnv names a variable that overrides where SeedScript looks.
const SeedScriptEnv = "NETGUARD_SEED_SCRIPT"

// SeedScript returns the path of the baseline shell script
// (shared/baseline/seed-check.sh: the seed's checks translated to Linux),
// which benchmarks and tests run in the client namespace next to guard:
//
//	l.Run(t, l.Client, "bash", lab.SeedScript(t), "check")
//
// Its defaults (GW_IP 198.18.3.1, EXT_IP 203.0.113.5) are the lab's
// addresses. It needs bash, ping, traceroute, arp (net-tools) and lsof. The
// script is found through $NETGUARD_SEED_SCRIPT, else in a shared/ folder
// in the working directory or any folder above it (CI lays shared/ beside
// the clone). A missing script fails t.
func SeedScript(t testing.TB) string {
	t.Helper()
	if p := os.Getenv(SeedScriptEnv); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("lab: $%s: %v", SeedScriptEnv, err)
		}
		return p
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("lab: %v", err)
	}
	for {
		p := filepath.Join(dir, "shared", "baseline", "seed-check.sh")
		if _, err := os.Stat(p); err == nil {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	t.Fatalf("lab: shared/baseline/seed-check.sh not found above the working directory; set $%s", SeedScriptEnv)
	return ""
}
