//go:build !windows

package diagnose

import (
	"os/exec"
	"slices"
	"testing"
)

// QuotePOSIX's words reach a real sh as the value, byte for byte, and run
// nothing.
func TestQuotePOSIXWithSh(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Fatalf("sh: %v", err)
	}
	for _, v := range append(slices.Clone(hostileValues), "", "eth0", "fe80::1%en0", "~root", "*", "a b", "{x,y}", "$HOME", "'", "\\") {
		out, err := exec.Command(sh, "-c", "printf %s "+QuotePOSIX(v)).CombinedOutput()
		if err != nil || string(out) != v {
			t.Errorf("sh got %q (%v) for %q quoted as %s", out, err, v, QuotePOSIX(v))
		}
	}
}
