//go:build mage

// Builds and tests netguard. Without mage installed: go run github.com/magefile/mage -d magefiles -w . TARGET
package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"

	"github.com/magefile/mage/mg"

	//mage:import
	_ "github.com/netguard/netguard/checks/guardmage"
)

// staticcheck is pinned: a new release must not fail an old commit.
const staticcheck = "honnef.co/go/tools/cmd/staticcheck@v0.8.2"

// static builds guard without cgo: a static binary starts faster (no
// dynamic loader) on every check a start runs. Build and Install also
// strip the symbol table and DWARF (-s -w): less binary to map, so a
// faster start, while stack traces keep their function names (pclntab
// stays). The README's speed section has the figures.
var static = map[string]string{"CGO_ENABLED": "0"}

// crossTargets are the other systems netguard supports; lint vets and
// staticchecks each, so a change cannot break a build the Linux tests
// never compile.
var crossTargets = [][2]string{{"darwin", "amd64"}, {"darwin", "arm64"}, {"windows", "amd64"}, {"linux", "386"}}

// modules are the Go modules this repository tests: the product, and the
// examples' validation tests, a module of their own so that compose-go,
// which only they use, stays out of the product's go.mod.
// (examples/mage-project is a user's project; guard's tests run it.)
var modules = []string{".", "examples"}

// Build compiles guard into $GUARD_OUT (default: <temp dir>/netguard/guard).
func Build(ctx context.Context) error {
	out := os.Getenv("GUARD_OUT")
	if out == "" {
		// The repository's top level holds no build output: `guard` there
		// is the source directory.
		out = filepath.Join(os.TempDir(), "netguard", "guard")
		if runtime.GOOS == "windows" {
			out += ".exe"
		}
	}
	if err := run(ctx, static, "go", "build", "-trimpath", "-ldflags=-s -w", "-o", out, "./guard"); err != nil {
		return err
	}
	fmt.Println(out)
	return nil
}

// Install installs guard into $GOBIN (go install ./guard).
func Install(ctx context.Context) error {
	return run(ctx, static, "go", "install", "-trimpath", "-ldflags=-s -w", "./guard")
}

// Lint checks formatting, go vet and staticcheck.
func Lint(ctx context.Context) error {
	out, err := exec.CommandContext(ctx, "gofmt", "-l", ".").Output()
	if err != nil {
		return fmt.Errorf("gofmt: %w", err)
	}
	if files := strings.TrimSpace(string(out)); files != "" {
		return mg.Fatalf(1, "gofmt would change:\n%s", files)
	}
	for _, m := range modules {
		if err := runIn(ctx, m, nil, "go", "vet", "./..."); err != nil {
			return err
		}
		if err := runIn(ctx, m, nil, "go", "run", staticcheck, "./..."); err != nil {
			return err
		}
	}
	return nil
}

// Cross vets, staticchecks and builds everything for darwin/amd64,
// darwin/arm64 and windows/amd64: the OS layers there compile nowhere else,
// and their compile-time layout pins fail the vet on drift.
func Cross(ctx context.Context) error {
	// staticcheck built for this machine, then run with another GOOS (go
	// run would build it for the target).
	bin, err := os.MkdirTemp("", "netguard-staticcheck-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(bin)
	if err := run(ctx, map[string]string{"GOBIN": bin}, "go", "install", staticcheck); err != nil {
		return err
	}
	for _, t := range crossTargets {
		env := map[string]string{"GOOS": t[0], "GOARCH": t[1], "CGO_ENABLED": "0"}
		for _, m := range modules {
			if err := runIn(ctx, m, env, "go", "vet", "./..."); err != nil {
				return err
			}
			if err := runIn(ctx, m, env, filepath.Join(bin, "staticcheck"), "./..."); err != nil {
				return err
			}
			if err := runIn(ctx, m, env, "go", "build", "./..."); err != nil {
				return err
			}
		}
	}
	return nil
}

// Test runs the whole suite: it checks (and as root on Debian installs)
// what the tests need, then lint, the cross builds, every test of every
// module (lab tests included; needs root) and each fuzz test briefly.
//
// This is the README's test command. The lab tests build network
// namespaces and fail, never skip, when they cannot. Every stage runs even
// after an earlier one failed, so one run shows every failure, and the end
// lists each stage's outcome; only a failed deps stage stops the run,
// since every lab test would then fail for the same reason.
func Test(ctx context.Context) error {
	stages := []stage{{"deps", Deps}, {"lint", Lint}, {"cross", Cross}}
	for _, m := range modules {
		stages = append(stages, stage{"test " + m, func(ctx context.Context) error {
			return runIn(ctx, m, nil, "go", "test", "-count=1", "./...")
		}})
	}
	if runtime.GOOS == "linux" {
		// The Windows build under Wine, guard.exe in the lab included.
		stages = append(stages, stage{"wine", Wine})
		// A snapshot release, its archives, checksums and packages checked
		// (dpkg -i and --purge on this machine).
		stages = append(stages, stage{"release", Release{}.Snapshot})
	}
	stages = append(stages, stage{"fuzz", Fuzz})
	return runStages(ctx, stages, map[string]bool{"deps": true})
}

// fuzzTargets are the fuzz tests kept in the repo: every parser of input a
// user, a project file or the kernel controls. Their seed corpora run in
// every `go test`; Fuzz runs each briefly with new inputs.
var fuzzTargets = [][2]string{
	{"./checks", "FuzzParseAction"},
	{"./checks", "FuzzLocalFiles"},
	{"./checks", "FuzzParsePorts"},
	{"./checks/probe", "FuzzLocalFiles"},
	{"./checks/internal/sys", "FuzzLocalFiles"},
	{"./checks/internal/sys", "FuzzParseDarwinRIB"},
	{"./checks/internal/sys", "FuzzParseDarwinPcblist"},
	{"./checks/internal/sys", "FuzzParseRtnl"},
	{"./checks/internal/sys", "FuzzWinHTTPBlob"},
	{"./checks/internal/sys", "FuzzProcTables"},
	{"./checks/internal/neighprobe", "FuzzARPFrame"},
	{"./checks/internal/firewall", "FuzzDecodePFIocRule"},
	{"./checks/internal/firewall", "FuzzXTChains"},
	{"./checks/internal/firewall", "FuzzDecodeWFPFilter"},
	{"./checks/internal/wireguard", "FuzzParseWGNT"},
	{"./checks/textreport", "FuzzSanitize"},
	{"./checks/config", "FuzzParseFile"},
	{"./checks/config", "FuzzSet"},
	{"./checks/config", "FuzzFromEnv"},
	{"./checks/config", "FuzzProjectPorts"},
	{"./checks/internal/xnu", "FuzzSockaddrs"},
	{"./checks/internal/xnu", "FuzzParseKctlPcblist"},
	{"./checks/internal/xnu", "FuzzBPFPackets"},
	{"./checks/watch", "FuzzParseRtnetlink"},
	{"./checks/watch", "FuzzParseRouteSocket"},
	{"./guard", "FuzzParse"},
}

// Fuzz runs every fuzz test for $NETGUARD_FUZZTIME (default 5s) each.
func Fuzz(ctx context.Context) error {
	d := os.Getenv("NETGUARD_FUZZTIME")
	if d == "" {
		d = "5s"
	}
	if err := unlistedFuzz("."); err != nil {
		return err
	}
	for _, t := range fuzzTargets {
		if err := fuzzOne(ctx, t[0], t[1], d); err != nil {
			return err
		}
	}
	return nil
}

// fuzzDecl finds the fuzz tests declared in a test file.
var fuzzDecl = regexp.MustCompile(`(?m)^func (Fuzz\w+)\(\w+ \*testing\.F\)`)

// unlistedFuzz fails when a fuzz test under root is missing from
// fuzzTargets: one written and never listed would only ever run its seeds.
func unlistedFuzz(root string) error {
	listed := map[[2]string]bool{}
	for _, t := range fuzzTargets {
		listed[t] = true
	}
	var missing []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		pkg := "./" + filepath.ToSlash(filepath.Dir(path))
		for _, m := range fuzzDecl.FindAllSubmatch(b, -1) {
			if !listed[[2]string{pkg, string(m[1])}] {
				missing = append(missing, pkg+" "+string(m[1]))
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("find fuzz tests: %w", err)
	}
	if len(missing) > 0 {
		return fmt.Errorf("fuzz tests missing from magefiles' fuzzTargets: %s", strings.Join(missing, ", "))
	}
	return nil
}

// fuzzOne runs one fuzz target for d. Go 1.26's fuzz coordinator can end a
// run that found nothing with "context deadline exceeded" when -fuzztime
// expires while a worker is busy (golang/go#75804, fixed in Go 1.27): such
// a run, with no failing input written, is run once more; any other
// failure, or the same one twice, fails.
func fuzzOne(ctx context.Context, pkg, name, d string) error {
	args := []string{"test", "-run", "^$", "-fuzz", "^" + name + "$", "-fuzztime", d, "-parallel", "2", pkg}
	for try := 1; ; try++ {
		fmt.Fprintln(os.Stderr, "+ go", strings.Join(args, " "))
		cmd := exec.CommandContext(ctx, "go", args...)
		var out strings.Builder
		cmd.Stdout = io.MultiWriter(os.Stdout, &out)
		cmd.Stderr = io.MultiWriter(os.Stderr, &out)
		err := cmd.Run()
		if err == nil {
			return nil
		}
		text := out.String()
		deadlineOnly := strings.Contains(text, "context deadline exceeded") &&
			!strings.Contains(text, "Failing input written to") && !strings.Contains(text, "panic:")
		if !deadlineOnly || try == 2 {
			return fmt.Errorf("go %s: %w", strings.Join(args, " "), err)
		}
		fmt.Fprintf(os.Stderr, "fuzz: %s ended at its deadline with no failing input (golang/go#75804); once more\n", name)
	}
}

// Lab runs only the namespace lab tests (TestLab*; needs root). They all
// live in the product module: the lab (guard/internal/lab) is internal to
// guard.
func Lab(ctx context.Context) error {
	mg.CtxDeps(ctx, Deps)
	return run(ctx, nil, "go", "test", "-count=1", "-run", "^TestLab", "./...")
}

// Bench runs the benchmarks: the healthy check against the seed script, side by side in the lab (needs root).
// With NETGUARD_BENCH_BASE set to a git revision, that revision's guard is
// built the same way and its healthy checks run interleaved with this
// tree's, in the same lab, so a change is measured against its base in one
// run rather than across two runs on a machine whose speed drifts.
func Bench(ctx context.Context) error {
	mg.CtxDeps(ctx, Deps)
	env := map[string]string{}
	if rev := os.Getenv("NETGUARD_BENCH_BASE"); rev != "" {
		bin, cleanup, err := buildRevision(ctx, rev)
		if err != nil {
			return err
		}
		defer cleanup()
		env["NETGUARD_BENCH_BASELINE"] = bin
		env["NETGUARD_BENCH_BASELINE_NAME"] = rev
	}
	return run(ctx, env, "go", "test", "-run", "^$", "-bench", "SideBySide", "-benchtime", "1x", "./guard/")
}

// buildRevision builds guard as of git revision rev (static, stripped,
// -trimpath, as the lab builds this tree's) from a copy of that revision's
// files in a temporary directory, and returns the binary.
func buildRevision(ctx context.Context, rev string) (bin string, cleanup func(), err error) {
	dir, err := os.MkdirTemp("", "netguard-bench-base-")
	if err != nil {
		return "", nil, err
	}
	cleanup = func() { os.RemoveAll(dir) }
	// The bench runs the binary as nobody too.
	if err := os.Chmod(dir, 0o755); err != nil {
		cleanup()
		return "", nil, err
	}
	src := filepath.Join(dir, "src")
	if err := run(ctx, nil, "git", "worktree", "add", "--detach", src, rev); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("bench base %s: %w", rev, err)
	}
	cleanup = func() {
		_ = run(context.Background(), nil, "git", "worktree", "remove", "--force", src)
		os.RemoveAll(dir)
	}
	bin = filepath.Join(dir, "guard")
	if err := runIn(ctx, src, static, "go", "build", "-trimpath", "-ldflags=-s -w", "-o", bin, "./guard"); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("bench base %s: %w", rev, err)
	}
	return bin, cleanup, nil
}

// run runs a command with extra environment, its output on ours, and
// says what it runs.
func run(ctx context.Context, env map[string]string, name string, args ...string) error {
	return runIn(ctx, ".", env, name, args...)
}

// runIn is run in directory dir (a module of modules).
func runIn(ctx context.Context, dir string, env map[string]string, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.Env = os.Environ()
	var prefix []string
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
		prefix = append(prefix, k+"="+v)
	}
	if dir != "." {
		prefix = append([]string{"(cd " + dir + ")"}, prefix...)
	}
	fmt.Fprintln(os.Stderr, "+", strings.Join(append(prefix, cmd.Args...), " "))
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w", strings.Join(cmd.Args, " "), err)
	}
	return nil
}
