//go:build unix

package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Port files are read under a project config's rules: a link or a file
// of another user is not read, and says so in the notes only.
func TestDiscoverSkipsUntrustedFiles(t *testing.T) {
	te := newTestEnv(t)
	real := filepath.Join(te.home, "elsewhere.yaml")
	writeFile(t, real, "services:\n  web:\n    ports: [\"8080:80\"]\n")
	must(t, os.Symlink(real, filepath.Join(te.repo, "compose.yaml")))
	o := te.load(t)
	if len(o.Ports) != 0 || len(o.PortNotes) != 1 || !strings.Contains(o.PortNotes[0], "compose.yaml not read: is a symbolic link") {
		t.Errorf("ports %q notes %q", specs(o.Ports), o.PortNotes)
	}
	te.wantWarnings(t)
	big := fmt.Sprintf("services:\n  web:\n    ports: [\"8080:80\"]\n%s", strings.Repeat("# padding\n", 7000))
	must(t, os.Remove(filepath.Join(te.repo, "compose.yaml")))
	writeFile(t, filepath.Join(te.repo, "compose.yaml"), big)
	if o := te.load(t); len(o.Ports) != 0 || len(o.PortNotes) != 1 || !strings.Contains(o.PortNotes[0], "larger than 64 KiB") {
		t.Errorf("a large file: %q %q", specs(o.Ports), o.PortNotes)
	}
}
