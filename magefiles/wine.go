//go:build mage

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/magefile/mage/mg"
)

// wineNeeds are what the Wine stage needs from Debian: wine (wine,
// wineboot, wineserver), wine64 (the 64-bit loader they start) and
// gcc-mingw-w64-x86-64-win32 (the compiler of the shim). The deps stage
// installs them with the rest.
var wineNeeds = []need{
	{"wine", "wine", "the Wine stage"},
	{"wineboot", "wine", "the Wine stage"},
	{"wineserver", "wine", "the Wine stage"},
	{"/usr/lib/wine/wine64", "wine64", "the Wine stage (64-bit loader)"},
	{"x86_64-w64-mingw32-gcc", "gcc-mingw-w64-x86-64-win32", "the Wine stage (bcryptprimitives.dll shim)"},
}

// wineShim is the source of bcryptprimitives.dll, which Go's runtime needs
// and Debian 12's Wine 8.0 lacks.
const wineShim = "magefiles/wine/processprng.c"

// Wine runs the Windows build under Wine: the test binaries of every
// package whose Windows build differs, then guard.exe in the lab (needs
// root). It prints the passed, failed and skipped counts and the skipped
// tests with their reasons, and fails if any test fails.
//
// Its private Wine prefix lives in <temp dir>/netguard/wine and is set up
// once (wineboot, plus the ProcessPrng shim); later runs reuse it.
func Wine(ctx context.Context) error {
	start := time.Now()
	if err := missingError("wine: missing", wineNeeds); err != nil {
		return err
	}
	dir := filepath.Join(os.TempDir(), "netguard", "wine")
	prefix := filepath.Join(dir, "prefix")
	env := wineEnv(prefix)
	if err := winePrefix(ctx, prefix, env); err != nil {
		return err
	}
	fmt.Printf("wine: prefix ready in %v\n", time.Since(start).Round(time.Millisecond))
	// One server for every run below, instead of one started (and torn
	// down) per program; it exits on its own 30 s after the last. It gets
	// no output of ours: a server holding the stage's stdout would keep
	// whoever reads it (a pipe to tail, CI) waiting after the stage ends.
	stopWineServer(ctx, env)
	defer stopWineServer(context.WithoutCancel(ctx), env)
	server := exec.CommandContext(ctx, "wineserver", "-p30")
	server.Env = os.Environ()
	for k, v := range env {
		server.Env = append(server.Env, k+"="+v)
	}
	if err := server.Run(); err != nil {
		return fmt.Errorf("wineserver: %w", err)
	}

	pkgs, err := windowsPackages(ctx)
	if err != nil {
		return err
	}
	bin := filepath.Join(dir, "bin")
	if err := os.RemoveAll(bin); err != nil {
		return err
	}
	cross := map[string]string{"GOOS": "windows", "GOARCH": "amd64", "CGO_ENABLED": "0"}
	guardExe := filepath.Join(bin, "guard.exe")
	if err := run(ctx, cross, "go", "build", "-trimpath", "-o", guardExe, "./guard"); err != nil {
		return err
	}
	var paths []string
	for _, p := range pkgs {
		paths = append(paths, p.ImportPath)
	}
	if err := run(ctx, cross, "go", append([]string{"test", "-c", "-o", bin + "/"}, paths...)...); err != nil {
		return err
	}
	fmt.Printf("wine: built in %v\n", time.Since(start).Round(time.Millisecond))
	// Wine's first program starts its services (winedevice.exe and
	// others), which inherit that program's output and keep it open until
	// the server exits. Started here with no output, they hold nothing
	// test2json reads: otherwise it waits 30 s after the first test binary.
	warm := exec.CommandContext(ctx, "wine", guardExe, "--version")
	warm.Env = os.Environ()
	for k, v := range env {
		warm.Env = append(warm.Env, k+"="+v)
	}
	if out, err := warm.CombinedOutput(); err != nil {
		return fmt.Errorf("wine guard.exe --version: %w: %s", err, out)
	}

	var total wineCounts
	for _, p := range pkgs {
		exe := filepath.Join(bin, filepath.Base(p.ImportPath)+".test.exe")
		c, err := wineTest(ctx, env, p, exe)
		if err != nil {
			return err
		}
		total.add(c)
	}
	fmt.Printf("wine: %d packages: %d passed, %d failed, %d skipped (Wine's gaps)\n",
		len(pkgs), total.passed, total.failed, total.skipped)
	for _, s := range total.skips {
		fmt.Println("  skipped", s)
	}

	// guard.exe end to end, in the lab: Wine's own processes (the server,
	// which opens the sockets) must start inside the lab's namespace, so
	// the one above goes first.
	stopWineServer(ctx, env)
	e2e := map[string]string{"NETGUARD_WINE_GUARD": guardExe, "NETGUARD_WINE_PREFIX": prefix}
	labErr := run(ctx, e2e, "go", "test", "-tags", "winelab", "-count=1", "-v", "-run", "^TestLabWine$", "./guard")
	fmt.Printf("wine: done in %v\n", time.Since(start).Round(time.Millisecond))
	switch {
	case total.failed > 0:
		return mg.Fatalf(1, "wine: %d tests failed", total.failed)
	case labErr != nil:
		return mg.Fatalf(1, "wine: guard.exe in the lab: %v", labErr)
	}
	return nil
}

// wineEnv is the environment of every Wine program the stage runs: its
// own prefix, no display (no window is ever opened), quiet, and no offer
// to download Mono or Gecko.
func wineEnv(prefix string) map[string]string {
	return map[string]string{
		"WINEPREFIX":       prefix,
		"WINEARCH":         "win64",
		"WINEDEBUG":        "-all",
		"WINEDLLOVERRIDES": "mscoree,mshtml=",
		"DISPLAY":          "",
	}
}

// stopWineServer stops the prefix's server, if one runs, and waits until it
// has gone (wineserver -k fails when none runs).
func stopWineServer(ctx context.Context, env map[string]string) {
	_ = runIn(ctx, ".", env, "wineserver", "-k")
	_ = runIn(ctx, ".", env, "wineserver", "-w")
}

// winePrefix creates the prefix when it does not exist yet and puts the
// shim into its system32 when missing or older than its source.
func winePrefix(ctx context.Context, prefix string, env map[string]string) error {
	if _, err := os.Stat(filepath.Join(prefix, "system.reg")); errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(filepath.Dir(prefix), 0o755); err != nil {
			return err
		}
		if err := runIn(ctx, ".", env, "wineboot", "-i"); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	dll := filepath.Join(prefix, "drive_c", "windows", "system32", "bcryptprimitives.dll")
	src, err := os.Stat(wineShim)
	if err != nil {
		return err
	}
	if st, err := os.Stat(dll); err == nil && st.ModTime().After(src.ModTime()) {
		return nil
	}
	return run(ctx, nil, "x86_64-w64-mingw32-gcc", "-shared", "-O2", "-s", "-o", dll, wineShim, "-ladvapi32")
}

// winePackage is one package the stage tests.
type winePackage struct {
	ImportPath string
	Dir        string
}

// windowsPackages lists the packages with tests whose Windows build
// differs from their Linux build: their own files do, or those of a
// package of this module they import.
func windowsPackages(ctx context.Context) ([]winePackage, error) {
	type listed struct {
		ImportPath   string
		Dir          string
		GoFiles      []string
		Deps         []string
		TestGoFiles  []string
		XTestGoFiles []string
	}
	list := func(goos string) (map[string]listed, []string, error) {
		cmd := exec.CommandContext(ctx, "go", "list", "-json", "./...")
		cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH=amd64", "CGO_ENABLED=0")
		out, err := cmd.Output()
		if err != nil {
			return nil, nil, fmt.Errorf("go list (GOOS=%s): %w", goos, err)
		}
		m := map[string]listed{}
		var order []string
		for d := json.NewDecoder(strings.NewReader(string(out))); ; {
			var p listed
			if err := d.Decode(&p); err == io.EOF {
				break
			} else if err != nil {
				return nil, nil, fmt.Errorf("go list: %w", err)
			}
			m[p.ImportPath] = p
			order = append(order, p.ImportPath)
		}
		return m, order, nil
	}
	win, order, err := list("windows")
	if err != nil {
		return nil, err
	}
	lin, _, err := list("linux")
	if err != nil {
		return nil, err
	}
	own := func(path string) bool {
		w, ok := win[path]
		return ok && !slices.Equal(w.GoFiles, lin[path].GoFiles)
	}
	var out []winePackage
	for _, path := range order {
		p := win[path]
		if len(p.TestGoFiles)+len(p.XTestGoFiles) == 0 {
			continue
		}
		if own(path) || slices.ContainsFunc(p.Deps, own) {
			out = append(out, winePackage{ImportPath: p.ImportPath, Dir: p.Dir})
		}
	}
	return out, nil
}

// wineCounts are test results: every test and subtest counts once.
type wineCounts struct {
	passed, failed, skipped int
	skips                   []string // "pkg Test: reason"
}

func (c *wineCounts) add(o wineCounts) {
	c.passed += o.passed
	c.failed += o.failed
	c.skipped += o.skipped
	c.skips = append(c.skips, o.skips...)
}

// wineTest runs one test binary under Wine in its package's directory
// (where its testdata is) and counts its results from test2json's events.
// A failed test's output is printed whole.
func wineTest(ctx context.Context, env map[string]string, p winePackage, exe string) (wineCounts, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	t0 := time.Now()
	cmd := exec.CommandContext(ctx, "go", "tool", "test2json", "-p", p.ImportPath,
		"wine", exe, "-test.v=test2json", "-test.count=1", "-test.timeout=5m")
	cmd.Dir = p.Dir
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return wineCounts{}, err
	}
	if err := cmd.Start(); err != nil {
		return wineCounts{}, fmt.Errorf("wine %s: %w", exe, err)
	}
	var c wineCounts
	output := map[string][]string{}
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var ev struct {
			Action, Test, Output string
		}
		if json.Unmarshal(sc.Bytes(), &ev) != nil {
			continue
		}
		switch ev.Action {
		case "output":
			output[ev.Test] = append(output[ev.Test], ev.Output)
		case "pass":
			if ev.Test != "" {
				c.passed++
			}
		case "skip":
			if ev.Test != "" {
				c.skipped++
				c.skips = append(c.skips, p.ImportPath+" "+ev.Test+": "+skipReason(output[ev.Test]))
			}
		case "fail":
			if ev.Test != "" {
				c.failed++
				fmt.Print(strings.Join(output[ev.Test], ""))
			} else {
				fmt.Print(strings.Join(output[""], ""))
			}
		}
	}
	waitErr := cmd.Wait()
	fmt.Printf("wine: %-45s %4d passed %3d failed %3d skipped  %v\n",
		p.ImportPath, c.passed, c.failed, c.skipped, time.Since(t0).Round(time.Millisecond))
	if waitErr != nil && c.failed == 0 {
		// The binary failed without a failed test: it did not start, or
		// died, or a package-level check failed.
		c.failed++
		fmt.Print(strings.Join(output[""], ""))
		fmt.Printf("wine: %s: %v\n", exe, waitErr)
	}
	return c, nil
}

// skipReason is the line t.Skip printed, from a test's output.
func skipReason(lines []string) string {
	for _, l := range slices.Backward(lines) {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "---") && !strings.HasPrefix(l, "===") {
			return l
		}
	}
	return "(no reason printed)"
}
