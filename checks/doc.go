// Package checks decides whether this machine's network path can carry a
// dev environment's start, and if not, names the culprit: the engine that
// observes the machine into a netstate.State, runs the pure diagnosis of
// checks/diagnose over it, climbs the repair ladder and writes the report.
//
// The OS layers and the probes implement the interfaces of
// checks/netstate (System and its optional capabilities, Prober), which
// imports neither them nor checks; New wires the real ones, and tests
// replace both with checks/checkstest's fakes.
//
// # Architecture
//
// One run of `guard check`, step by step, with the package of each step:
//
//  1. Flags: guard (cli.go, flags.go) parses the command line into Options
//     (options.go), with one-line errors and exit 2 for bad input.
//  2. Configuration: checks/config reads .netguard.yaml files and
//     NETGUARD_* variables into the same Options; flags win.
//  3. Collect: Engine.Collect (engine.go) reads the kernel's tables
//     through System and runs the probes through Prober, in parallel under
//     one deadline and probe window (window.go), into a netstate.State.
//     It decides nothing and changes nothing. The real System is
//     checks/internal/sys (one rtnetlink socket on Linux, the routing
//     socket and sysctl on macOS, the IP helper API on Windows), the real
//     Prober checks/probe; New wires both into an Engine.
//  4. Diagnose: diagnose.Diagnose turns a State into check statuses and
//     findings: a pure function without I/O, table-tested on every OS.
//  5. Findings: diagnose's catalog holds each finding's ID, severity,
//     summary, repair rung, explanation and manual steps per OS.
//  6. Ladder: Engine.Fix (fix.go) climbs the repair rungs for the error
//     findings and verifies after each; Engine.Repair (authorize.go) is the
//     privileged helper's one action, refused unless the tables still show
//     the finding it repairs.
//  7. Report: NewReport (report.go) is the JSON contract; checks/textreport
//     turns it into the lines a person reads, for guard, checks/watch and
//     checks/guardmage alike.
//
// Around that pipeline: checks/watch re-runs it on network change events,
// checks/guardmage exposes it as Mage targets, and hooks runs it from git
// hooks.
package checks
