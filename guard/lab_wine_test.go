//go:build linux && winelab

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/netguard/netguard/guard/internal/lab"
)

// TestLabWine runs guard.exe, the Windows build, under Wine inside the
// lab's client namespace, where Wine's IP helper calls read the lab's
// tables. The Wine stage (mage wine) builds it and sets
// NETGUARD_WINE_GUARD (guard.exe) and NETGUARD_WINE_PREFIX (its Wine
// prefix) and builds the test with the winelab tag, so that a plain go test
// neither runs nor skips it.
func TestLabWine(t *testing.T) {
	exe, prefix := os.Getenv("NETGUARD_WINE_GUARD"), os.Getenv("NETGUARD_WINE_PREFIX")
	if exe == "" || prefix == "" {
		t.Fatal("NETGUARD_WINE_GUARD and NETGUARD_WINE_PREFIX unset: run it through the Wine stage (mage wine)")
	}
	lab.RequireRoot(t)
	linux := lab.Build(t)
	l := lab.New(t)
	env := []string{"WINEPREFIX=" + prefix, "WINEDEBUG=-all", "WINEDLLOVERRIDES=mscoree,mshtml=", "DISPLAY="}
	// Wine's server opens the sockets for its programs, so it must start
	// inside the namespace (with the first program) and end with the test.
	t.Cleanup(func() {
		cmd := exec.Command("wineserver", "-k")
		cmd.Env = append(os.Environ(), env...)
		_ = cmd.Run()
	})
	wine := func(args ...string) (string, string, int) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd := l.Cmd(ctx, l.Client, append([]string{"wine", exe}, args...)...)
		cmd.Env = append(cmd.Env, env...)
		return lab.RunCmd(t, cmd)
	}

	// Wine's first program starts its services, which inherit its output
	// and hold it open while the server runs: started with none, they
	// keep no later run waiting.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	warm := l.Cmd(ctx, l.Client, "wine", exe, "--version")
	warm.Env = append(warm.Env, env...)
	if err := warm.Run(); err != nil {
		t.Fatalf("wine guard.exe --version: %v", err)
	}

	// The same help and version as the Linux build, but for the platform.
	for _, args := range [][]string{{"--version"}, {"help"}, {"explain", "--list", "--os", "windows"}, {"explain", "gateway-neighbor-wrong", "--os", "windows"}} {
		out, errOut, code := wine(args...)
		wout, werrOut, wcode := l.Run(t, l.Client, append([]string{linux}, args...)...)
		if args[0] == "--version" {
			out, wout = strings.Replace(out, "windows/amd64", "GOOS/GOARCH", 1), strings.Replace(wout, "linux/amd64", "GOOS/GOARCH", 1)
		}
		if code != 0 || code != wcode || out != wout || errOut != werrOut {
			t.Errorf("guard.exe %v: exit %d, stdout %q, stderr %q; the Linux build: exit %d, stdout %q, stderr %q",
				args, code, out, errOut, wcode, wout, werrOut)
		}
	}

	// Healthy, ten times in a row: a late answer under Wine is no alarm.
	alarms := 0
	var took []string
	for i := range 10 {
		out, errOut, code := wine(labArgs()...)
		var rep labReport
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("run %d: check --json is not JSON (%v): %q\nstderr: %s", i+1, err, out, errOut)
		}
		if i == 0 {
			for _, c := range rep.Checks {
				t.Logf("check under Wine: %s %s: %s", c.ID, c.Status, c.Detail)
			}
		}
		took = append(took, fmt.Sprintf("%.0f ms", rep.DurationMS))
		if code != 0 || rep.Verdict != "healthy" || rep.OS != "windows" {
			alarms++
			t.Errorf("run %d: exit %d, verdict %s on %s, findings %+v\nstderr: %s", i+1, code, rep.Verdict, rep.OS, rep.Findings, errOut)
		}
	}
	if alarms > 0 {
		t.Errorf("%d false alarms in 10 healthy checks", alarms)
	}
	t.Logf("10 checks under Wine: %d false alarms; each took %s", alarms, strings.Join(took, ", "))

	// Not a Git repository: hooks status says so, as on Linux.
	out, errOut, code := wine("hooks", "status", "--repo", l.Dir)
	wout, werrOut, wcode := l.Run(t, l.Client, linux, "hooks", "status", "--repo", l.Dir)
	if code != wcode || code == 0 {
		t.Errorf("hooks status outside a repository: exit %d (%q %q); the Linux build: exit %d (%q %q)", code, out, errOut, wcode, wout, werrOut)
	}

	// A stale gateway MAC: fix --dry-run changes nothing and offers
	// Windows' steps only.
	l.StaleGatewayMAC()
	before := gatewayNeigh(t, l)
	out, errOut, code = wine(append([]string{"fix"}, labArgs("--dry-run")[1:]...)...)
	var rep struct {
		labReport
		Repairs []struct {
			Action, Result string
		} `json:"repairs"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("fix --dry-run --json is not JSON (%v): %q\nstderr: %s", err, out, errOut)
	}
	if code != 1 || rep.Verdict != "unhealthy" || len(rep.Repairs) == 0 || len(rep.ManualSteps) == 0 {
		t.Errorf("fix --dry-run: exit %d, verdict %s, repairs %+v, manual steps %q; want exit 1, unhealthy, repairs and steps", code, rep.Verdict, rep.Repairs, rep.ManualSteps)
	}
	for _, r := range rep.Repairs {
		if !strings.HasPrefix(r.Result, "would run") {
			t.Errorf("fix --dry-run: repair %s %q, want it only said", r.Action, r.Result)
		}
	}
	for _, step := range rep.ManualSteps {
		for _, unix := range []string{"sudo", "ip neigh", "ip link", "ip route", "/etc/", "/proc/", "resolvectl", "nft", "systemctl", "launchctl", "networksetup"} {
			if strings.Contains(step, unix) {
				t.Errorf("fix --dry-run on Windows offers %q (%s)", step, unix)
			}
		}
	}
	if after := gatewayNeigh(t, l); after != before {
		t.Errorf("fix --dry-run changed the gateway's entry: %q -> %q", before, after)
	}
}
