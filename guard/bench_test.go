//go:build linux

package main

// The side-by-side benchmark behind `mage bench` (design.md, Speed): in one
// lab, at the same moment, interleaved run by run, it times the process
// floor (`true` in the client namespace), a minimal parallel pre-flight
// (guard/lab/preflight, built static like guard), a hand-written shell
// pre-flight, a healthy `guard check`, and the seed script's check
// (shared/baseline/seed-check.sh), then a wrong
// permanent gateway MAC repaired by `guard fix` and by the seed's
// auto_fix_network. It prints medians and ratios. Run it with
//
//	go test -run '^$' -bench SideBySide -benchtime 1x ./guard/
//
// It is a benchmark, not a timed test: nothing here fails on a slow
// machine, only on a wrong verdict.

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/netguard/netguard/guard/lab"
)

// benchRounds bounds the healthy comparison; the seed script takes seconds
// per run (traceroute's rate limit), so it runs fewer rounds.
const (
	benchRounds     = 30
	benchSeedRounds = 3
)

func timeCmd(b *testing.B, cmd *exec.Cmd, wantExit int) time.Duration {
	b.Helper()
	t0 := time.Now()
	out, err := cmd.CombinedOutput()
	d := time.Since(t0)
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		b.Fatalf("%v: %v\n%s", cmd.Args, err, out)
	}
	if wantExit >= 0 && code != wantExit {
		b.Fatalf("%v: exit %d, want %d\n%s", cmd.Args, code, wantExit, out)
	}
	return d
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func BenchmarkSideBySide(b *testing.B) {
	lab.RequireRoot(b)
	bin := lab.Build(b)
	seed := lab.SeedScript(b)
	l := lab.New(b)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	check := []string{bin, "check", "-q", "--external", lab.ExternalIP, "--dns", lab.DNSName, "--timeout", "2s"}
	seedEnv := []string{"GW_IP=" + lab.GatewayIP, "EXT_IP=" + lab.ExternalIP}

	pre := lab.BuildPreflight(b)
	shell := fmt.Sprintf(`ip route show default >/dev/null && ip neigh show %[1]s >/dev/null &&
ping -c1 -W1 %[1]s >/dev/null & a=$!; ping -c1 -W1 %[2]s >/dev/null & b=$!; getent hosts %[3]s >/dev/null & c=$!
wait $a && wait $b && wait $c`, lab.GatewayIP, lab.ExternalIP, lab.DNSName)

	var floor, preT, sh, guard, guardUser, seedCheck []time.Duration
	for i := range benchRounds {
		floor = append(floor, timeCmd(b, l.Cmd(ctx, l.Client, "true"), 0))
		preT = append(preT, timeCmd(b, l.Cmd(ctx, l.Client, pre, lab.GatewayIP, lab.ExternalIP, lab.DNSName), 0))
		sh = append(sh, timeCmd(b, l.Cmd(ctx, l.Client, "sh", "-c", shell), 0))
		guard = append(guard, timeCmd(b, l.Cmd(ctx, l.Client, check...), 0))
		guardUser = append(guardUser, timeCmd(b, l.CmdAs(ctx, l.Client, "nobody", check...), 0))
		if i < benchSeedRounds {
			c := l.Cmd(ctx, l.Client, "bash", seed, "check")
			c.Env = append(c.Env, seedEnv...)
			seedCheck = append(seedCheck, timeCmd(b, c, -1))
		}
	}
	mf, mg, mu, ms := median(floor), median(guard), median(guardUser), median(seedCheck)
	mp, msh := median(preT), median(sh)

	// Repair: a permanent wrong gateway MAC, which the seed's
	// `ip neigh flush all` cannot remove.
	l.WrongGatewayMAC()
	fix := []string{bin, "fix", "-q", "--external", lab.ExternalIP, "--dns", lab.DNSName, "--timeout", "5s"}
	guardFix := timeCmd(b, l.Cmd(ctx, l.Client, fix...), 0)
	l.WrongGatewayMAC()
	c := l.Cmd(ctx, l.Client, "bash", seed, "fix")
	c.Env = append(c.Env, seedEnv...)
	t0 := time.Now()
	seedOut, _ := c.CombinedOutput()
	seedFix := time.Since(t0)
	seedFixed := !strings.Contains(string(seedOut), "自动修复失败")

	ms2 := func(d time.Duration) string { return fmt.Sprintf("%8.1f ms", float64(d.Microseconds())/1000) }
	w := os.Stdout
	fmt.Fprintf(w, "\nnetguard side by side (lab, medians of %d runs; seed: %d runs)\n", benchRounds, benchSeedRounds)
	fmt.Fprintf(w, "  floor (ip netns exec true)     %s\n", ms2(mf))
	fmt.Fprintf(w, "  minimal Go pre-flight          %s   floor + %s\n", ms2(mp), ms2(mp-mf))
	fmt.Fprintf(w, "  hand-written shell pre-flight  %s   floor + %s\n", ms2(msh), ms2(msh-mf))
	fmt.Fprintf(w, "  guard check (root)             %s   floor + %s\n", ms2(mg), ms2(mg-mf))
	fmt.Fprintf(w, "  guard check (nobody)           %s   floor + %s\n", ms2(mu), ms2(mu-mf))
	fmt.Fprintf(w, "  seed-check.sh check            %s\n", ms2(ms))
	fmt.Fprintf(w, "  healthy check: guard is %.0fx faster than the seed script, %.1f ms over the minimal pre-flight, %.1f ms vs the shell pre-flight\n",
		float64(ms)/float64(mg), float64((mg-mp).Microseconds())/1000, float64((mg-msh).Microseconds())/1000)
	fmt.Fprintf(w, "  repair wrong permanent gateway MAC: guard fix %s (repaired, verified); seed fix %s (%s)\n",
		ms2(guardFix), ms2(seedFix), map[bool]string{true: "says fixed", false: "failed"}[seedFixed])
	fmt.Fprintf(w, "  repair: guard is %.1fx faster than the seed script\n\n", float64(seedFix)/float64(guardFix))
	b.ReportMetric(float64(mg-mf)/1e6, "ms-over-floor")
	b.ReportMetric(float64(mg-mp)/1e6, "ms-over-preflight")
	b.ReportMetric(float64(ms)/float64(mg), "x-vs-seed")
	b.ReportMetric(float64(guardFix)/1e6, "fix-ms")
}
