//go:build linux

package lab

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// GuardPackage is the import path of the binary Build compiles.
const GuardPackage = "github.com/netguard/netguard/guard"

// PreflightPackage is the minimal parallel pre-flight the benchmark
// measures guard against (see guard/internal/lab/preflight).
const PreflightPackage = "github.com/netguard/netguard/guard/internal/lab/preflight"

// buildDir is the 0755 directory the binaries go to, made once.
var buildDir struct {
	once sync.Once
	dir  string
	err  error
}

type buildResult struct {
	once sync.Once
	bin  string
	err  error
	out  []byte
}

// PhyslimitPackage is the physical limit of a healthy check: the same work
// with bare system calls on one thread (see guard/internal/lab/physlimit).
const PhyslimitPackage = "github.com/netguard/netguard/guard/internal/lab/physlimit"

// MagePackage is mage itself, from the module cache (mage is in go.mod),
// for the tests that run the mage project example.
const MagePackage = "github.com/magefile/mage"

// CardFloorPackage links the design card's kept libraries and does nothing:
// the start-up floor of any guard (the benchmark's row beside the floor).
const CardFloorPackage = "github.com/netguard/netguard/guard/internal/lab/cardfloor"

// PeakRSSPackage runs a command and reports its own peak resident set
// (see guard/internal/lab/peakrss for why a Go parent cannot).
const PeakRSSPackage = "github.com/netguard/netguard/guard/internal/lab/peakrss"

var builds = map[string]*buildResult{GuardPackage: {}, PreflightPackage: {}, PhyslimitPackage: {}, CardFloorPackage: {}, PeakRSSPackage: {}, MagePackage: {}}

// Build compiles the real guard binary once per test process (`go build
// -o DIR/guard github.com/netguard/netguard/guard` from the test's working
// directory, which is inside the module) and returns its path. DIR is a
// fresh 0755 directory under os.TempDir, so an unprivileged user (CmdAs) can
// run the binary. Call RemoveBuild from TestMain after m.Run to delete it.
// Without RemoveBuild the directory stays until the next Build in any
// process, which removes those of processes that have exited. A failed
// build fails every test that asks for the binary.
func Build(t testing.TB) string { return buildPackage(t, GuardPackage, "guard") }

// BuildPreflight compiles the minimal pre-flight like Build.
func BuildPreflight(t testing.TB) string { return buildPackage(t, PreflightPackage, "preflight") }

// BuildPhyslimit compiles the physical-limit program like Build.
func BuildPhyslimit(t testing.TB) string { return buildPackage(t, PhyslimitPackage, "physlimit") }

// BuildCardFloor compiles the design card's start-up floor like Build.
func BuildCardFloor(t testing.TB) string { return buildPackage(t, CardFloorPackage, "cardfloor") }

// BuildPeakRSS compiles the peak-RSS reporter like Build.
func BuildPeakRSS(t testing.TB) string { return buildPackage(t, PeakRSSPackage, "peakrss") }

// BuildMage compiles mage like Build.
func BuildMage(t testing.TB) string { return buildPackage(t, MagePackage, "mage") }

func buildPackage(t testing.TB, pkg, name string) string {
	t.Helper()
	buildDir.once.Do(func() {
		sweepBuilds()
		dir, err := os.MkdirTemp("", buildPrefix+strconv.Itoa(os.Getpid())+"-")
		if err == nil {
			err = os.Chmod(dir, 0o755)
		}
		buildDir.dir, buildDir.err = dir, err
	})
	if buildDir.err != nil {
		t.Fatalf("lab: build directory: %v", buildDir.err)
	}
	b := builds[pkg]
	b.once.Do(func() {
		bin := filepath.Join(buildDir.dir, name)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, goTool(), "build", "-trimpath", "-ldflags=-s -w", "-o", bin, pkg)
		// Built as released: static, no cgo (no dynamic loader at start-up,
		// the Go resolver), stripped, like magefiles' Build.
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		b.out, b.err = cmd.CombinedOutput()
		if b.err == nil {
			b.bin = bin
		}
	})
	if b.err != nil {
		t.Fatalf("lab: go build %s: %v\n%s", pkg, b.err, b.out)
	}
	return b.bin
}

const buildPrefix = "netguard-guard-"

// sweepBuilds removes build directories left by test processes that have
// exited without calling RemoveBuild (the name carries the builder's pid),
// and any older than a day.
func sweepBuilds() {
	old, _ := filepath.Glob(filepath.Join(os.TempDir(), buildPrefix+"*"))
	for _, d := range old {
		fi, err := os.Stat(d)
		if err != nil || !fi.IsDir() {
			continue
		}
		pid, _, _ := strings.Cut(strings.TrimPrefix(filepath.Base(d), buildPrefix), "-")
		_, err = os.Stat("/proc/" + pid)
		if errors.Is(err, os.ErrNotExist) || time.Since(fi.ModTime()) > 24*time.Hour {
			_ = os.RemoveAll(d)
		}
	}
}

// RemoveBuild deletes what Build made. Safe to call when Build never ran.
func RemoveBuild() {
	if buildDir.dir != "" {
		_ = os.RemoveAll(buildDir.dir)
	}
}

// goTool is the go command on PATH, else the one in $GOROOT/bin.
func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	if root := os.Getenv("GOROOT"); root != "" {
		return filepath.Join(root, "bin", "go")
	}
	return "go"
}
