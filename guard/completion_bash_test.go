//go:build !windows

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/netguard/netguard/checks/checkstest"
	"github.com/netguard/netguard/checks/diagnose"
)

// bashComplete loads the bash script guard completion bash writes into a
// bash that reads no startup file, completes each command line (the last
// word is the one being completed) and returns the candidates per line.
func bashComplete(t *testing.T, lines ...[]string) [][]string {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Fatalf("bash: %v", err)
	}
	sys, out, errOut := testIO(t, checkstest.NewLab(false), nil)
	if code := run([]string{"completion", "bash"}, sys); code != exitOK {
		t.Fatalf("completion bash: exit %d: %s", code, errOut)
	}
	script := filepath.Join(t.TempDir(), "guard.bash")
	if err := os.WriteFile(script, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	// One call per line; a line of candidates per call, NUL-separated
	// words so an empty candidate list is still one line.
	var prog strings.Builder
	prog.WriteString(`set -u; source "$1"
c() { COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]}-1)); COMPREPLY=(); _guard; printf '%s\n' "${COMPREPLY[*]-}"; }
`)
	for _, l := range lines {
		prog.WriteString("c")
		for _, w := range l {
			prog.WriteString(" " + shQuote(w))
		}
		prog.WriteString("\n")
	}
	cmd := exec.Command(bash, "--norc", "--noprofile", "-c", prog.String(), "bash", script)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + t.TempDir()}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	b, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("bash: %v\n%s", err, stderr.Bytes())
	}
	var got [][]string
	for _, l := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		got = append(got, strings.Fields(l))
	}
	if len(got) != len(lines) {
		t.Fatalf("bash completed %d lines, want %d:\n%s", len(got), len(lines), b)
	}
	return got
}

func TestCompletionBash(t *testing.T) {
	var ids []string
	for _, d := range diagnose.Catalog() {
		ids = append(ids, d.ID)
	}
	for _, tc := range []struct {
		line []string
		want []string
	}{
		{[]string{"guard", "ch"}, []string{"check"}},
		{[]string{"guard", ""}, visibleCommands()},
		{[]string{"guard", "explain", "gateway-neighbor-w"}, []string{"gateway-neighbor-wrong"}},
		{[]string{"guard", "explain", ""}, ids},
		{[]string{"guard", "--json", "explain", "--os", "darwin", "dns-fa"}, []string{"dns-failed"}},
		{[]string{"guard", "explain", "dns-failed", ""}, nil}, // one ID only
		{[]string{"guard", "explain", "--os", ""}, []string{"linux", "darwin", "windows"}},
		{[]string{"guard", "check", "--sudo", ""}, []string{"never", "auto", "prompt"}},
		{[]string{"guard", "fix", "--sudo", "=", "p"}, []string{"prompt"}},
		{[]string{"guard", "--color", "=", "al"}, []string{"always"}},
		{[]string{"guard", "--color=never", "check", "--ti"}, []string{"--timeout"}},
		{[]string{"guard", "check", "--timeout", "3s", "-"}, nil}, // filled below: check's flags
		{[]string{"guard", "watch", "--met"}, []string{"--metrics"}},
		{[]string{"guard", "check", "--fi"}, nil}, // --fix is watch's alone
		{[]string{"guard", "help", "ex"}, []string{"explain"}},
		{[]string{"guard", "completion", ""}, shells},
		{[]string{"guard", "hooks", "un"}, []string{"uninstall"}},
		{[]string{"guard", "--ver"}, []string{"--version"}},
	} {
		if tc.line[len(tc.line)-1] == "-" {
			for _, d := range flagDefs {
				if d.takes("check") {
					for _, n := range d.names {
						if len(n) == 1 {
							tc.want = append(tc.want, "-"+n)
						} else {
							tc.want = append(tc.want, "--"+n)
						}
					}
				}
			}
		}
		got := bashComplete(t, tc.line)[0]
		if !slices.Equal(got, tc.want) {
			t.Errorf("%q: got %q, want %q", tc.line, got, tc.want)
		}
	}
}
