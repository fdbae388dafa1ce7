//go:build linux

package lab

import (
	"bytes"
	"context"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// Snapshot returns the client's neighbor entries, routes (both families,
// all tables), links and addresses as text that changes only when the
// tables do, so a test can assert that a read-only run changed nothing:
//
//	before := l.Snapshot(t); run(); if after := l.Snapshot(t); after != before { ... }
//
// What the kernel changes by itself is normalised away: the states of
// dynamic neighbor entries (REACHABLE, STALE, DELAY, PROBE all read
// "dynamic"), entries still being resolved or failed (INCOMPLETE, FAILED,
// NONE: traffic creates and ages them), dynamic entries of IPv6
// link-local neighbors (NDP traffic learns them), and lifetimes and "used"
// counters.
// The name of a veth's peer namespace reads "PEER" (ip resolves it by
// scanning /run/netns, which races with other labs' teardown). A permanent
// entry, a MAC, a route, a link flag or an address that changes shows.
func (l *Lab) Snapshot(t testing.TB) string {
	t.Helper()
	var b strings.Builder
	for _, s := range []struct {
		title string
		args  []string
		norm  func(string) string
	}{
		{"neighbors", []string{"-d", "neigh", "show", "nud", "all"}, normNeigh},
		{"routes ipv4", []string{"-d", "-4", "route", "show", "table", "all"}, normRoute},
		{"routes ipv6", []string{"-d", "-6", "route", "show", "table", "all"}, normRoute},
		{"rules ipv4", []string{"-4", "rule", "show"}, nil},
		{"rules ipv6", []string{"-6", "rule", "show"}, nil},
		{"links", []string{"-d", "link", "show"}, normLink},
		{"addresses", []string{"-d", "addr", "show"}, normAddr},
	} {
		// stdout only: ip warns on stderr when a namespace it looks at
		// while naming a link's peer vanishes (another lab's teardown).
		ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
		var out, errb bytes.Buffer
		cmd := exec.CommandContext(ctx, "ip", append([]string{"-n", l.Client}, s.args...)...)
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		cancel()
		if err != nil {
			t.Fatalf("lab %s: ip -n %s %s: %v\n%s%s", l.Prefix, l.Client, strings.Join(s.args, " "), err, out.String(), errb.String())
		}
		text := peerNetns.ReplaceAllString(out.String(), "link-netns PEER")
		if s.norm != nil {
			text = s.norm(text)
		}
		b.WriteString("== " + s.title + "\n" + text)
		if !strings.HasSuffix(text, "\n") && text != "" {
			b.WriteString("\n")
		}
	}
	return b.String()
}

var (
	dynamicState = regexp.MustCompile(`\b(REACHABLE|STALE|DELAY|PROBE)\b`)
	transient    = regexp.MustCompile(`\b(INCOMPLETE|FAILED|NONE)\b`)
	lifetimes    = regexp.MustCompile(`\b(expires|used|valid_lft|preferred_lft|probes)\s+\S+`)
	spaces       = regexp.MustCompile(`[ \t]+`)
	// A bridge's timers and topology counters run by themselves.
	bridgeClock = regexp.MustCompile(`\b(\w+_timer|topology_change\w*)\s+\S+`)
	// ip names a veth's peer namespace by scanning /run/netns, and prints
	// its id instead when that scan races with another lab's teardown.
	peerNetns = regexp.MustCompile(`\blink-netns(id)? \S+`)
)

// normNeigh keeps one sorted line per stable entry.
func normNeigh(s string) string {
	var lines []string
	for _, ln := range strings.Split(s, "\n") {
		ln = strings.TrimSpace(ln)
		if ln == "" || transient.MatchString(ln) {
			continue
		}
		// Multicast entries (224.0.0.22, ff02::16) appear when a new
		// interface joins its groups: the kernel, not a change.
		if strings.Contains(ln, " NOARP") && (strings.HasPrefix(ln, "224.") || strings.HasPrefix(ln, "ff0")) {
			continue
		}
		ln = dynamicState.ReplaceAllString(ln, "dynamic")
		// Dynamic entries for IPv6 link-local neighbors appear whenever
		// NDP traffic flows (the router's fe80:: answers a solicitation,
		// more of them under packet loss): the kernel learning, not a
		// change anyone made.
		if strings.HasPrefix(ln, "fe80:") && strings.Contains(ln, " dynamic") {
			continue
		}
		// The first packet over loopback makes the kernel create the
		// loopback device's one NOARP entry (key 0.0.0.0: lo resolves
		// nothing): traffic, not a change anyone made.
		if strings.Contains(ln, " dev lo ") && strings.HasSuffix(ln, "NOARP") {
			continue
		}
		ln = lifetimes.ReplaceAllString(ln, "")
		lines = append(lines, strings.TrimSpace(spaces.ReplaceAllString(ln, " ")))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n") + "\n"
}

// normRoute drops lifetimes and sorts, since a dump's order is not a
// property of the table.
func normRoute(s string) string {
	var lines []string
	for _, ln := range strings.Split(s, "\n") {
		ln = strings.TrimSpace(lifetimes.ReplaceAllString(ln, ""))
		if ln == "" {
			continue
		}
		lines = append(lines, spaces.ReplaceAllString(ln, " "))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n") + "\n"
}

// normLink drops a bridge's running timers.
func normLink(s string) string { return bridgeClock.ReplaceAllString(s, "$1") }

// normAddr drops address lifetimes (and, as -d repeats the link's
// details, a bridge's timers).
func normAddr(s string) string {
	var lines []string
	for _, ln := range strings.Split(s, "\n") {
		ln = strings.TrimRight(lifetimes.ReplaceAllString(bridgeClock.ReplaceAllString(ln, "$1"), ""), " \t")
		if strings.TrimSpace(ln) == "" {
			continue
		}
		lines = append(lines, ln)
	}
	return strings.Join(lines, "\n") + "\n"
}
