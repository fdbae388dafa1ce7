//go:build linux

package main

// Lab tests of the ports read from the project: the real binary run with
// no --ports from a repository whose Compose file publishes ports, one of
// them held by a listener the test starts in the client namespace; and the
// developer's project file read by root under sudo (SUDO_UID).

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/netguard/netguard/checks/diagnose"
	"github.com/netguard/netguard/guard/internal/lab"
)

// portsCheck returns the ports check of a report, failing without one.
func portsCheck(t *testing.T, r *labRun) (status, detail string) {
	t.Helper()
	if r.rep == nil {
		t.Fatalf("no report; %v", r)
	}
	for _, c := range r.rep.Checks {
		if c.ID == "ports" {
			return c.Status, c.Detail
		}
	}
	t.Fatalf("no ports check; %v", r)
	return "", ""
}

func writeLabFile(t *testing.T, path, src string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A Compose file publishes three TCP ports and a UDP one; a process holds
// one of the TCP ports. guard check with no --ports names that port, its
// holder and the service it is for, and exits 1; with the holder gone the
// same run is healthy and says where each port came from.
func TestLabPortsFromCompose(t *testing.T) {
	lab.RequireRoot(t)
	cl := newConfigLab(t, "")
	writeLabFile(t, filepath.Join(cl.repo, "compose.yaml"), `services:
  web:
    image: nginx
    ports:
      - "127.0.0.1:18080:80"
      - "${API_PORT:-18081}:8081"
      - "18053:53/udp"
  db:
    image: postgres
    ports:
      - target: 5432
        published: "15432"
        protocol: tcp
`)
	args := labArgs()

	// All free: healthy, and the ports check names each source.
	for _, u := range usersBoth() {
		r := cl.run(t, cl.repo, u, nil, args...)
		if r.exit != 0 || r.rep == nil || r.rep.Verdict != "healthy" {
			t.Fatalf("as %s: want exit 0 healthy with every port free; %v", r.who(), r)
		}
		st, detail := portsCheck(t, r)
		for _, want := range []string{"127.0.0.1:18080 (compose.yaml:web) free", "18081 (compose.yaml:web) free", "15432 (compose.yaml:db) free", "18053:53/udp not checked"} {
			if !strings.Contains(detail, want) {
				t.Errorf("as %s: ports detail %q lacks %q", r.who(), detail, want)
			}
		}
		if st != "pass" {
			t.Errorf("as %s: ports %s, want pass", r.who(), st)
		}
	}

	// One taken: the port, its holder and the service are named.
	pid := strconv.Itoa(cl.Listen(cl.Client, "nobody", "0.0.0.0", 18081))
	for _, u := range usersBoth() {
		r := cl.run(t, cl.repo, u, nil, args...)
		if r.exit != 1 || r.rep == nil || r.rep.Verdict != "unhealthy" {
			t.Fatalf("as %s: want exit 1 unhealthy; %v", r.who(), r)
		}
		var f string
		for _, x := range r.rep.Findings {
			if x.ID == diagnose.PortInUse.ID {
				f = x.Summary
			}
		}
		if !strings.Contains(f, "18081") || !strings.Contains(f, "(pid "+pid+")") {
			t.Errorf("as %s: port-in-use summary %q, want port 18081 and pid %s; %v", r.who(), f, pid, r)
		}
		if !strings.Contains(r.rep.Summary, "18081") {
			t.Errorf("as %s: report summary %q does not name the port", r.who(), r.rep.Summary)
		}
		if st, detail := portsCheck(t, r); st != "fail" || !strings.Contains(detail, "18081 (compose.yaml:web): in use by") {
			t.Errorf("as %s: ports %s %q", r.who(), st, detail)
		}
	}

	// -v says the same on stderr; an explicit --ports replaces the
	// project's ports.
	r := cl.run(t, cl.repo, "nobody", nil, "check", "-v", "--external", lab.ExternalIP, "--dns", lab.DNSName, "--timeout", labTimeout.String())
	if r.exit != 1 || !strings.Contains(r.stderr, "compose.yaml:web") {
		t.Errorf("-v: want exit 1 naming compose.yaml:web; %v", r)
	}
	r = cl.run(t, cl.repo, "nobody", nil, append(args, "--ports", "15432")...)
	if st, detail := portsCheck(t, r); r.exit != 0 || st != "pass" || strings.Contains(detail, "compose.yaml") {
		t.Errorf("--ports 15432: want exit 0 and only that port; %s %q; %v", st, detail, r)
	}
}

// Under sudo, root reads the developer's project file (owned by them, here
// nobody) with a project file's limits: its ports count, its gateway does
// not. Without SUDO_UID the file is another user's and is skipped.
func TestLabSudoReadsInvokersProject(t *testing.T) {
	lab.RequireRoot(t)
	cl := newConfigLab(t, "")
	p := filepath.Join(cl.repo, ".netguard.yaml")
	writeLabFile(t, p, "ports: [18090]\ngateway: 198.18.3.77\n")
	for _, path := range []string{p, cl.repo} {
		if err := os.Chown(path, 65534, 65534); err != nil {
			t.Fatal(err)
		}
	}
	pid := strconv.Itoa(cl.Listen(cl.Client, "nobody", "0.0.0.0", 18090))
	args := labArgs()

	r := cl.run(t, cl.repo, "", []string{"SUDO_UID=65534", "SUDO_GID=65534", "SUDO_USER=nobody"}, args...)
	if r.exit != 1 || r.rep == nil || !strings.Contains(r.rep.Summary, "(pid "+pid+")") {
		t.Errorf("root under sudo: want the developer's port 18090 checked and its holder named; %v", r)
	}
	wantStderr(t, r, ":2: ignoring gateway: a project file may not aim repairs")

	r = cl.run(t, cl.repo, "", nil, args...)
	if r.exit != 0 || r.rep == nil || r.rep.Verdict != "healthy" {
		t.Errorf("root without SUDO_UID: want the file skipped and a healthy run; %v", r)
	}
	wantStderr(t, r, "owned by uid 65534, not by you (uid 0) or root, and SUDO_UID is not set")
}

// A project's port held by a process this user cannot see (rootful
// Docker's docker-proxy runs as root) may be the project's own container,
// already up: a warning for nobody, exit 0. Root sees the holder, which is
// no container publisher here, and the start is blocked.
func TestLabPortsHiddenHolder(t *testing.T) {
	lab.RequireRoot(t)
	cl := newConfigLab(t, "")
	writeLabFile(t, filepath.Join(cl.repo, "docker-compose.yml"), "services:\n  db:\n    ports: [\"15432:5432\"]\n")
	pid := strconv.Itoa(cl.Listen(cl.Client, "", "0.0.0.0", 15432))
	args := labArgs()

	r := cl.run(t, cl.repo, "nobody", nil, args...)
	if r.exit != 0 || r.rep == nil || r.rep.Verdict != "degraded" {
		t.Fatalf("as nobody: want exit 0 degraded; %v", r)
	}
	var sev, summary string
	for _, f := range r.rep.Findings {
		if f.ID == diagnose.PortInUse.ID {
			sev, summary = f.Severity, f.Summary
		}
	}
	if sev != "warning" || !strings.Contains(summary, "15432") || !strings.Contains(summary, "this project's own container") {
		t.Errorf("as nobody: port-in-use %s %q, want a warning naming 15432; %v", sev, summary, r)
	}
	if st, detail := portsCheck(t, r); st != "warn" || !strings.Contains(detail, "15432 (docker-compose.yml:db): in use by") {
		t.Errorf("as nobody: ports %s %q", st, detail)
	}

	r = cl.run(t, cl.repo, "", nil, args...)
	if r.exit != 1 || r.rep == nil || !strings.Contains(r.rep.Summary, "(pid "+pid+")") {
		t.Errorf("as root: want exit 1 naming pid %s; %v", pid, r)
	}
}
