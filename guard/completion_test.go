package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netguard/netguard/checks/checkstest"
	"github.com/netguard/netguard/checks/diagnose"
)

// TestCompletionValues checks that the fixed values the scripts offer are
// the ones the parser takes: each is accepted and a made-up one refused.
func TestCompletionValues(t *testing.T) {
	found := map[string]bool{}
	for _, d := range flagDefs {
		vals := flagValues(d.arg)
		if vals == nil {
			continue
		}
		found[d.names[0]] = true
		for _, v := range vals {
			if err := d.set(&cli{}, v); err != nil {
				t.Errorf("--%s %s: %v", d.names[0], v, err)
			}
		}
		if err := d.set(&cli{}, "bogus"); err == nil {
			t.Errorf("--%s bogus: accepted", d.names[0])
		}
	}
	for _, name := range []string{"color", "os", "sudo"} {
		if !found[name] {
			t.Errorf("--%s: no values offered", name)
		}
	}
	// Every listed command has a summary, and every hooks subcommand parses.
	m := newCompletionModel()
	for _, c := range m.cmds {
		if c.summary == "" {
			t.Errorf("%s: no summary in the usage text", c.name)
		}
	}
	if len(m.hooksSub) != 3 {
		t.Errorf("hooks subcommands %q", m.hooksSub)
	}
}

func TestCompletionScripts(t *testing.T) {
	for _, shell := range shells {
		sys, out, errOut := testIO(t, checkstest.NewLab(false), nil)
		if code := run([]string{"completion", shell}, sys); code != exitOK || errOut.Len() > 0 {
			t.Fatalf("completion %s: exit %d: %s", shell, code, errOut)
		}
		// Every script names every finding ID and the values of --sudo.
		for _, d := range diagnose.Catalog() {
			if !strings.Contains(out.String(), d.ID) {
				t.Errorf("%s: no %s", shell, d.ID)
			}
		}
		if !strings.Contains(out.String(), "prompt") {
			t.Errorf("%s: no --sudo values", shell)
		}
		// A shell that is installed checks the syntax.
		check := map[string][]string{"zsh": {"zsh", "-n"}, "fish": {"fish", "--no-execute"}}[shell]
		if check == nil {
			continue
		}
		if _, err := exec.LookPath(check[0]); err != nil {
			continue // not part of the CI machine; bash is checked above
		}
		f := filepath.Join(t.TempDir(), "script")
		if err := os.WriteFile(f, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		if b, err := exec.Command(check[0], append(check[1:], f)...).CombinedOutput(); err != nil {
			t.Errorf("%s: %v\n%s", shell, err, b)
		}
	}
	for _, args := range [][]string{{"completion"}, {"completion", "tcsh"}, {"completion", "bash", "zsh"}, {"man", "x"}} {
		sys, _, errOut := testIO(t, checkstest.NewLab(false), nil)
		if code := run(args, sys); code != exitUsage || strings.Count(errOut.String(), "\n") != 1 {
			t.Errorf("%q: exit %d, %q", args, code, errOut)
		}
	}
}

// The manual page names, in each command's section, the variables help
// names, and no other: not NETGUARD_<FLAG> for every flag, as if
// NETGUARD_BLOCK or NETGUARD_OS were read.
func TestManNamesOnlyVariablesRead(t *testing.T) {
	var page strings.Builder
	if err := writeMan(&page, "2025-12-06", "netguard"); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"NETGUARD_BLOCK", "NETGUARD_OS"} {
		if strings.Contains(page.String(), bad) {
			t.Errorf("man page claims %s", bad)
		}
	}
	for _, cmd := range visibleCommands() {
		_, section, _ := strings.Cut(page.String(), ".SS "+roff(commandHelp[cmd].usage)+"\n")
		section, _, _ = strings.Cut(section, "\n.S")
		if strings.Contains(section, "NETGUARD_<FLAG>") {
			t.Errorf("man page: guard %s's section claims NETGUARD_<FLAG> for every flag:\n%s", cmd, section)
		}
		for _, d := range flagDefs {
			if env := envOf(d, cmd); env != "" && d.takes(cmd) && !strings.Contains(section, roff(env)) {
				t.Errorf("man page: guard %s reads %s, which its section does not name:\n%s", cmd, env, section)
			}
		}
	}
}

func TestMan(t *testing.T) {
	sys, out, errOut := testIO(t, checkstest.NewLab(false), map[string]string{"SOURCE_DATE_EPOCH": "1765000000"})
	if code := run([]string{"man"}, sys); code != exitOK || errOut.Len() > 0 {
		t.Fatalf("man: exit %d: %s", code, errOut)
	}
	page := out.String()
	if !strings.Contains(page, `.TH GUARD 1 "2025-12-06"`) {
		t.Errorf("man: no dated title line:\n%.200s", page)
	}
	// The page holds every command's help: its usage, and each flag.
	for _, cmd := range visibleCommands() {
		if !strings.Contains(page, ".SS "+roff(commandHelp[cmd].usage)+"\n") {
			t.Errorf("man: no section for %s", cmd)
		}
	}
	for _, d := range flagDefs {
		if d.names[0] != "help" && d.names[0] != "version" && !strings.Contains(page, `\fB\-\-`+roff(d.names[0])+`\fR`) {
			t.Errorf("man: no --%s", d.names[0])
		}
	}
	// No line starts a roff request by accident.
	for _, l := range strings.Split(page, "\n") {
		if strings.HasPrefix(l, "'") {
			t.Errorf("man: line %q", l)
		}
	}
	sys, _, errOut = testIO(t, checkstest.NewLab(false), map[string]string{"SOURCE_DATE_EPOCH": "soon"})
	if code := run([]string{"man"}, sys); code != exitUsage || !strings.Contains(errOut.String(), "SOURCE_DATE_EPOCH") {
		t.Errorf("man with a bad SOURCE_DATE_EPOCH: exit %d %q", code, errOut)
	}
}
