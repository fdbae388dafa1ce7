package hooks_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/netguard/netguard/hooks"
)

// These tests drive real git in temporary repositories. The guard binary is
// a fake shell script that records its arguments and stdin and exits with
// $FAKE_GUARD_EXIT, so the hook's own logic is tested without any network;
// guard/lab_hooks_test.go runs the real binary in a network namespace lab
// (the lab is internal to guard/, hence the test lives there). The run
// below is this package's own run-and-capture: hooks cannot import the
// lab's RunCmd.

// gitEnv isolates git from the machine's and the user's config.
func gitEnv(t *testing.T, extra ...string) []string {
	home := t.TempDir()
	env := []string{
		"HOME=" + home,
		"PATH=" + os.Getenv("PATH"),
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.invalid",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.invalid",
		"LANG=C",
	}
	return append(env, extra...)
}

type repo struct {
	t   *testing.T
	dir string
	env []string
}

// run runs git in dir and returns stdout, stderr and the exit code.
func (r *repo) run(dir string, args ...string) (string, string, int) {
	r.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = r.env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return out.String(), errb.String(), ee.ExitCode()
	} else if err != nil {
		r.t.Fatalf("git %s: %v", strings.Join(args, " "), err)
	}
	return out.String(), errb.String(), 0
}

// git runs git in the repo and fails the test on a non-zero exit.
func (r *repo) git(args ...string) string {
	r.t.Helper()
	return r.gitIn(r.dir, args...)
}

func (r *repo) gitIn(dir string, args ...string) string {
	r.t.Helper()
	out, errs, code := r.run(dir, args...)
	if code != 0 {
		r.t.Fatalf("git %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

// newRepo makes a repository with one commit and a bare remote "origin"
// reached through git's ext:: transport: a URL that is not a local path,
// as a real remote's is (a push to a local path is never checked), that
// still needs no network.
func newRepo(t *testing.T, extraEnv ...string) *repo {
	t.Helper()
	base := t.TempDir()
	r := &repo{t: t, dir: filepath.Join(base, "work"), env: gitEnv(t, extraEnv...)}
	r.gitIn(base, "init", "-q", "-b", "main", "work")
	r.gitIn(base, "init", "-q", "--bare", "-b", "main", "remote.git")
	r.git("config", "protocol.ext.allow", "always")
	r.git("remote", "add", "origin", "ext::git %s "+filepath.Join(base, "remote.git"))
	r.git("remote", "add", "local", filepath.Join(base, "remote.git"))
	r.commit("first")
	return r
}

func (r *repo) commit(msg string) {
	r.t.Helper()
	r.git("commit", "-q", "--allow-empty", "-m", msg)
}

// remoteHead is the remote's main, or "" when it has none.
func (r *repo) remoteHead() string {
	r.t.Helper()
	out, _, code := r.run(r.dir, "ls-remote", "origin", "refs/heads/main")
	if code != 0 {
		r.t.Fatalf("ls-remote: exit %d", code)
	}
	f := strings.Fields(out)
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

func (r *repo) head() string { return strings.TrimSpace(r.git("rev-parse", "HEAD")) }

// fakeGuard writes a guard stand-in that logs its arguments to
// $FAKE_GUARD_LOG, its stdin to $FAKE_GUARD_LOG.stdin, and exits with
// $FAKE_GUARD_EXIT. It lives in a directory that is not on PATH.
func fakeGuard(t *testing.T) (bin, log string) {
	t.Helper()
	dir := t.TempDir()
	bin = filepath.Join(dir, "guard")
	log = filepath.Join(dir, "guard.log")
	script := "#!/bin/sh\n" +
		`echo "$@" >> "$FAKE_GUARD_LOG"` + "\n" +
		`cat > "$FAKE_GUARD_LOG.stdin"` + "\n" +
		`echo "FAIL fake-finding: from the fake guard" >&2` + "\n" +
		`exit "${FAKE_GUARD_EXIT:-0}"` + "\n"
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return bin, log
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func hookByName(t *testing.T, res hooks.Result, name string) hooks.Hook {
	t.Helper()
	for _, h := range res.Hooks {
		if h.Name == name {
			return h
		}
	}
	t.Fatalf("no %s in %+v", name, res)
	return hooks.Hook{}
}

func TestInstallIdempotentUninstall(t *testing.T) {
	r := newRepo(t)
	bin, _ := fakeGuard(t)
	dir := filepath.Join(r.dir, ".git", "hooks")

	res, err := hooks.Install(r.dir, hooks.Options{Binary: bin})
	if err != nil {
		t.Fatal(err)
	}
	if res.Dir != dir {
		t.Errorf("Dir = %s, want %s", res.Dir, dir)
	}
	for _, h := range res.Hooks {
		if h.Action != "installed" || h.State != hooks.Installed || h.Chained != "" {
			t.Errorf("%s: %+v", h.Name, h)
		}
		st, err := os.Stat(filepath.Join(dir, h.Name))
		if err != nil || st.Mode().Perm()&0o111 == 0 {
			t.Errorf("%s: not an executable file: %v", h.Name, err)
		}
		if h.Blocking {
			t.Errorf("%s: blocks without --block", h.Name)
		}
		if s := readFile(t, h.Path); !strings.Contains(s, hooks.Marker) || !strings.Contains(s, bin) {
			t.Errorf("%s: hook lacks the marker or the binary's absolute path:\n%s", h.Name, s)
		}
	}
	if len(res.Hooks) != len(hooks.DefaultHooks) {
		t.Errorf("installed %d hooks, want %v", len(res.Hooks), hooks.DefaultHooks)
	}

	// Again: nothing changes, nothing gets chained to itself.
	res, err = hooks.Install(r.dir, hooks.Options{Binary: bin})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range res.Hooks {
		if h.Action != "unchanged" || h.Chained != "" {
			t.Errorf("second install: %s: %+v", h.Name, h)
		}
	}
	// A new binary path rewrites in place.
	bin2, _ := fakeGuard(t)
	res, err = hooks.Install(r.dir, hooks.Options{Binary: bin2, Hooks: []string{"pre-push"}})
	if err != nil {
		t.Fatal(err)
	}
	if h := hookByName(t, res, "pre-push"); h.Action != "updated" || !strings.Contains(readFile(t, h.Path), bin2) {
		t.Errorf("update: %+v", h)
	}
	if _, err := os.Stat(filepath.Join(dir, "pre-push"+hooks.ChainedSuffix)); err == nil {
		t.Error("an update chained our own hook")
	}

	st, err := hooks.Status(r.dir, hooks.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range st.Hooks {
		if h.State != hooks.Installed {
			t.Errorf("status %s: %s", h.Name, h.State)
		}
	}

	res, err = hooks.Uninstall(r.dir, hooks.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range res.Hooks {
		if h.Action != "removed" || h.State != hooks.Absent {
			t.Errorf("uninstall %s: %+v", h.Name, h)
		}
		if _, err := os.Lstat(h.Path); err == nil {
			t.Errorf("%s still exists", h.Path)
		}
	}
	// Uninstalling twice is harmless.
	if res, err = hooks.Uninstall(r.dir, hooks.Options{}); err != nil || hookByName(t, res, "pre-push").Action != "none" {
		t.Errorf("second uninstall: %+v, %v", res, err)
	}
}

// TestPushChainsExistingHook pushes for real to a local bare repository
// through an existing pre-push hook that our hook chains.
func TestPushChainsExistingHook(t *testing.T) {
	bin, log := fakeGuard(t)
	r := newRepo(t, "FAKE_GUARD_LOG="+log)
	dir := filepath.Join(r.dir, ".git", "hooks")
	seen := filepath.Join(t.TempDir(), "chained")
	orig := "#!/bin/sh\n# the team's own pre-push\n" +
		`echo "$@" > "` + seen + `.args"` + "\n" +
		`cat > "` + seen + `.stdin"` + "\n" +
		`exit "${CHAINED_EXIT:-0}"` + "\n"
	if err := os.WriteFile(filepath.Join(dir, "pre-push"), []byte(orig), 0o755); err != nil {
		t.Fatal(err)
	}

	res, err := hooks.Install(r.dir, hooks.Options{Binary: bin, Hooks: []string{"pre-push"}, Block: true})
	if err != nil {
		t.Fatal(err)
	}
	h := hookByName(t, res, "pre-push")
	if h.Action != "installed" || !h.Blocking || h.Chained != filepath.Join(dir, "pre-push"+hooks.ChainedSuffix) {
		t.Fatalf("install over an existing hook: %+v", h)
	}
	if got := readFile(t, h.Chained); got != orig {
		t.Fatalf("chained hook changed:\n%s", got)
	}
	// Installing again keeps the chain as it is: ours is never chained.
	res, err = hooks.Install(r.dir, hooks.Options{Binary: bin, Hooks: []string{"pre-push"}, Block: true})
	if h2 := hookByName(t, res, "pre-push"); err != nil || h2.Action != "unchanged" || h2.Chained != h.Chained || readFile(t, h.Chained) != orig {
		t.Fatalf("second install over a chained hook: %+v, %v", h2, err)
	}

	push := func(env ...string) (string, int) {
		t.Helper()
		saved := r.env
		r.env = append(append([]string(nil), r.env...), env...)
		defer func() { r.env = saved }()
		_, errs, code := r.run(r.dir, "push", "-q", "origin", "main")
		return errs, code
	}

	// Healthy, and the team's hook agrees: the push goes through, the
	// team's hook got git's arguments and the ref lines on stdin, and
	// guard got none of that stdin.
	if errs, code := push("FAKE_GUARD_EXIT=0"); code != 0 {
		t.Fatalf("healthy push: exit %d\n%s", code, errs)
	}
	if got := r.remoteHead(); got != r.head() {
		t.Fatalf("remote main = %q, want %q", got, r.head())
	}
	if got := readFile(t, seen+".stdin"); !strings.HasPrefix(got, "refs/heads/main "+r.head()+" refs/heads/main ") {
		t.Errorf("chained hook's stdin = %q, want the ref line", got)
	}
	if got := strings.Fields(readFile(t, seen+".args")); len(got) < 2 || got[0] != "origin" || got[1] != "ext::git" {
		t.Errorf("chained hook's args = %q, want origin URL", got)
	}
	// No --timeout unless one was pinned: the project's config decides.
	if got := readFile(t, log); strings.TrimSpace(got) != "check -q" {
		t.Errorf("guard args = %q", got)
	}
	if got := readFile(t, log+".stdin"); got != "" {
		t.Errorf("guard read git's stdin: %q", got)
	}

	// The team's hook says no: its exit code still counts.
	r.commit("second")
	before := r.remoteHead()
	if errs, code := push("FAKE_GUARD_EXIT=0", "CHAINED_EXIT=3"); code == 0 {
		t.Fatalf("push went through although the chained hook failed\n%s", errs)
	}
	if r.remoteHead() != before {
		t.Fatal("remote changed after a refused push")
	}

	// Unhealthy: blocked, and the team's hook is not even run.
	os.Remove(seen + ".args")
	errs, code := push("FAKE_GUARD_EXIT=1")
	if code == 0 || r.remoteHead() != before {
		t.Fatalf("unhealthy push went through (exit %d)\n%s", code, errs)
	}
	if !strings.Contains(errs, "netguard: push stopped (guard exit 1); to go on anyway: NETGUARD_SKIP=1 git push origin\n") || !strings.Contains(errs, "FAIL fake-finding") {
		t.Errorf("blocked push's stderr:\n%s", errs)
	}
	if _, err := os.Stat(seen + ".args"); err == nil {
		t.Error("chained hook ran after guard blocked the push")
	}

	// A config error (exit 2) blocks too: the check did not pass.
	if _, code := push("FAKE_GUARD_EXIT=2"); code == 0 {
		t.Error("push went through on guard exit 2")
	}

	// NETGUARD_SKIP takes guard's words: "no" checks, "yes" skips.
	if _, code := push("FAKE_GUARD_EXIT=1", "NETGUARD_SKIP=no"); code == 0 {
		t.Fatal("NETGUARD_SKIP=no skipped the check")
	}

	// NETGUARD_SKIP=1: one line, guard not run, the team's hook still runs.
	os.Remove(log)
	errs, code = push("FAKE_GUARD_EXIT=1", "NETGUARD_SKIP=Yes")
	if code != 0 || r.remoteHead() != r.head() {
		t.Fatalf("skipped push: exit %d\n%s", code, errs)
	}
	if strings.TrimSpace(errs) != "netguard: skipped (NETGUARD_SKIP is set)" {
		t.Errorf("skip stderr = %q, want one line", errs)
	}
	if _, err := os.Stat(log); err == nil {
		t.Error("guard ran although NETGUARD_SKIP=1")
	}
	if _, err := os.Stat(seen + ".args"); err != nil {
		t.Error("chained hook did not run under NETGUARD_SKIP")
	}

	// A pinned timeout is passed, and NETGUARD_TIMEOUT still beats it.
	if _, err := hooks.Install(r.dir, hooks.Options{Binary: bin, Hooks: []string{"pre-push"}, Block: true, Timeout: 5 * time.Second}); err != nil {
		t.Fatal(err)
	}
	r.commit("third")
	os.Remove(log)
	if _, code := push(); code != 0 {
		t.Fatal("push failed")
	}
	if got := readFile(t, log); strings.TrimSpace(got) != "check -q --timeout 5s" {
		t.Errorf("guard args = %q", got)
	}
	r.commit("fourth")
	os.Remove(log)
	if _, code := push("NETGUARD_TIMEOUT=750ms"); code != 0 {
		t.Fatal("push failed")
	}
	if got := readFile(t, log); strings.TrimSpace(got) != "check -q --timeout 750ms" {
		t.Errorf("guard args = %q", got)
	}

	// Uninstall puts the team's hook back, byte for byte and executable.
	res, err = hooks.Uninstall(r.dir, hooks.Options{Hooks: []string{"pre-push"}})
	if err != nil {
		t.Fatal(err)
	}
	if h := hookByName(t, res, "pre-push"); h.Action != "restored" || h.State != hooks.Foreign {
		t.Errorf("uninstall: %+v", h)
	}
	p := filepath.Join(dir, "pre-push")
	if got := readFile(t, p); got != orig {
		t.Errorf("restored hook:\n%s", got)
	}
	if st, _ := os.Stat(p); st.Mode().Perm()&0o111 == 0 {
		t.Error("restored hook is not executable")
	}
	if _, err := os.Lstat(p + hooks.ChainedSuffix); err == nil {
		t.Error("chained copy left behind")
	}
}

// TestMinimalPathAndMovedBinary: GUI clients run hooks with a minimal
// PATH; the absolute path still finds guard. A binary that is gone is
// reported and does not block.
func TestMinimalPathAndMovedBinary(t *testing.T) {
	bin, log := fakeGuard(t)
	r := newRepo(t, "FAKE_GUARD_LOG="+log, "FAKE_GUARD_EXIT=1")
	if _, err := hooks.Install(r.dir, hooks.Options{Binary: bin, Block: true}); err != nil {
		t.Fatal(err)
	}
	git, err := exec.LookPath("git")
	if err != nil {
		t.Fatal(err)
	}
	for i, kv := range r.env {
		if strings.HasPrefix(kv, "PATH=") {
			r.env[i] = "PATH=" + filepath.Dir(git) + ":/bin"
		}
	}
	if _, errs, code := r.run(r.dir, "push", "-q", "origin", "main"); code == 0 || !strings.Contains(errs, "push stopped") {
		t.Fatalf("with a minimal PATH the hook did not run guard: exit %d\n%s", code, errs)
	}
	if err := os.Remove(bin); err != nil {
		t.Fatal(err)
	}
	_, errs, code := r.run(r.dir, "push", "-q", "origin", "main")
	if code != 0 || !strings.Contains(errs, "netguard: guard not found at "+bin) {
		t.Fatalf("moved binary: exit %d\n%s", code, errs)
	}
}

// TestPostHooksOnlyWarn: post-checkout and post-merge print, never fail.
// TestLocalRemoteNotChecked: git has reached a local remote without any
// network, so a blocking pre-push does not even run the check for a path
// or a file:// URL; a remote that is not local still gets it.
func TestLocalRemoteNotChecked(t *testing.T) {
	bin, log := fakeGuard(t)
	r := newRepo(t, "FAKE_GUARD_LOG="+log, "FAKE_GUARD_EXIT=1")
	if _, err := hooks.Install(r.dir, hooks.Options{Binary: bin, Block: true, Hooks: []string{"pre-push"}}); err != nil {
		t.Fatal(err)
	}
	bare := filepath.Join(filepath.Dir(r.dir), "remote.git")
	for _, remote := range []string{"local", bare, "file://" + bare, "../remote.git"} {
		r.commit("to " + remote)
		if _, errs, code := r.run(r.dir, "push", "-q", remote, "main"); code != 0 || errs != "" {
			t.Fatalf("push to %s: exit %d\n%s", remote, code, errs)
		}
		if _, err := os.Stat(log); err == nil {
			t.Fatalf("push to %s ran the check", remote)
		}
	}
	r.commit("to origin")
	if _, errs, code := r.run(r.dir, "push", "-q", "origin", "main"); code == 0 || !strings.Contains(errs, "push stopped") {
		t.Fatalf("push to a remote that is not local was not checked: exit %d\n%s", code, errs)
	}
}

func TestPostHooksOnlyWarn(t *testing.T) {
	bin, log := fakeGuard(t)
	r := newRepo(t, "FAKE_GUARD_LOG="+log, "FAKE_GUARD_EXIT=1")
	if _, err := hooks.Install(r.dir, hooks.Options{Binary: bin}); err != nil {
		t.Fatal(err)
	}
	_, errs, code := r.run(r.dir, "checkout", "-q", "-b", "topic")
	if code != 0 || !strings.Contains(errs, "netguard: network check failed (guard exit 1)") {
		t.Fatalf("post-checkout: exit %d\n%s", code, errs)
	}
	r.commit("on topic")
	r.git("checkout", "-q", "main")
	_, errs, code = r.run(r.dir, "merge", "-q", "--no-edit", "topic")
	if code != 0 || !strings.Contains(errs, "network check failed") {
		t.Fatalf("post-merge: exit %d\n%s", code, errs)
	}
	// A file checkout starts nothing: no check.
	os.Remove(log)
	if err := os.WriteFile(filepath.Join(r.dir, "f"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	r.git("add", "f")
	r.commit("f")
	os.WriteFile(filepath.Join(r.dir, "f"), []byte("y"), 0o644)
	r.git("checkout", "--", "f")
	if _, err := os.Stat(log); err == nil {
		t.Error("guard ran for a file checkout")
	}
}

func TestHooksPath(t *testing.T) {
	bin, _ := fakeGuard(t)
	for _, tc := range []struct {
		name string
		path func(r *repo) string // the core.hooksPath value
		want func(r *repo) string
	}{
		{"relative", func(*repo) string { return "githooks" }, func(r *repo) string { return filepath.Join(r.dir, "githooks") }},
		{"absolute", func(r *repo) string { return filepath.Join(filepath.Dir(r.dir), "shared-hooks") },
			func(r *repo) string { return filepath.Join(filepath.Dir(r.dir), "shared-hooks") }},
		// A trailing space is part of the directory's name: git runs the
		// hooks from "githooks ", not "githooks".
		{"trailing space", func(*repo) string { return "githooks " }, func(r *repo) string { return filepath.Join(r.dir, "githooks ") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRepo(t)
			r.git("config", "core.hooksPath", tc.path(r))
			sub := filepath.Join(r.dir, "a", "b")
			if err := os.MkdirAll(sub, 0o755); err != nil {
				t.Fatal(err)
			}
			// From a subdirectory: the relative path is still the work tree's.
			res, err := hooks.Install(sub, hooks.Options{Binary: bin, Hooks: []string{"pre-push"}, Block: true})
			if err != nil {
				t.Fatal(err)
			}
			want := tc.want(r)
			if res.Dir != want || hookByName(t, res, "pre-push").Path != filepath.Join(want, "pre-push") {
				t.Fatalf("installed in %s, want %s", res.Dir, want)
			}
			if _, err := os.Stat(filepath.Join(r.dir, ".git", "hooks", "pre-push")); err == nil {
				t.Error("also installed in .git/hooks, which git ignores with core.hooksPath")
			}
			// git really runs it from there.
			r.env = append(r.env, "FAKE_GUARD_LOG="+filepath.Join(t.TempDir(), "log"), "FAKE_GUARD_EXIT=1")
			if _, errs, code := r.run(r.dir, "push", "-q", "origin", "main"); code == 0 || !strings.Contains(errs, "push stopped") {
				t.Fatalf("push not blocked by the hook in core.hooksPath: exit %d\n%s", code, errs)
			}
		})
	}
}

func TestWorktreeAndSubmodule(t *testing.T) {
	bin, _ := fakeGuard(t)
	r := newRepo(t)
	wt := filepath.Join(filepath.Dir(r.dir), "wt")
	r.git("worktree", "add", "-q", "-b", "wt", wt)
	res, err := hooks.Install(wt, hooks.Options{Binary: bin})
	if err != nil {
		t.Fatal(err)
	}
	// Hooks are shared by all worktrees: they live in the main .git.
	if want := filepath.Join(r.dir, ".git", "hooks"); res.Dir != want {
		t.Errorf("worktree: hooks dir %s, want %s", res.Dir, want)
	}
	if st, err := hooks.Status(r.dir, hooks.Options{}); err != nil || hookByName(t, st, "pre-push").State != hooks.Installed {
		t.Errorf("main checkout does not see the worktree's install: %+v %v", st, err)
	}

	super := newRepo(t)
	super.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", r.dir, "sub")
	res, err = hooks.Install(filepath.Join(super.dir, "sub"), hooks.Options{Binary: bin})
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(super.dir, ".git", "modules", "sub", "hooks"); res.Dir != want {
		t.Errorf("submodule: hooks dir %s, want %s", res.Dir, want)
	}
}

func TestHookManagersAreNotTouched(t *testing.T) {
	bin, _ := fakeGuard(t)
	t.Run("husky", func(t *testing.T) {
		r := newRepo(t)
		r.git("config", "core.hooksPath", ".husky/_")
		res, err := hooks.Install(r.dir, hooks.Options{Binary: bin})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range res.Hooks {
			if h.Action != "refused" || h.Manager != "husky" || !strings.Contains(h.Snippet, ".husky/"+h.Name) {
				t.Errorf("%s: %+v", h.Name, h)
			}
		}
		if len(res.Refused()) != len(res.Hooks) {
			t.Error("Refused() incomplete")
		}
		if _, err := os.Stat(filepath.Join(r.dir, ".husky")); err == nil {
			t.Error("wrote into husky's directory")
		}
	})
	for manager, content := range map[string]string{
		"lefthook":   "#!/bin/sh\n\nif [ \"$LEFTHOOK_VERBOSE\" = \"1\" ]; then\n  set -x\nfi\ncall_lefthook run \"pre-push\" \"$@\"\n",
		"pre-commit": "#!/usr/bin/env bash\n# File generated by pre-commit: https://pre-commit.com\n# ID: 138fd403232d2ddd5efb44317e38bf03\n",
	} {
		t.Run(manager, func(t *testing.T) {
			r := newRepo(t)
			p := filepath.Join(r.dir, ".git", "hooks", "pre-push")
			if err := os.WriteFile(p, []byte(content), 0o755); err != nil {
				t.Fatal(err)
			}
			res, err := hooks.Install(r.dir, hooks.Options{Binary: bin})
			if err != nil {
				t.Fatal(err)
			}
			h := hookByName(t, res, "pre-push")
			if h.Action != "refused" || h.State != hooks.Managed || h.Manager != manager || !strings.Contains(h.Snippet, hooks.CheckCommand) {
				t.Errorf("%+v", h)
			}
			if readFile(t, p) != content {
				t.Error("the manager's hook was changed")
			}
			if _, err := os.Lstat(p + hooks.ChainedSuffix); err == nil {
				t.Error("the manager's hook was chained")
			}
			// The hooks the manager does not own are still installed.
			if hookByName(t, res, "post-merge").Action != "installed" {
				t.Error("post-merge not installed")
			}
		})
	}
}

func TestInstallErrors(t *testing.T) {
	bin, _ := fakeGuard(t)
	if _, err := hooks.Install(t.TempDir(), hooks.Options{Binary: bin}); err == nil || !strings.Contains(err.Error(), "not a git repository") {
		t.Errorf("outside a repo: %v", err)
	}
	r := newRepo(t)
	if _, err := hooks.Install(r.dir, hooks.Options{Binary: bin, Hooks: []string{"pre-pus"}}); err == nil || !strings.Contains(err.Error(), "unsupported hook") {
		t.Errorf("bad hook name: %v", err)
	}
	if _, err := hooks.Install(r.dir, hooks.Options{Binary: filepath.Join(t.TempDir(), "nope")}); err == nil {
		t.Error("missing binary accepted")
	}
	// A foreign hook and a leftover chained one: refuse rather than lose one.
	dir := filepath.Join(r.dir, ".git", "hooks")
	os.WriteFile(filepath.Join(dir, "pre-push"), []byte("#!/bin/sh\nexit 0\n"), 0o755)
	os.WriteFile(filepath.Join(dir, "pre-push"+hooks.ChainedSuffix), []byte("#!/bin/sh\nexit 0\n"), 0o755)
	if _, err := hooks.Install(r.dir, hooks.Options{Binary: bin, Hooks: []string{"pre-push"}}); err == nil || !strings.Contains(err.Error(), "both a foreign hook") {
		t.Errorf("foreign + chained: %v", err)
	}
}
