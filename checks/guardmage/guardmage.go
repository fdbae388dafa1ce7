// Package guardmage is netguard as Mage targets: importing it into a
// magefile gives `mage guard:check` and `mage guard:fix`, which run the
// engine in-process (no guard binary needed) and fail the build with the
// manual steps when the network stack is unhealthy.
//
//	//go:build mage
//
//	package main
//
//	import (
//		"context"
//
//		"github.com/magefile/mage/mg"
//		//mage:import
//		"github.com/netguard/netguard/checks/guardmage"
//	)
//
//	// Start starts the dev environment once the network is known good.
//	func Start(ctx context.Context) error {
//		mg.CtxDeps(ctx, guardmage.Guard.Check)
//		return startServers(ctx)
//	}
//
// With `//mage:import netguard` the targets are netguard:guard:check and
// netguard:guard:fix. A Start that is not a Mage dependency graph can call
// Require directly. Settings come from .netguard.yaml and NETGUARD_*
// exactly as for the guard binary; NETGUARD_SKIP=1 skips with one line.
//
// The package imports only mage's mg and netguard's own packages, since a
// magefile's dependencies become the importing project's (magefile/mage#502).
package guardmage

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/magefile/mage/mg"
	"github.com/netguard/netguard/checks"
	"github.com/netguard/netguard/checks/config"
	"github.com/netguard/netguard/checks/textreport"
)

// Guard is the namespace of the netguard targets.
type Guard mg.Namespace

// Check stops the build when the network stack is unhealthy; it changes nothing.
//
// It runs the same checks as `guard check` in-process, prints a short
// summary on stderr and fails with exit code 1 and the manual steps when
// the verdict is unhealthy (2 for a bad .netguard.yaml or NETGUARD_*
// value). Healthy, degraded and repaired let the build go on. Settings:
// .netguard.yaml and NETGUARD_EXTERNAL, NETGUARD_DNS, NETGUARD_GATEWAY,
// NETGUARD_TIMEOUT, NETGUARD_CONFIG. NETGUARD_SKIP=1 skips it.
func (Guard) Check(ctx context.Context) error { return Require(ctx) }

// Fix repairs what is safe to repair, then stops the build if the network is still unhealthy.
//
// Like `guard fix`, in-process: repairs that need privilege run only when
// mage runs as root; otherwise they are reported with the command to run
// (or use the guard binary, whose `guard fix` can re-run itself with sudo).
func (Guard) Fix(ctx context.Context) error { return Require(ctx, Repair()) }

// Option changes what Require does.
type Option func(*settings)

type settings struct{ fix bool }

// Repair makes Require climb the repair ladder before deciding, as Fix does.
func Repair() Option { return func(s *settings) { s.fix = true } }

// FixTarget is how a manual step names the repair target. A magefile that
// imports this package under a namespace (//mage:import netguard) sets it
// to "mage netguard:guard:fix".
var FixTarget = "mage guard:fix"

// Seams for tests: the environment, where the summary goes, the engine.
var (
	getenv              = os.Getenv
	stderr    io.Writer = os.Stderr
	newEngine           = checks.New
)

// Require returns nil when the network lets a start go on, and otherwise
// an error carrying exit code 1 (mg.ExitStatus) and the manual steps; 2
// for bad settings. It is what the targets run, for a project's own Start
// that calls it directly. (Its options make it a function Mage does not
// list as a target of its own.)
func Require(ctx context.Context, opts ...Option) error {
	var s settings
	for _, o := range opts {
		o(&s)
	}
	skip, err := config.Skip(getenv)
	if err != nil {
		return mg.Fatalf(2, "netguard: %v", err)
	}
	if skip {
		fmt.Fprintln(stderr, "netguard: skipped (NETGUARD_SKIP is set)")
		return nil
	}
	cwd, err := os.Getwd()
	if err != nil {
		return mg.Fatalf(2, "netguard: %v", err)
	}
	warn := func(msg string) { fmt.Fprintln(stderr, "netguard: warning: "+textreport.Sanitize(msg)) }
	o, out, err := config.LoadAll(getenv(config.EnvName("config")), config.NewEnv(getenv, cwd, warn))
	if err == nil {
		err = o.Validate()
	}
	if err != nil {
		return mg.Fatalf(2, "netguard: %s", textreport.Sanitize(err.Error()))
	}
	o.FixCommand = FixTarget
	eng := newEngine()
	var rep *checks.Report
	if s.fix {
		// No Elevate: in-process repairs need this process to be root, and
		// a refused one says so ("not permitted (needs root)") with the
		// step that runs the target as root.
		rep = eng.Fix(ctx, o, checks.FixOptions{
			HelperHint: `sudo env "PATH=$PATH" ` + FixTarget + "  # the repairs need root; or guard fix, which runs a root-owned guard through sudo",
		})
	} else {
		rep = eng.Check(ctx, o)
	}
	// The same lines as the guard binary's, from the same formatter; no
	// explain hint, since no guard binary need be installed.
	lo := textreport.Options{}
	if out.Quiet != nil {
		lo.Quiet = *out.Quiet
	}
	if out.Verbose != nil {
		lo.Verbose = *out.Verbose && !lo.Quiet
	}
	for _, l := range textreport.Lines(rep, lo) {
		fmt.Fprintln(stderr, l.String())
	}
	if rep.Verdict.OK() {
		return nil
	}
	if s.fix {
		why := "the safe repairs did not help"
		switch {
		case slices.ContainsFunc(rep.Repairs, func(r checks.Repair) bool { return r.Outcome == checks.OutcomeNotPermitted }):
			why = "nothing was repaired: the repairs need root (the last step above runs this target as root)"
		case len(rep.Repairs) == 0:
			why = "nothing here can be repaired automatically"
		}
		return mg.Fatalf(1, "netguard: network still unhealthy; %s; the steps are above (skip once with NETGUARD_SKIP=1)", why)
	}
	return mg.Fatal(1, "netguard: network unhealthy; not starting (the steps are above; skip once with NETGUARD_SKIP=1)")
}
