//go:build linux

package hooks_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netguard/netguard/guard/lab"
	"github.com/netguard/netguard/hooks"
)

func TestMain(m *testing.M) {
	code := m.Run()
	lab.RemoveBuild()
	os.Exit(code)
}

// TestLabPushBlockedWhenUnhealthy pushes for real with the real guard
// binary behind a pre-push hook installed with --block, from inside the
// lab's client namespace, with the lab's own targets in NETGUARD_*:
// allowed while the lab is healthy, blocked once its default route is
// gone, allowed again with NETGUARD_SKIP=1, and always allowed to a local
// remote. The project's .netguard.yaml timeout reaches the check (the hook
// pins none). Needs root; fails without it.
func TestLabPushBlockedWhenUnhealthy(t *testing.T) {
	l := lab.New(t)
	bin := lab.Build(t)
	r := newRepo(t)
	if _, err := hooks.Install(r.dir, hooks.Options{Binary: bin, Block: true}); err != nil {
		t.Fatal(err)
	}

	pushTo := func(remote string, extra ...string) (string, int) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), lab.RunTimeout)
		defer cancel()
		cmd := l.Cmd(ctx, l.Client, "git", "push", "-q", remote, "main")
		cmd.Dir = r.dir
		// A GUI client's minimal PATH: the hook must find guard by its
		// absolute path. The lab's targets only: nothing leaves the lab.
		cmd.Env = append(append(cmd.Env, r.env...),
			"PATH=/usr/bin:/bin",
			"NETGUARD_EXTERNAL="+lab.ExternalIP,
			"NETGUARD_DNS="+lab.DNSName,
		)
		cmd.Env = append(cmd.Env, extra...)
		var errb bytes.Buffer
		cmd.Stderr = &errb
		err := cmd.Run()
		var ee *exec.ExitError
		switch {
		case err == nil:
			return errb.String(), 0
		case errors.As(err, &ee):
			return errb.String(), ee.ExitCode()
		}
		t.Fatalf("git push: %v\n%s", err, errb.String())
		return "", -1
	}
	push := func(extra ...string) (string, int) { t.Helper(); return pushTo("origin", extra...) }

	// The project's timeout reaches the hook's check, which pins none of
	// its own: a timeout out of range there stops the push with the file's
	// own error; without the file the same push goes through.
	cfg := filepath.Join(r.dir, ".netguard.yaml")
	if err := os.WriteFile(cfg, []byte("timeout: 1ms\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if errs, code := push(); code == 0 || !strings.Contains(errs, "push stopped") || !strings.Contains(errs, ".netguard.yaml:1: timeout: 1ms is out of range") {
		t.Fatalf("project timeout 1ms: push exit %d, want it stopped by the file's timeout\n%s", code, errs)
	}
	if err := os.Remove(cfg); err != nil {
		t.Fatal(err)
	}

	if errs, code := push(); code != 0 || r.remoteHead() != r.head() {
		t.Fatalf("healthy lab: push exit %d, remote %q, want %q\n%s", code, r.remoteHead(), r.head(), errs)
	}

	l.RemoveDefaultRoute()
	r.commit("while the network is broken")
	before := r.remoteHead()
	errs, code := push()
	if code == 0 || r.remoteHead() != before {
		t.Fatalf("broken lab: push went through (exit %d)\n%s", code, errs)
	}
	if !strings.Contains(errs, "netguard: push stopped (guard exit 1); to go on anyway: NETGUARD_SKIP=1 git push origin") || !strings.Contains(errs, "FAIL") {
		t.Errorf("blocked push's stderr lacks guard's findings and the hook's line:\n%s", errs)
	}

	// git reached a local remote without the network: never blocked.
	errs, code = pushTo("local")
	if code != 0 || r.remoteHead() != r.head() {
		t.Fatalf("broken lab, local remote: push exit %d\n%s", code, errs)
	}
	if strings.Contains(errs, "netguard") {
		t.Errorf("local remote: the check ran:\n%s", errs)
	}

	r.commit("again while broken")
	errs, code = push("NETGUARD_SKIP=1")
	if code != 0 || r.remoteHead() != r.head() {
		t.Fatalf("NETGUARD_SKIP=1: push exit %d\n%s", code, errs)
	}
	if strings.TrimSpace(errs) != "netguard: skipped (NETGUARD_SKIP is set)" {
		t.Errorf("skip: stderr %q, want one line", errs)
	}
}
