// Command prepare writes what the archives and packages carry besides the
// binary into .ci/release/extras: the shell completions and the man page,
// written by the guard of this commit (guard completion, guard man), and
// the systemd user unit of examples/watch with the packaged binary's path.
// GoReleaser runs it as a before hook, from .ci/release, with the commit
// time (seconds since 1970) as its argument: the man page's date.
package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// completions are the completion scripts by shell, under the names each
// shell's completion directory expects.
var completions = []struct{ shell, file string }{
	{"bash", "guard.bash"},
	{"zsh", "_guard"},
	{"fish", "guard.fish"},
	{"powershell", "guard.ps1"},
}

// The example unit runs a `go install`ed guard from the home directory;
// the packaged one runs the package's root-owned helper copy, the path the
// sudoers example names: sudo re-executes the running binary, so --fix can
// repair through `sudo -n` once that rule is enabled. Both replacements
// must match, so an edit of the example fails the release instead of
// shipping a unit whose comment or path is wrong.
var unitEdits = [][2]string{
	{"# %h is your home directory. Install guard there with\n" +
		"#   GOBIN=$HOME/.local/bin go install github.com/netguard/netguard/guard@latest\n" +
		"# or change the path. ",
		"# The package's root-owned copy of guard, the one its sudoers example\n" +
			"# (/usr/share/doc/netguard/sudoers.example) names. "},
	{"\nExecStart=%h/.local/bin/guard ", "\nExecStart=/usr/libexec/netguard/guard "},
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: prepare COMMIT-TIME (seconds since 1970)")
		os.Exit(2)
	}
	if err := run("../..", "extras", os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "prepare:", err)
		os.Exit(1)
	}
}

func run(root, out, epoch string) error {
	if err := os.RemoveAll(out); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(out, "completions"), 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "netguard-prepare-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	guard := filepath.Join(tmp, "guard")
	build := exec.Command("go", "build", "-trimpath", "-o", guard, "./guard")
	build.Dir, build.Stdout, build.Stderr = root, os.Stderr, os.Stderr
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if err := build.Run(); err != nil {
		return fmt.Errorf("go build ./guard: %w", err)
	}
	for _, c := range completions {
		if err := guardOutput(guard, filepath.Join(out, "completions", c.file), epoch, "completion", c.shell); err != nil {
			return err
		}
	}
	man := filepath.Join(out, "guard.1")
	if err := guardOutput(guard, man, epoch, "man"); err != nil {
		return err
	}
	if err := gzipFile(man, man+".gz"); err != nil {
		return err
	}
	unit, err := os.ReadFile(filepath.Join(root, "examples", "watch", "netguard-watch.service"))
	if err != nil {
		return err
	}
	s := string(unit)
	for _, e := range unitEdits {
		if strings.Count(s, e[0]) != 1 {
			return fmt.Errorf("examples/watch/netguard-watch.service: want %q once", e[0])
		}
		s = strings.Replace(s, e[0], e[1], 1)
	}
	return os.WriteFile(filepath.Join(out, "netguard-watch.service"), []byte(s), 0o644)
}

// guardOutput writes what guard ARGS prints to file. guard gets only
// SOURCE_DATE_EPOCH, which dates the man page: nothing of the release
// machine's environment reaches the files.
func guardOutput(guard, file, epoch string, args ...string) error {
	cmd := exec.Command(guard, args...)
	cmd.Env = []string{"SOURCE_DATE_EPOCH=" + epoch}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	b, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("guard %s: %w: %s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return os.WriteFile(file, b, 0o644)
}

// gzipFile compresses src into dst with no name or time in the header, so
// the same page gives the same bytes.
func gzipFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return err
	}
	if _, err := zw.Write(b); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(dst, buf.Bytes(), 0o644)
}
