package config

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netguard/netguard/checks/checkstest/wine"
)

// TestHermetic runs every other test of this package again in a process
// whose environment points at a hostile user config and project file (and
// sets hostile NETGUARD_* variables). They must all still pass: no test
// reads the developer's home or environment.
func TestHermetic(t *testing.T) {
	bin, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := wine.TempDir(t)
	hostile := "gateway: 192.0.2.1\nsudo: prompt\ndns: hostile.test\ntimeout: 7s\nexternal: [192.0.2.2]\n"
	cfg := filepath.Join(dir, "cfg")
	for _, p := range []string{
		filepath.Join(cfg, "netguard", UserFile),                                   // XDG_CONFIG_HOME, APPDATA
		filepath.Join(dir, ".config", "netguard", UserFile),                        // HOME/.config
		filepath.Join(dir, "Library", "Application Support", "netguard", UserFile), // macOS
		filepath.Join(dir, FileName),                                               // the working directory's
	} {
		writeFile(t, p, hostile)
	}
	cmd := exec.Command(bin, "-test.run=.", "-test.skip=^TestHermetic$", "-test.count=1")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"XDG_CONFIG_HOME="+cfg, "HOME="+dir, "APPDATA="+cfg, "USERPROFILE="+dir,
		"NETGUARD_GATEWAY=192.0.2.1", "NETGUARD_SUDO=prompt", "NETGUARD_DNS=hostile.test",
		"NETGUARD_TIMEOUT=7s", "NETGUARD_EXTERNAL=192.0.2.2", "NETGUARD_CONFIG="+filepath.Join(dir, FileName))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("tests under a hostile environment: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "PASS") {
		t.Fatalf("no PASS from the tests under a hostile environment:\n%s", out)
	}
}
