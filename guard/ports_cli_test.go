package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/netguard/netguard/checks/checkstest"
)

// check and fix read the ports the project's Compose file publishes;
// --ports none reads none; watch, which runs beside the environment and
// its containers, watches only the ports the user named.
func TestPortsFromProjectPerCommand(t *testing.T) {
	sys, _, _ := testIO(t, checkstest.NewLab(false), nil)
	if err := os.WriteFile(filepath.Join(sys.Cwd, "compose.yaml"), []byte("services:\n  web:\n    ports: [\"18080:80\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		want int // ports
	}{
		{args: []string{"check"}, want: 1},
		{args: []string{"fix", "--dry-run"}, want: 1},
		{args: []string{"check", "--ports", "none"}, want: 0},
		{args: []string{"check", "--ports", "5432"}, want: 1},
		{args: []string{"watch"}, want: 0},
		{args: []string{"watch", "--ports", "5432"}, want: 1},
	} {
		c, err := parse(tt.args, sys.Getenv, sys.Cwd, false)
		if err != nil {
			t.Fatalf("%q: %v", tt.args, err)
		}
		if len(c.opts.Ports) != tt.want {
			t.Errorf("%q: ports %+v, want %d", tt.args, c.opts.Ports, tt.want)
		}
		if len(c.opts.Ports) == 1 && tt.args[len(tt.args)-1] != "5432" && c.opts.Ports[0].From != "compose.yaml:web" {
			t.Errorf("%q: port %+v, want it from compose.yaml:web", tt.args, c.opts.Ports[0])
		}
	}
}
