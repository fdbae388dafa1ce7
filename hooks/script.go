package hooks

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// Script is the hook file Install writes for hook, calling the guard
// binary at bin. It is POSIX sh, which Git for Windows runs too.
//
// The check runs first with stdin from /dev/null, so a chained pre-push
// hook still reads git's ref lines from stdin; the chained hook is then
// exec'd with the same arguments, so its exit code is the hook's. A zero
// timeout passes no --timeout, so guard's own order applies
// (NETGUARD_TIMEOUT, the project's .netguard.yaml, the user config). With
// block, a hook that can stop git stops it when the check fails;
// otherwise it warns.
func Script(hook, bin string, timeout time.Duration, block bool) []byte {
	block = block && blocking[hook]
	bin = filepath.ToSlash(bin) // Git for Windows' sh takes C:/x/guard.exe
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format+"\n", a...) }
	w("#!/bin/sh")
	w("%s", Marker)
	mode := "warn"
	if block {
		mode = "block"
	}
	w("%s%s", ModeMarker, mode)
	if block {
		w("# %s: runs `guard check` first; an unhealthy network stops the %s.", hook, verb(hook))
	} else {
		w("# %s: runs `guard check` and only warns.", hook)
	}
	if hook == "pre-push" {
		w("# A push to a local remote (a path or file://) needs no network: not checked.")
	}
	w("# Skip once with NETGUARD_SKIP=1; NETGUARD_* variables reach guard as they are.")
	w("# A hook that was here before runs afterwards as %s%s, same arguments and stdin.", hook, ChainedSuffix)
	w("# Remove with `guard hooks uninstall`.")
	w("want=%s", shQuote(bin))
	w(`guard=$want`)
	// GUI git clients run hooks with a minimal PATH, so the absolute path
	// comes first; PATH is only a fallback for a binary that moved.
	w(`[ -x "$guard" ] || guard=$(command -v guard 2>/dev/null) || guard=`)
	w(`check=1`)
	switch hook {
	case "post-checkout":
		// $3 is 0 for a file checkout (git checkout -- FILE, git restore):
		// no new work starts, so no check.
		w(`[ "${3:-1}" = 0 ] && check=`)
	case "pre-push":
		// $2 is the remote's URL: a local path or file:// needs no network.
		w(`case "${2:-}" in`)
		w(`/*|./*|../*|file://*|[A-Za-z]:[\\/]*) check= ;;`)
		w(`*) [ -n "${2:-}" ] && [ -e "$2" ] && check= ;;`)
		w(`esac`)
	}
	// The same yes/no words as guard's own NETGUARD_SKIP; any other value
	// goes to guard, which refuses it with one line.
	w(`case "${NETGUARD_SKIP:-}" in`)
	w(`1|[Tt][Rr][Uu][Ee]|[Yy][Ee][Ss]|[Oo][Nn]) check=; echo "netguard: skipped (NETGUARD_SKIP is set)" >&2 ;;`)
	w(`esac`)
	w(`if [ -z "$check" ]; then :`)
	w(`elif [ -z "$guard" ]; then`)
	w(`	echo "netguard: guard not found at $want or on PATH; network not checked (reinstall: guard hooks install)" >&2`)
	w(`else`)
	if timeout > 0 {
		w(`	"$guard" check -q --timeout "${NETGUARD_TIMEOUT:-%s}" </dev/null`, timeout)
	} else {
		w(`	"$guard" check -q </dev/null`)
	}
	w(`	rc=$?`)
	w(`	if [ "$rc" -ne 0 ]; then`)
	again := "git " + verb(hook)
	if hook == "pre-push" {
		again += ` ${1:-}` // the remote as the user named it
	}
	if block {
		w(`		echo "netguard: %s stopped (guard exit $rc); to go on anyway: NETGUARD_SKIP=1 %s" >&2`, verb(hook), again)
		w(`		exit 1`)
	} else {
		w(`		echo "netguard: network check failed (guard exit $rc); the %s went on. Repair: guard fix" >&2`, verb(hook))
	}
	w(`	fi`)
	w(`fi`)
	w(`chained="$(dirname "$0")/%s%s"`, hook, ChainedSuffix)
	w(`if [ -x "$chained" ]; then exec "$chained" "$@"; fi`)
	w(`exit 0`)
	return []byte(b.String())
}

func verb(hook string) string {
	switch hook {
	case "pre-push":
		return "push"
	case "pre-commit":
		return "commit"
	case "pre-merge-commit":
		return "merge"
	case "pre-rebase":
		return "rebase"
	case "post-checkout":
		return "checkout"
	case "post-merge":
		return "merge"
	case "post-commit":
		return "commit"
	case "post-rewrite":
		return "rewrite"
	}
	return hook
}

// shQuote quotes s for sh in single quotes; a quote inside is closed, escaped and reopened.
func shQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// CheckCommand is the command the manager snippets run: guard from PATH,
// since their configs are shared by a team whose binaries live in
// different places.
const CheckCommand = "guard check -q"

// SnippetFor is the configuration that makes manager run the check in
// hook. Unless block is set and the hook can block, the command ends in
// "|| true" so the manager only shows the warning.
func SnippetFor(manager, hook string, block bool) string {
	run := CheckCommand
	if !block || !blocking[hook] {
		run += " || true"
	}
	switch manager {
	case "husky":
		return fmt.Sprintf("# .husky/%s\n%s\n", hook, run)
	case "lefthook":
		return fmt.Sprintf("# lefthook.yml\n%s:\n  commands:\n    netguard:\n      run: %s\n", hook, run)
	case "pre-commit":
		return fmt.Sprintf(`# .pre-commit-config.yaml, then: pre-commit install --hook-type %s
repos:
  - repo: local
    hooks:
      - id: netguard-%s
        name: netguard network check
        entry: sh -c '%s'
        language: system
        pass_filenames: false
        always_run: true
        verbose: true
        stages: [%s]
`, hook, hook, run, hook)
	}
	return ""
}
