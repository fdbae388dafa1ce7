//go:build linux

package main

// The side-by-side benchmark behind `mage bench` (the README's speed section): in one
// lab, at the same moment, interleaved run by run, it times the process
// floor (`true` in the client namespace), the physical limit (the same work
// with bare system calls, guard/internal/lab/physlimit), a minimal parallel
// pre-flight (guard/internal/lab/preflight, built static like guard), a hand-written
// shell pre-flight, a healthy `guard check`, and the seed script's check
// (guard/internal/lab/testdata/seed-check.sh). Every figure is printed as its
// difference to the same run's floor and as a ratio to the physical
// limit's difference. Then the time to decide broken networks, a wrong
// permanent gateway MAC repaired by `guard fix` and by the seed's
// auto_fix_network, and the healthy check's peak RSS. Run it with
//
//	go test -run '^$' -bench SideBySide -benchtime 1x ./guard/
//
// It is a benchmark, not a timed test: nothing here fails on a slow
// machine, only on a wrong verdict.
//
// NETGUARD_BENCH_BASELINE names another guard binary (`mage bench` builds
// the revision NETGUARD_BENCH_BASE names into it): its `--version` and
// healthy checks then run in the same rounds, after this tree's, and are
// printed beside them.

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/netguard/netguard/guard/internal/lab"
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
	phys := lab.BuildPhyslimit(b)
	card := lab.BuildCardFloor(b)
	peak := lab.BuildPeakRSS(b)
	shell := fmt.Sprintf(`ip route show default >/dev/null && ip neigh show %[1]s >/dev/null &&
ping -c1 -W1 %[1]s >/dev/null & a=$!; ping -c1 -W1 %[2]s >/dev/null & b=$!; getent hosts %[3]s >/dev/null & c=$!
wait $a && wait $b && wait $c`, lab.GatewayIP, lab.ExternalIP, lab.DNSName)

	base, baseName := os.Getenv("NETGUARD_BENCH_BASELINE"), os.Getenv("NETGUARD_BENCH_BASELINE_NAME")
	var baseVersion, baseGuard, baseUser []time.Duration

	// pair times this tree's command and, with a baseline, the baseline's
	// right beside it: this tree's first in even rounds, the baseline's
	// first in odd ones, so that neither side always runs warmer.
	pair := func(round int, this, that *[]time.Duration, mk func(bin string) *exec.Cmd) {
		if base == "" {
			*this = append(*this, timeCmd(b, mk(bin), 0))
			return
		}
		if round%2 == 0 {
			*this = append(*this, timeCmd(b, mk(bin), 0))
			*that = append(*that, timeCmd(b, mk(base), 0))
			return
		}
		*that = append(*that, timeCmd(b, mk(base), 0))
		*this = append(*this, timeCmd(b, mk(bin), 0))
	}
	withBin := func(args []string, bin string) []string { return append([]string{bin}, args[1:]...) }
	var floor, physT, cardT, versionT, preT, sh, guard, guardUser, seedCheck []time.Duration
	for i := range benchRounds {
		floor = append(floor, timeCmd(b, l.Cmd(ctx, l.Client, "true"), 0))
		physT = append(physT, timeCmd(b, l.Cmd(ctx, l.Client, phys, lab.GatewayIP, lab.ExternalIP, lab.DNSName), 0))
		cardT = append(cardT, timeCmd(b, l.Cmd(ctx, l.Client, card), 0))
		pair(i, &versionT, &baseVersion, func(bin string) *exec.Cmd { return l.Cmd(ctx, l.Client, bin, "--version") })
		preT = append(preT, timeCmd(b, l.Cmd(ctx, l.Client, pre, lab.GatewayIP, lab.ExternalIP, lab.DNSName), 0))
		sh = append(sh, timeCmd(b, l.Cmd(ctx, l.Client, "sh", "-c", shell), 0))
		pair(i, &guard, &baseGuard, func(bin string) *exec.Cmd { return l.Cmd(ctx, l.Client, withBin(check, bin)...) })
		pair(i, &guardUser, &baseUser, func(bin string) *exec.Cmd { return l.CmdAs(ctx, l.Client, "nobody", withBin(check, bin)...) })
		if i < benchSeedRounds {
			c := l.Cmd(ctx, l.Client, "bash", seed, "check")
			c.Env = append(c.Env, seedEnv...)
			seedCheck = append(seedCheck, timeCmd(b, c, -1))
		}
	}
	mf, mg, mu, ms := median(floor), median(guard), median(guardUser), median(seedCheck)
	// Peak RSS, in runs of its own: started through peakrss, whose
	// rusage is guard's own (the test binary's is not; see peakrss).
	var rss []time.Duration // KiB, as durations only to reuse median
	rssFile := filepath.Join(l.Dir, "peak-rss")
	for range 5 {
		timeCmd(b, l.Cmd(ctx, l.Client, append([]string{peak, rssFile}, check...)...), 0)
		out, err := os.ReadFile(rssFile)
		kib, perr := strconv.Atoi(strings.TrimSpace(string(out)))
		if err != nil || perr != nil {
			b.Fatalf("peak RSS: %v %v %q", err, perr, out)
		}
		rss = append(rss, time.Duration(kib))
	}
	mp, msh, mphys := median(preT), median(sh), median(physT)
	mcard, mversion := median(cardT), median(versionT)

	// Broken networks: the time to a verdict, by what proves it. Silence
	// (a dead gateway entry, a stopped name server) needs the probe
	// window; the tables (no default route) and an errno or a bind (a
	// local resolver or proxy that refuses, a taken port) decide at once.
	// The local faults come before the stopped name server, whose restart
	// the bench does not wait for.
	type broken struct {
		name  string
		fault func()
		heal  func()
		env   []string // added to the check's environment
		args  []string // added to the check's flags
		user  string   // run as this user instead of root
	}
	// Both families: WrongGatewayMAC breaks both entries, and a wrong IPv6
	// entry left behind makes every later case wait.
	healMAC := func() {
		l.Run(b, l.Client, "ip", "neigh", "del", lab.GatewayIP, "dev", l.ClientIf)
		l.Run(b, l.Client, "ip", "neigh", "del", lab.GatewayIP6, "dev", l.ClientIf)
	}
	var brokenT []time.Duration
	brokenCases := []broken{
		{name: "wrong permanent gateway MAC (silence)", fault: l.WrongGatewayMAC, heal: healMAC},
		// Unprivileged, no ARP/NDP proof: only the probe window's silence
		// tells, so this is the default window's cost end to end.
		{name: "wrong permanent gateway MAC, nobody (silence)", user: "nobody", fault: l.WrongGatewayMAC, heal: healMAC},
		{name: "local resolver down (errno)", fault: func() { l.SetResolvConf("nameserver 127.0.0.53\n") },
			heal: func() { l.SetResolvConf("nameserver " + lab.ExternalIP + "\n") }},
		{name: "HTTPS_PROXY not running (errno)", fault: func() {}, env: []string{"HTTPS_PROXY=http://127.0.0.1:7890"}},
		{name: "port the environment needs taken (bind)", fault: func() { l.Listen(l.Client, "", "0.0.0.0", 5432) }, args: []string{"--ports", "5432"}},
		{name: "ephemeral range of two ports (tables)", fault: func() { l.SetEphemeralRange(40000, 40001) },
			heal: func() { l.SetEphemeralRange(32768, 60999) }},
		{name: "name server stopped (silence)", fault: l.StopDNS, heal: l.StartDNS},
		{name: "no default route (tables)", fault: l.RemoveDefaultRoute},
	}
	for _, bc := range brokenCases {
		bc.fault()
		var ds []time.Duration
		for range 5 {
			c := l.Cmd(ctx, l.Client, append(slices.Clone(check), bc.args...)...)
			if bc.user != "" {
				c = l.CmdAs(ctx, l.Client, bc.user, append(slices.Clone(check), bc.args...)...)
			}
			c.Env = append(c.Env, bc.env...)
			ds = append(ds, timeCmd(b, c, 1))
		}
		brokenT = append(brokenT, median(ds))
		if bc.heal != nil {
			bc.heal()
		}
	}
	l = lab.New(b) // a fresh lab for the repair: the last fault removed the default route

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

	ms2 := func(d time.Duration) string { return fmt.Sprintf("%8.2f ms", float64(d.Microseconds())/1000) }
	lim := mphys - mf
	row := func(name string, d time.Duration) string {
		return fmt.Sprintf("  %-32s %s   floor + %s   %6.1fx the physical limit", name, ms2(d), ms2(d-mf), float64(d-mf)/float64(lim))
	}
	w := os.Stdout
	fmt.Fprintf(w, "\nnetguard side by side (lab, medians of %d interleaved runs; seed: %d runs)\n", benchRounds, benchSeedRounds)
	fmt.Fprintf(w, "  %-32s %s\n", "floor (ip netns exec true)", ms2(mf))
	fmt.Fprintln(w, row("physical limit (bare syscalls)", mphys))
	fmt.Fprintln(w, row("design card's libraries, no work", mcard))
	fmt.Fprintln(w, row("guard --version (start, exit)", mversion))
	fmt.Fprintln(w, row("minimal Go pre-flight", mp))
	fmt.Fprintln(w, row("hand-written shell pre-flight", msh))
	fmt.Fprintln(w, row("guard check (root)", mg))
	fmt.Fprintln(w, row("guard check (nobody)", mu))
	fmt.Fprintln(w, row("seed-check.sh check", ms))
	if base != "" {
		vs := func(name string, this, that []time.Duration) {
			d := median(this) - median(that)
			fmt.Fprintf(w, "  %-32s %s   this tree %+.2f ms\n", name, ms2(median(that)), float64(d.Microseconds())/1000)
		}
		fmt.Fprintf(w, "  the same rounds, %s's binary:\n", baseName)
		vs("guard --version", versionT, baseVersion)
		vs("guard check (root)", guard, baseGuard)
		vs("guard check (nobody)", guardUser, baseUser)
	}
	fmt.Fprintf(w, "  guard check peak RSS (root)      %8.1f MiB\n", float64(median(rss))/1024)
	for i, bc := range brokenCases {
		fmt.Fprintf(w, "  broken: %-46s decided in %s (exit 1)\n", bc.name, ms2(brokenT[i]))
	}
	fmt.Fprintf(w, "  healthy check: guard is %.0fx faster than the seed script, %.1f ms over the minimal pre-flight, %.1f ms vs the shell pre-flight\n",
		float64(ms)/float64(mg), float64((mg-mp).Microseconds())/1000, float64((mg-msh).Microseconds())/1000)
	fmt.Fprintf(w, "  repair wrong permanent gateway MAC: guard fix %s (repaired, verified); seed fix %s (%s)\n",
		ms2(guardFix), ms2(seedFix), map[bool]string{true: "says fixed", false: "failed"}[seedFixed])
	fmt.Fprintf(w, "  repair: guard is %.1fx faster than the seed script\n\n", float64(seedFix)/float64(guardFix))
	b.ReportMetric(float64(mg-mf)/1e6, "ms-over-floor")
	b.ReportMetric(float64(mg-mf)/float64(lim), "x-physical-limit")
	b.ReportMetric(float64(mversion-mf)/float64(lim), "version-x-physical-limit")
	b.ReportMetric(float64(median(rss))/1024, "peak-rss-MiB")
	b.ReportMetric(float64(mg-mp)/1e6, "ms-over-preflight")
	b.ReportMetric(float64(ms)/float64(mg), "x-vs-seed")
	b.ReportMetric(float64(guardFix)/1e6, "fix-ms")
}
