//go:build mage

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/magefile/mage/mg"
)

// need is one thing the test command needs from the system: a program found
// on PATH (or a file, when the name is absolute) and the Debian package that
// provides it.
type need struct {
	name string // program name, or an absolute path for a file
	pkg  string // Debian package
	why  string // who needs it, printed when it is missing
}

// labNeeds is the one list of what the test command needs beyond Go and a
// C-free toolchain, on Linux where the lab tests run. .ci/run installs it
// through `mage deps`, so CI and a developer's machine read the same list.
var labNeeds = []need{
	{"ip", "iproute2", "the lab: namespaces, veth, routes, neighbors"},
	{"nft", "nftables", "the lab's faults (drops, loss, rejects)"},
	{"iptables-legacy", "iptables", "the legacy and iptables-nft firewall faults (iptables-legacy, iptables-nft)"},
	{"ping", "iputils-ping", "the lab's readiness check and faults"},
	{"dnsmasq", "dnsmasq-base", "the lab's DNS server"},
	{"getent", "libc-bin", "the lab's resolver check"},
	{"setpriv", "util-linux", "lab tests as an unprivileged user"},
	{"traceroute", "traceroute", "the seed script (bench baseline)"},
	{"arp", "net-tools", "the seed script (bench baseline)"},
	{"lsof", "lsof", "the seed script (bench baseline)"},
	{"bash", "bash", "the seed script (bench baseline)"},
	{"sudo", "sudo", "the privilege tests (a real sudoers rule)"},
	{"git", "git", "the hooks tests and the build's commit stamp"},
	{"curl", "curl", "the watch tests (metrics scrape)"},
	{"python3", "python3", "the lab's local faults and the launchd plist check"},
	{"systemd-analyze", "systemd", "the watch example's unit check"},
	{"docker-compose", "docker-compose", "the Compose example's validation"},
	{"unshare", "util-linux", "the probe tests' own network namespace"},
	{"mount", "mount", "the lab's private /run (PrivateRun)"},
	{"wg", "wireguard-tools", "the lab's WireGuard tunnels"},
	{"wg-quick", "wireguard-tools", "the lab's wg-quick tunnel and its down step"},
	{"wireguard-go", "wireguard-go", "the lab's WireGuard tunnels (the sandbox kernel has no module)"},
	{"/etc/ssl/certs/ca-certificates.crt", "ca-certificates", "module downloads over HTTPS"},
}

// sbinDirs hold system programs that a user's PATH often lacks (Debian's
// default user PATH has no sbin, and `sudo env PATH=$PATH` keeps it so).
var sbinDirs = []string{"/usr/local/sbin", "/usr/sbin", "/sbin"}

// needs returns what this machine's test run needs: the lab only runs on
// Linux, and so do the extra stages (Wine, release).
func needs() []need {
	if runtime.GOOS != "linux" {
		return []need{{"git", "git", "the hooks tests and the build's commit stamp"}}
	}
	return slices.Concat(labNeeds, wineNeeds, releaseNeeds)
}

// Deps checks that everything the test command needs is installed. As
// root on Debian or Ubuntu it installs what is missing with apt-get;
// elsewhere it stops with one line naming the packages. It also puts the
// sbin directories on PATH for every later stage, since the lab runs nft and
// dnsmasq by name.
func Deps(ctx context.Context) error {
	addSbinToPath()
	missing := missingNeeds(needs())
	if len(missing) == 0 {
		return nil
	}
	pkgs := packagesOf(missing)
	if os.Geteuid() != 0 || !isDebian() {
		return fmt.Errorf("deps: missing %s; install them first (Debian names): sudo apt-get install %s",
			namesOf(missing), strings.Join(pkgs, " "))
	}
	for _, n := range missing {
		fmt.Fprintf(os.Stderr, "deps: installing %s for %s (%s)\n", n.pkg, n.name, n.why)
	}
	env := map[string]string{"DEBIAN_FRONTEND": "noninteractive"}
	if err := run(ctx, env, "apt-get", "update", "-qq"); err != nil {
		return fmt.Errorf("deps: %w", err)
	}
	args := append([]string{"install", "-y", "-qq", "--no-install-recommends"}, pkgs...)
	fmt.Fprintln(os.Stderr, "+ apt-get", strings.Join(args, " "))
	cmd := exec.CommandContext(ctx, "apt-get", args...)
	cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	// dpkg's progress is hundreds of lines; it is shown only on failure.
	if out, err := cmd.CombinedOutput(); err != nil {
		os.Stderr.Write(out)
		return fmt.Errorf("deps: apt-get install: %w", err)
	}
	if still := missingNeeds(missing); len(still) > 0 {
		return fmt.Errorf("deps: still missing after apt-get install: %s", namesOf(still))
	}
	return nil
}

// missingNeeds returns the needs that are not on this machine.
func missingNeeds(ns []need) []need {
	var out []need
	for _, n := range ns {
		if filepath.IsAbs(n.name) {
			if _, err := os.Stat(n.name); err == nil {
				continue
			}
		} else if _, err := exec.LookPath(n.name); err == nil {
			continue
		}
		out = append(out, n)
	}
	return out
}

// missingError is nil when every one of ns is here, else the one line a
// stage stops with: head ("wine: missing"), the names and the packages.
func missingError(head string, ns []need) error {
	missing := missingNeeds(ns)
	if len(missing) == 0 {
		return nil
	}
	return mg.Fatalf(1, "%s %s (apt-get install %s, or run mage deps as root)", head, namesOf(missing), strings.Join(packagesOf(missing), " "))
}

// packagesOf returns the packages of ns, each once, in order.
func packagesOf(ns []need) []string {
	var pkgs []string
	for _, n := range ns {
		if !slices.Contains(pkgs, n.pkg) {
			pkgs = append(pkgs, n.pkg)
		}
	}
	return pkgs
}

func namesOf(ns []need) string {
	names := make([]string, len(ns))
	for i, n := range ns {
		names[i] = n.name
	}
	return strings.Join(names, ", ")
}

// isDebian reports whether apt-get and dpkg's database are here: Debian,
// Ubuntu and their derivatives.
func isDebian() bool {
	if _, err := exec.LookPath("apt-get"); err != nil {
		return false
	}
	_, err := os.Stat("/var/lib/dpkg/status")
	return err == nil
}

// addSbinToPath appends the sbin directories that PATH lacks.
func addSbinToPath() {
	if runtime.GOOS == "windows" {
		return
	}
	path := os.Getenv("PATH")
	dirs := filepath.SplitList(path)
	for _, d := range sbinDirs {
		if !slices.Contains(dirs, d) {
			path += string(os.PathListSeparator) + d
		}
	}
	os.Setenv("PATH", path)
}

// stage is one step of the test command.
type stage struct {
	name string
	run  func(context.Context) error
}

// runStages runs every stage, even after one fails, so one run shows every
// failure; at the end it prints each stage's outcome and fails if any did.
// A stage marked stop ends the run when it fails (nothing after it can
// pass).
func runStages(ctx context.Context, stages []stage, stopOnFail map[string]bool) error {
	type outcome struct {
		name, result string
	}
	var results []outcome
	var failed []string
	stopped := false
	for _, s := range stages {
		if stopped || ctx.Err() != nil {
			results = append(results, outcome{s.name, "not run"})
			continue
		}
		fmt.Fprintf(os.Stderr, "\n=== stage %s\n", s.name)
		if err := s.run(ctx); err != nil {
			fmt.Fprintf(os.Stderr, "stage %s failed: %v\n", s.name, err)
			results = append(results, outcome{s.name, "FAILED"})
			failed = append(failed, s.name)
			stopped = stopOnFail[s.name]
			continue
		}
		results = append(results, outcome{s.name, "ok"})
	}
	fmt.Fprintln(os.Stderr, "\n=== stages")
	for _, r := range results {
		fmt.Fprintf(os.Stderr, "%-16s %s\n", r.name, r.result)
	}
	if len(failed) > 0 {
		return errors.New("failed stages: " + strings.Join(failed, ", "))
	}
	return nil
}
