package main

import (
	"strings"
	"testing"

	"github.com/netguard/netguard/checks"
	"github.com/netguard/netguard/checks/checkstest"
)

// A panic that reaches main is one printable line and exit 70, never 2
// (hooks read 2 as a usage error) and never a goroutine dump.
func TestPanicIsOneLineAndExit70(t *testing.T) {
	for _, v := range []any{"boom", "multi\nline \x1b[2Jpanic", errFake{}} {
		sys, out, errOut := testIO(t, checkstest.NewLab(true), nil)
		sys.NewEngine = func() *checks.Engine { panic(v) }
		code := safeRun([]string{"check"}, sys)
		msg := errOut.String()
		if code != exitInternal || code == exitUsage {
			t.Errorf("panic(%q): exit %d, want %d", v, code, exitInternal)
		}
		if strings.Count(msg, "\n") != 1 || !strings.HasPrefix(msg, "guard: internal error: ") || strings.ContainsAny(strings.TrimSuffix(msg, "\n"), "\r\n\x1b") {
			t.Errorf("panic(%q): stderr %q, want one escaped line", v, msg)
		}
		if out.Len() != 0 {
			t.Errorf("stdout %q after a panic", out)
		}
	}
	// Without a panic safeRun is run.
	sys, _, _ := testIO(t, checkstest.NewLab(true), nil)
	if code := safeRun([]string{"check"}, sys); code != exitOK {
		t.Errorf("healthy: exit %d", code)
	}
}

type errFake struct{}

func (errFake) Error() string { return "fake error value" }
