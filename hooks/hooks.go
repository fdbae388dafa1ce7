// Package hooks installs, removes and reports git hooks that run `guard
// check` before work that needs the network (a push) and after work that
// changes the tree (checkout, merge). It finds the hooks directory the way
// git does (`git rev-parse --git-path hooks`, so core.hooksPath, worktrees
// and submodules are honoured), chains a hook that is already there instead
// of overwriting it, and refuses to touch hooks that a hook manager
// (husky, lefthook, pre-commit) owns: for those it returns the snippet to
// add to that manager's config instead. The installed hook is a small POSIX
// shell script that calls guard by absolute path, because GUI git clients
// run hooks with a minimal PATH.
package hooks

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Marker is the line that identifies a hook written by this package.
const Marker = "# netguard-hook: managed by `guard hooks`; do not edit"

// ChainedSuffix is appended to an existing hook's name when it is moved
// aside; the netguard hook runs it with the same arguments and stdin.
const ChainedSuffix = ".netguard-chained"

// DefaultHooks are installed when Options.Hooks is empty.
var DefaultHooks = []string{"pre-push", "post-checkout", "post-merge"}

// ModeMarker starts the line that records whether a hook blocks
// ("# netguard-mode: block") or only warns ("… warn").
const ModeMarker = "# netguard-mode: "

// blocking lists the hooks whose non-zero exit can stop the git operation;
// the others run after the fact and can only warn (githooks(5)). Whether
// an installed hook does block is the user's choice (Options.Block).
var blocking = map[string]bool{
	"pre-push": true, "pre-commit": true, "pre-merge-commit": true, "pre-rebase": true,
	"post-checkout": false, "post-merge": false, "post-commit": false, "post-rewrite": false,
}

// Blocking reports whether hook can stop the git operation at all; ok is
// false for a hook this package does not support.
func Blocking(hook string) (block, ok bool) {
	block, ok = blocking[hook]
	return block, ok
}

// Options say which hooks to handle and how they call guard.
type Options struct {
	// Hooks are hook names (e.g. "pre-push"); empty means DefaultHooks.
	Hooks []string
	// Binary is the absolute path of the guard binary the hooks call. It
	// is only needed by Install; empty means guard on PATH, resolved to
	// an absolute path now.
	Binary string
	// Timeout, when set, is pinned as the hooks' --timeout (NETGUARD_TIMEOUT
	// still wins). Zero passes none, so guard's own order applies:
	// NETGUARD_TIMEOUT, the project's .netguard.yaml, the user config, 2s.
	Timeout time.Duration
	// Block makes the hooks that can stop git (pre-push, pre-commit, …)
	// stop it on an unhealthy network. Off, every hook only warns: by the
	// time pre-push runs git has already reached the remote, so blocking
	// protects only what runs after the check (a chained hook that needs
	// the network), and a push to a local remote is never checked.
	Block bool
}

// State is what a hook file holds.
type State string

const (
	Absent    State = "absent"    // no hook of that name
	Installed State = "installed" // our hook (it may chain another)
	Foreign   State = "foreign"   // someone else's hook, not chained by us
	Managed   State = "managed"   // owned by a hook manager: never touched
)

// Hook is the outcome for one hook.
type Hook struct {
	Name     string `json:"name"`
	Path     string `json:"path"`              // the hook file, absolute
	Blocking bool   `json:"blocking"`          // it stops git on an unhealthy network
	State    State  `json:"state"`             // after the call
	Action   string `json:"action"`            // what the call did: installed, updated, unchanged, removed, restored, none, refused
	Chained  string `json:"chained,omitempty"` // the chained original, when there is one
	Manager  string `json:"manager,omitempty"` // husky, lefthook or pre-commit when State is Managed
	Snippet  string `json:"snippet,omitempty"` // what to add to the manager's config instead
}

// Result is the outcome for every requested hook.
type Result struct {
	Dir   string `json:"dir"` // the hooks directory, absolute
	Hooks []Hook `json:"hooks"`
}

// Missing lists the hooks that are not netguard's: absent, someone
// else's, or left to a hook manager.
func (r Result) Missing() []Hook {
	var out []Hook
	for _, h := range r.Hooks {
		if h.State != Installed {
			out = append(out, h)
		}
	}
	return out
}

// Refused lists the hooks left to a hook manager.
func (r Result) Refused() []Hook {
	var out []Hook
	for _, h := range r.Hooks {
		if h.Action == "refused" {
			out = append(out, h)
		}
	}
	return out
}

// Install writes the netguard hook for each requested hook. An existing
// hook that is not ours is moved to <name>.netguard-chained and run by
// ours; a hook already ours is rewritten in place (so a new binary path or
// timeout takes effect) and never chained twice. Hooks owned by a hook
// manager are left alone and reported with Action "refused" and a snippet.
func Install(repoDir string, o Options) (Result, error) {
	bin, err := binary(o.Binary)
	if err != nil {
		return Result{}, err
	}
	timeout := o.Timeout
	if timeout < 0 {
		return Result{}, fmt.Errorf("hooks: timeout %s is negative", timeout)
	}
	res, err := each(repoDir, o, func(h *Hook, dir string) error {
		if h.State == Managed {
			h.Action = "refused"
			return nil
		}
		if h.State == Foreign {
			if _, err := os.Lstat(h.Chained); err == nil {
				return fmt.Errorf("%s: both a foreign hook and %s exist; move one away and retry", h.Path, filepath.Base(h.Chained))
			}
			if err := os.Rename(h.Path, h.Chained); err != nil {
				return fmt.Errorf("chain existing hook: %w", err)
			}
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("create hooks directory: %w", err)
		}
		want := Script(h.Name, bin, timeout, o.Block)
		old, _ := os.ReadFile(h.Path)
		switch {
		case h.State == Installed && bytes.Equal(old, want):
			h.Action = "unchanged"
		case h.State == Installed:
			h.Action = "updated"
		default:
			h.Action = "installed"
		}
		if h.Action != "unchanged" {
			if err := writeExecutable(h.Path, want); err != nil {
				return err
			}
		}
		h.State = Installed
		h.Blocking = o.Block && blocking[h.Name]
		if _, err := os.Lstat(h.Chained); err != nil {
			h.Chained = ""
		}
		return nil
	})
	return res, err
}

// Uninstall removes our hooks and puts back what each one chained. Hooks
// that are not ours are left alone.
func Uninstall(repoDir string, o Options) (Result, error) {
	return each(repoDir, o, func(h *Hook, _ string) error {
		h.Action = "none"
		if h.State != Installed {
			h.Chained = ""
			return nil
		}
		if _, err := os.Lstat(h.Chained); err == nil {
			if err := os.Rename(h.Chained, h.Path); err != nil {
				return fmt.Errorf("restore chained hook: %w", err)
			}
			h.Action, h.State = "restored", Foreign
			return nil
		}
		if err := os.Remove(h.Path); err != nil {
			return fmt.Errorf("remove hook: %w", err)
		}
		h.Action, h.State, h.Chained = "removed", Absent, ""
		return nil
	})
}

// Status reports each requested hook without changing anything.
func Status(repoDir string, o Options) (Result, error) {
	return each(repoDir, o, func(h *Hook, _ string) error {
		h.Action = "none"
		if _, err := os.Lstat(h.Chained); err != nil || h.State != Installed {
			h.Chained = ""
		}
		return nil
	})
}

// each resolves the hooks directory and classifies every requested hook,
// then calls f for each.
func each(repoDir string, o Options, f func(h *Hook, dir string) error) (Result, error) {
	names := o.Hooks
	if len(names) == 0 {
		names = DefaultHooks
	}
	for _, n := range names {
		if _, ok := blocking[n]; !ok {
			return Result{}, fmt.Errorf("hooks: unsupported hook %q (supported: %s)", n, strings.Join(supported(), ", "))
		}
	}
	dir, err := HooksDir(repoDir)
	if err != nil {
		return Result{}, err
	}
	res := Result{Dir: dir}
	for _, n := range slices.Compact(slices.Clone(names)) {
		h := Hook{Name: n, Path: filepath.Join(dir, n), Chained: filepath.Join(dir, n+ChainedSuffix)}
		if err := classify(&h, dir, o.Block); err != nil {
			return res, err
		}
		if err := f(&h, dir); err != nil {
			return res, fmt.Errorf("hooks: %s: %w", n, err)
		}
		res.Hooks = append(res.Hooks, h)
	}
	return res, nil
}

func supported() []string {
	var s []string
	for k := range blocking {
		s = append(s, k)
	}
	slices.Sort(s)
	return s
}

// HooksDir is the absolute directory git runs repoDir's hooks from.
func HooksDir(repoDir string) (string, error) {
	abs, err := filepath.Abs(repoDir)
	if err != nil {
		return "", fmt.Errorf("hooks: %w", err)
	}
	// --git-path applies core.hooksPath (relative to the top of the work
	// tree, ~ expanded) and maps a worktree or submodule to the directory
	// git really uses; the answer is relative to the working directory.
	cmd := exec.Command("git", "rev-parse", "--git-path", "hooks")
	cmd.Dir = abs
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("hooks: %s is not a git repository (git rev-parse: %w: %s)", abs, err, strings.TrimSpace(stderr.String()))
	}
	// Only git's own newline: a core.hooksPath that ends in a space is a
	// different directory, and trimming it would install hooks where git
	// never runs them.
	p := strings.TrimSuffix(string(out), "\n")
	if !filepath.IsAbs(p) {
		p = filepath.Join(abs, p)
	}
	return filepath.Clean(p), nil
}

// classify sets State and Manager (and Snippet) from what is on disk.
func classify(h *Hook, dir string, block bool) error {
	if m := managerOfDir(dir); m != "" {
		h.State, h.Manager, h.Snippet = Managed, m, SnippetFor(m, h.Name, block)
		return nil
	}
	data, err := os.ReadFile(h.Path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		// A dangling symlink is still something someone put there.
		if _, lerr := os.Lstat(h.Path); lerr == nil {
			h.State = Foreign
			return nil
		}
		h.State = Absent
		return nil
	case err != nil:
		return fmt.Errorf("hooks: read %s: %w", h.Path, err)
	case bytes.Contains(data, []byte(Marker)):
		h.State = Installed
		h.Blocking = bytes.Contains(data, []byte(ModeMarker+"block\n"))
	case managerOfScript(data) != "":
		m := managerOfScript(data)
		h.State, h.Manager, h.Snippet = Managed, m, SnippetFor(m, h.Name, block)
	default:
		h.State = Foreign
	}
	return nil
}

// managerOfDir recognises husky's hooks directories (core.hooksPath set
// to .husky by v5-v8, .husky/_ by v9): every hook there is husky's.
func managerOfDir(dir string) string {
	if slices.Contains(strings.Split(filepath.ToSlash(dir), "/"), ".husky") {
		return "husky"
	}
	return ""
}

// managerOfScript recognises the hooks the managers generate: each names
// its tool in the script (husky v4: "husky.sh"; lefthook: "lefthook";
// pre-commit: "File generated by pre-commit").
func managerOfScript(data []byte) string {
	s := strings.ToLower(string(data))
	switch {
	case strings.Contains(s, "lefthook"):
		return "lefthook"
	case strings.Contains(s, "generated by pre-commit"), strings.Contains(s, "pre-commit.com"):
		return "pre-commit"
	case strings.Contains(s, "husky"):
		return "husky"
	}
	return ""
}

// binary returns the absolute path of the guard binary the hooks call.
func binary(p string) (string, error) {
	if p == "" {
		lp, err := exec.LookPath("guard")
		if err != nil {
			return "", fmt.Errorf("hooks: guard binary not found on PATH; pass its path: %w", err)
		}
		p = lp
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", fmt.Errorf("hooks: %w", err)
	}
	st, err := os.Stat(abs)
	if err != nil {
		return "", fmt.Errorf("hooks: guard binary: %w", err)
	}
	if st.IsDir() {
		return "", fmt.Errorf("hooks: guard binary %s is a directory", abs)
	}
	return abs, nil
}

// writeExecutable replaces path atomically with an executable file.
func writeExecutable(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("write hook: %w", err)
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr, os.Chmod(tmp.Name(), 0o755)); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write hook: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write hook: %w", err)
	}
	return nil
}
