package main

// The VS Code example (examples/vscode) read as VS Code reads it. These
// tests live in guard, not in the examples module, because the lab test
// that runs guard with the task's own arguments (lab_examples_test.go)
// needs the same reading, and the lab is internal to guard.

import (
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"testing"

	"github.com/netguard/netguard/checks"
	"github.com/netguard/netguard/checks/config"
	"github.com/netguard/netguard/checks/diagnose"
	"github.com/netguard/netguard/checks/textreport"
)

type vscodeTasks struct {
	Version string `json:"version"`
	Tasks   []struct {
		Label          string   `json:"label"`
		Type           string   `json:"type"`
		Command        string   `json:"command"`
		Args           []string `json:"args"`
		ProblemMatcher struct {
			Owner   string `json:"owner"`
			Pattern struct {
				Regexp   string `json:"regexp"`
				Kind     string `json:"kind"`
				Severity int    `json:"severity"`
				File     int    `json:"file"`
				Code     int    `json:"code"`
				Message  int    `json:"message"`
			} `json:"pattern"`
		} `json:"problemMatcher"`
	} `json:"tasks"`
}

func readJSONC(t *testing.T, path string, v any) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data, err := config.StripJSONC(raw)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// netguardTask is the task launch.json's preLaunchTask names, and the Go
// form of its problem matcher's regexp.
func netguardTask(t *testing.T) (task string, args []string, re *regexp.Regexp, sev, code, msg int) {
	t.Helper()
	var tasks vscodeTasks
	readJSONC(t, "../examples/vscode/.vscode/tasks.json", &tasks)
	var launch struct {
		Configurations []struct {
			Name          string `json:"name"`
			PreLaunchTask string `json:"preLaunchTask"`
		} `json:"configurations"`
	}
	readJSONC(t, "../examples/vscode/.vscode/launch.json", &launch)
	if tasks.Version != "2.0.0" || len(launch.Configurations) == 0 {
		t.Fatalf("tasks version %q, %d launch configurations", tasks.Version, len(launch.Configurations))
	}
	pre := launch.Configurations[0].PreLaunchTask
	for _, tk := range tasks.Tasks {
		if tk.Label != pre {
			continue
		}
		if tk.Command != "guard" || len(tk.Args) == 0 || tk.Args[0] != "check" {
			t.Errorf("task %q runs %s %v, want guard check", pre, tk.Command, tk.Args)
		}
		p := tk.ProblemMatcher.Pattern
		// VS Code's regexps are JavaScript's; this one uses only syntax
		// both share, so Go's compiler stands in for it.
		re, err := regexp.Compile(p.Regexp)
		if err != nil {
			t.Fatalf("problem matcher regexp: %v", err)
		}
		for name, g := range map[string]int{"severity": p.Severity, "file": p.File, "code": p.Code, "message": p.Message} {
			if g < 1 || g > re.NumSubexp() {
				t.Errorf("problem matcher %s group %d: the regexp has %d groups", name, g, re.NumSubexp())
			}
		}
		if p.Kind != "file" || tk.ProblemMatcher.Owner == "" {
			t.Errorf("problem matcher kind %q owner %q", p.Kind, tk.ProblemMatcher.Owner)
		}
		return pre, tk.Args, re, p.Severity, p.Code, p.Message
	}
	t.Fatalf("launch.json's preLaunchTask %q is not a task in tasks.json", pre)
	return
}

func TestVSCode(t *testing.T) {
	_, _, re, sev, code, msg := netguardTask(t)
	// The lines of the one formatter (checks/textreport) that guard, watch
	// and the mage targets print; lab_examples_test.go matches real output too.
	for _, f := range []diagnose.Finding{
		{ID: "no-default-route", Severity: diagnose.SevError, Summary: "no default route"},
		{ID: "icmp-blocked", Severity: diagnose.SevWarning, Summary: "ICMP gets no answer, TCP does: a firewall drops it"},
	} {
		line := textreport.FindingLine(f).String()
		m := re.FindStringSubmatch(line)
		if m == nil || m[sev] != map[diagnose.Severity]string{diagnose.SevError: "FAIL", diagnose.SevWarning: "WARN"}[f.Severity] || m[code] != f.ID || m[msg] != f.Summary {
			t.Errorf("%q: matched %q", line, m)
		}
	}
	rep := &checks.Report{Verdict: diagnose.Unhealthy, Summary: "no default route: nothing is reachable", DurationMS: 3,
		Checks:      []diagnose.CheckResult{{ID: "link", Status: diagnose.StatusPass, Detail: "eth0 up"}, {ID: "route", Status: diagnose.StatusFail, Detail: "no default route"}},
		Findings:    []diagnose.Finding{{ID: "no-default-route", Severity: diagnose.SevError, Summary: "no default route"}, {ID: "gateway-silent", Severity: diagnose.SevInfo, Summary: "x: y"}},
		ManualSteps: []string{"sudo ip route add default via 192.0.2.1: check"}}
	var matched []string
	for _, l := range textreport.Lines(rep, textreport.Options{Verbose: true, Explain: "guard explain"}) {
		if m := re.FindStringSubmatch(l.String()); m != nil {
			matched = append(matched, m[code])
		}
	}
	if !slices.Equal(matched, []string{"no-default-route"}) {
		t.Errorf("the matcher took %q from a whole report, want only the error finding", matched)
	}
	var settings map[string]any
	readJSONC(t, "../examples/vscode/.vscode/settings.json", &settings)
	if settings["debug.onTaskErrors"] != "abort" {
		t.Errorf("settings.json: debug.onTaskErrors = %v", settings["debug.onTaskErrors"])
	}
}
