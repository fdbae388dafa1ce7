//go:build linux

package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netguard/netguard/guard/internal/lab"
	"github.com/netguard/netguard/hooks"
)

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
	r := newHookRepo(t)
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
		_, errs, code := lab.RunCmd(t, cmd)
		return errs, code
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

// hookRepo is a repository with one commit and a bare remote reached two
// ways: "origin" through git's ext:: transport, a URL that is not a local
// path as a real remote's is (so the hook checks the network), and "local"
// by its path (never checked). Neither needs the network.
type hookRepo struct {
	t   *testing.T
	dir string
	env []string // git without the machine's or the user's config
}

func newHookRepo(t *testing.T) *hookRepo {
	t.Helper()
	base := t.TempDir()
	r := &hookRepo{t: t, dir: filepath.Join(base, "work"), env: []string{
		"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH"), "LANG=C", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.invalid", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.invalid",
	}}
	r.gitIn(base, "init", "-q", "-b", "main", "work")
	r.gitIn(base, "init", "-q", "--bare", "-b", "main", "remote.git")
	r.gitIn(r.dir, "config", "protocol.ext.allow", "always")
	r.gitIn(r.dir, "remote", "add", "origin", "ext::git %s "+filepath.Join(base, "remote.git"))
	r.gitIn(r.dir, "remote", "add", "local", filepath.Join(base, "remote.git"))
	r.commit("first")
	return r
}

// gitIn runs git in dir, outside the lab, and fails the test unless it
// exits 0.
func (r *hookRepo) gitIn(dir string, args ...string) string {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), lab.RunTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir, cmd.Env = dir, r.env
	out, errs, code := lab.RunCmd(r.t, cmd)
	if code != 0 {
		r.t.Fatalf("git %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

func (r *hookRepo) commit(msg string) {
	r.t.Helper()
	r.gitIn(r.dir, "commit", "-q", "--allow-empty", "-m", msg)
}

func (r *hookRepo) head() string { return strings.TrimSpace(r.gitIn(r.dir, "rev-parse", "HEAD")) }

// remoteHead is the remote's main, or "" when it has none.
func (r *hookRepo) remoteHead() string {
	r.t.Helper()
	f := strings.Fields(r.gitIn(r.dir, "ls-remote", "origin", "refs/heads/main"))
	if len(f) == 0 {
		return ""
	}
	return f[0]
}
