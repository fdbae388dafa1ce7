//go:build linux

package main

// Lab tests of config trust: the real binary in a
// lab, run from a repository whose .netguard.yaml is hostile, as root and
// as nobody. A project file may lower privilege, never raise it or aim a
// repair; files that are not the user's are skipped with one line; bounds
// are refused with exit 2, never a panic; the watcher's files are never
// reached through a link.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/netguard/netguard/guard/internal/lab"
)

// silentIP is in the lab's internet subnet but held by no host: probes to
// it stay inside the lab and get no answer.
const silentIP = "203.0.113.200"

// configLab is a lab with a user config (XDG_CONFIG_HOME of Cmd and CmdAs)
// and a repository directory (with .git) to run guard from.
type configLab struct {
	*lab.Lab
	bin  string
	repo string
}

func newConfigLab(t *testing.T, userConfig string) *configLab {
	t.Helper()
	l := lab.New(t)
	cl := &configLab{Lab: l, bin: lab.Build(t), repo: filepath.Join(l.Dir, "repo")}
	mkdirMode(t, filepath.Join(cl.repo, ".git"), 0o755)
	mkdirMode(t, cl.repo, 0o755)
	if userConfig != "" {
		p := filepath.Join(l.Dir, "config", "netguard", "config.yaml")
		mkdirMode(t, filepath.Dir(p), 0o755)
		mkdirMode(t, filepath.Dir(filepath.Dir(p)), 0o755)
		if err := os.WriteFile(p, []byte(userConfig), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return cl
}

func mkdirMode(t *testing.T, dir string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, mode); err != nil {
		t.Fatal(err)
	}
}

// project writes the repository's .netguard.yaml.
func (cl *configLab) project(t *testing.T, src string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(cl.repo, ".netguard.yaml"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
}

// run runs guard in dir as user ("" is root), bounded, like
// runLabGuardEnv, and decodes a JSON report when there is one.
func (cl *configLab) run(t *testing.T, dir, user string, env []string, args ...string) *labRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	argv := append([]string{cl.bin}, args...)
	cmd := cl.Cmd(ctx, cl.Client, argv...)
	if user != "" {
		cmd = cl.CmdAs(ctx, cl.Client, user, argv...)
	}
	cmd.Dir = dir
	cmd.Env = append(cmd.Env, env...)
	start := time.Now()
	stdout, stderr, exit, err := lab.Capture(cmd)
	r := &labRun{user: user, exit: exit, elapsed: time.Since(start), stdout: stdout, stderr: stderr}
	if err != nil {
		// Also a child of guard holding its output past WaitDelay.
		t.Fatalf("%s: %v", strings.Join(cmd.Args, " "), err)
	}
	if ctx.Err() != nil {
		t.Fatalf("guard %s did not exit within 30 s; %v", strings.Join(args, " "), r)
	}
	if strings.Contains(r.stderr, "panic") || strings.Contains(r.stderr, "goroutine ") || r.exit == int(exitInternal) {
		t.Fatalf("crash; %v", r)
	}
	for _, line := range strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n") {
		if strings.ContainsAny(line, "\x1b\a\r") {
			t.Errorf("control characters on stderr: %q", line)
		}
	}
	if r.exit != 2 && strings.HasPrefix(strings.TrimSpace(r.stdout), "{") {
		r.rep = &labReport{}
		if err := json.Unmarshal([]byte(r.stdout), r.rep); err != nil {
			r.parseErr = err
			r.rep = nil
		}
	}
	return r
}

// wantStderr fails unless stderr holds every substring.
func wantStderr(t *testing.T, r *labRun, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(r.stderr, s) {
			t.Errorf("stderr lacks %q; %v", s, r)
		}
	}
}

// usageError fails t unless r exited 2 with exactly one line on stderr
// that says want.
func usageError(t *testing.T, r *labRun, want string) {
	t.Helper()
	if r.exit != 2 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, want) {
		t.Errorf("want exit 2 and one line with %q; %v", want, r)
	}
}

func usersBoth() []string { return []string{"", "nobody"} }

// The user says sudo never; the repository says auto. Even with a sudoers
// rule that would let nobody repair without a password, nothing is tried:
// the repair is "not permitted (--sudo never)" and the network unchanged.
func TestLabProjectCannotRaiseSudo(t *testing.T) {
	lab.RequireRoot(t)
	lab.RequireSudo(t)
	cl := newConfigLab(t, "sudo: never\n")
	rule := filepath.Join("/etc/sudoers.d", "netguard-test-cfg-"+filepath.Base(cl.Client))
	if err := os.WriteFile(rule, []byte(fmt.Sprintf("nobody ALL=(root) NOPASSWD: %s repair *\n", cl.bin)), 0o440); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(rule) })
	cl.WrongGatewayMAC()
	before := cl.Snapshot(t)
	cl.project(t, "sudo: auto\n")
	r := cl.run(t, cl.repo, "nobody", nil, fixArgs()...)
	if r.exit != 1 || r.rep == nil || r.rep.Verdict != "unhealthy" {
		t.Fatalf("want exit 1 unhealthy, nothing repaired; %v", r)
	}
	rs := repairsOf(t, r)
	if len(rs) == 0 || !strings.Contains(rs[0].Result, "--sudo never") {
		t.Errorf("repairs %+v, want not permitted (--sudo never)", rs)
	}
	wantStderr(t, r, "guard: warning: "+filepath.Join(cl.repo, ".netguard.yaml")+":1: ignoring sudo auto: a project file may only lower it (yours is never")
	if after := cl.Snapshot(t); after != before {
		t.Errorf("the network changed:\n%s\n---\n%s", before, after)
	}
	// sudo prompt without a terminal would be a usage error if it were
	// taken; it is ignored instead, and the default (auto) holds.
	cl2 := newConfigLab(t, "")
	cl2.project(t, "sudo: prompt\n")
	for _, u := range usersBoth() {
		r := cl2.run(t, cl2.repo, u, nil, fixArgs()...)
		if r.exit != 0 || r.rep == nil || r.rep.Verdict != "healthy" {
			t.Errorf("as %s: want exit 0 healthy; %v", r.who(), r)
		}
		wantStderr(t, r, "ignoring sudo prompt")
	}
}

// The repository names another gateway; root's guard fix repairs the real
// one and leaves the named host's permanent entry alone.
func TestLabProjectCannotAimRepair(t *testing.T) {
	lab.RequireRoot(t)
	cl := newConfigLab(t, "")
	const other, otherMAC = "198.18.3.77", "02:00:00:00:00:77"
	cl.Run(t, cl.Client, "ip", "neigh", "replace", other, "lladdr", otherMAC, "dev", cl.ClientIf, "nud", "permanent")
	cl.WrongGatewayMAC()
	cl.project(t, "gateway: "+other+"\nexternal: ["+silentIP+"]\n")
	r := cl.run(t, cl.repo, "", nil, "fix", "--json", "--dns", lab.DNSName, "--timeout", "5s", "--external", lab.ExternalIP)
	if r.exit != 0 || r.rep == nil || r.rep.Verdict != "repaired" {
		t.Errorf("want the real gateway repaired; %v", r)
	}
	for _, rp := range repairsOf(t, r) {
		if strings.Contains(rp.Target, other) {
			t.Errorf("a repair aimed at %s: %+v", other, rp)
		}
	}
	wantStderr(t, r, ":1: ignoring gateway: a project file may not aim repairs")
	out, _, _ := cl.Run(t, cl.Client, "ip", "-4", "neigh", "show", other)
	if !strings.Contains(out, otherMAC) || !strings.Contains(out, "PERMANENT") {
		t.Errorf("%s's permanent entry is now %q", other, strings.TrimSpace(out))
	}
	// A trusted repository may name the gateway: then the check aims at
	// it (and finds it does not answer), which proves the opt-in works.
	trusted := newConfigLab(t, "")
	p := filepath.Join(trusted.Dir, "config", "netguard", "config.yaml")
	mkdirMode(t, filepath.Dir(p), 0o755)
	mkdirMode(t, filepath.Dir(filepath.Dir(p)), 0o755)
	if err := os.WriteFile(p, []byte("trust: ["+trusted.repo+"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	trusted.project(t, "gateway: "+other+"\n")
	r = trusted.run(t, trusted.repo, "", nil, labArgs()...)
	if strings.Contains(r.stderr, "ignoring gateway") || !strings.Contains(r.stdout, other) {
		t.Errorf("trusted repository's gateway not used; %v", r)
	}
}

// Hostile values a project file may not use: each refused or capped,
// never a panic, a hang or an escape sequence on the terminal.
func TestLabProjectBounds(t *testing.T) {
	lab.RequireRoot(t)
	cl := newConfigLab(t, "")
	var thousand []string
	for i := range 1000 {
		thousand = append(thousand, fmt.Sprintf("\"203.0.113.%d:%d\"", 5+i%2, 1+i))
	}
	for _, u := range usersBoth() {
		cl.project(t, "external: ["+strings.Join(thousand, ", ")+"]\n")
		r := cl.run(t, cl.repo, u, nil, "check", "--json", "--dns", lab.DNSName, "--timeout", "2s")
		usageError(t, r, ".netguard.yaml:1: external: more than 16 targets")
		if r.elapsed > time.Second {
			t.Errorf("as %s: refusing 1000 targets took %v", r.who(), r.elapsed)
		}

		cl.project(t, "dns: \"www.lab.test\\e]0;PWNED\\a\\e[1A\\e[2K\\rok\\e[8m\"\n")
		r = cl.run(t, cl.repo, u, nil, "check", "--json", "--external", lab.ExternalIP, "--timeout", "2s")
		usageError(t, r, `dns: invalid name "www.lab.test\x1b]0;PWNED\a\x1b[1A\x1b[2K\rok\x1b[8m"`)

		cl.project(t, "timeout: 100us\n")
		r = cl.run(t, cl.repo, u, nil, "check", "--json", "--external", lab.ExternalIP, "--dns", lab.DNSName)
		usageError(t, r, ".netguard.yaml:1: timeout: 100µs is out of range (100ms to 10m0s)")

		// Ten minutes against a silent target: capped at 10 s, with one
		// warning line.
		cl.project(t, "timeout: 10m\nexternal: ["+silentIP+"]\n")
		r = cl.run(t, cl.repo, u, nil, "check", "--json", "--dns", lab.DNSName)
		wantStderr(t, r, ":1: timeout 10m0s capped at 10s, the most a project file may set")
		if r.exit == 2 || r.elapsed > 10*time.Second+labSlack {
			t.Errorf("as %s: exit %d after %v with a capped timeout; %v", r.who(), r.exit, r.elapsed, r)
		}
	}
}

// Files that are not the user's own: a link to /dev/zero or /dev/stdin,
// another user's file in a sticky world-writable directory. Each is
// skipped with one line; the user config's lab targets hold, so the check
// is healthy. Read, any of them would make it unhealthy or hang.
func TestLabProjectFileSkipped(t *testing.T) {
	lab.RequireRoot(t)
	cl := newConfigLab(t, "external: ["+lab.ExternalIP+"]\ndns: "+lab.DNSName+"\n")
	hostile := "external: [" + silentIP + "]\ndns: beacon.attacker.test\n"
	nobody, err := user.Lookup("nobody")
	if err != nil {
		t.Fatal(err)
	}
	nobodyUID, _ := strconv.Atoi(nobody.Uid)
	// plant writes the hostile file into a new sticky world-writable
	// directory as uid owner, and returns a directory below it to run in.
	plant := func(name string, owner int) string {
		shared := filepath.Join(cl.Dir, name)
		mkdirMode(t, filepath.Join(shared, "work"), 0o755)
		mkdirMode(t, shared, 0o777|os.ModeSticky)
		p := filepath.Join(shared, ".netguard.yaml")
		if err := os.WriteFile(p, []byte(hostile), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(p, owner, owner); err != nil {
			t.Fatal(err)
		}
		return filepath.Join(shared, "work")
	}
	third := plant("shared-third", 12345) // neither root nor nobody
	ofNobody := plant("shared-nobody", nobodyUID)
	link := filepath.Join(cl.repo, ".netguard.yaml")
	for _, sc := range []struct {
		name, dir, target string
		want              map[string]string // by user
	}{
		{"link to /dev/zero", cl.repo, "/dev/zero", map[string]string{"": "is a symbolic link", "nobody": "is a symbolic link"}},
		{"link to /dev/stdin", cl.repo, "/dev/stdin", map[string]string{"": "is a symbolic link", "nobody": "is a symbolic link"}},
		{"a third user's file in a 1777 directory", third, "", map[string]string{
			"": "owned by uid 12345, not by you (uid 0) or root", "nobody": "owned by uid 12345, not by you"}},
		{"nobody's file in a 1777 directory", ofNobody, "", map[string]string{
			"": fmt.Sprintf("owned by uid %d, not by you (uid 0) or root", nobodyUID), "nobody": "can be written by others (mode 0777)"}},
	} {
		t.Run(sc.name, func(t *testing.T) {
			if sc.target != "" {
				os.Remove(link)
				if err := os.Symlink(sc.target, link); err != nil {
					t.Fatal(err)
				}
			}
			for _, u := range usersBoth() {
				r := cl.run(t, sc.dir, u, nil, "check", "--json", "--timeout", "2s")
				if r.exit != 0 || r.rep == nil || r.rep.Verdict != "healthy" {
					t.Errorf("want exit 0 healthy from the user config; %v", r)
				}
				wantStderr(t, r, "guard: warning: ignoring ", sc.want[u])
				if n := strings.Count(r.stderr, "warning"); n != 1 {
					t.Errorf("%d warnings, want 1; %v", n, r)
				}
				if r.elapsed > labTimeout+labSlack {
					t.Errorf("took %v; %v", r.elapsed, r)
				}
			}
		})
	}
}

// Durations below the minimum are a usage error from every source; at the
// minimum, runs end in a verdict, never a panic.
func TestLabShortTimeouts(t *testing.T) {
	lab.RequireRoot(t)
	cl := newConfigLab(t, "")
	for _, u := range usersBoth() {
		r := cl.run(t, cl.Dir, u, nil, "check", "--external", lab.ExternalIP, "--dns", lab.DNSName, "--timeout", "100us")
		usageError(t, r, `flag "--timeout": timeout: 100µs is out of range (100ms to 10m0s)`)
		r = cl.run(t, cl.Dir, u, []string{"NETGUARD_TIMEOUT=1ms"}, "check", "--external", lab.ExternalIP, "--dns", lab.DNSName)
		usageError(t, r, "NETGUARD_TIMEOUT: timeout: 1ms is out of range")
		for i := range 10 {
			r := cl.run(t, cl.Dir, u, nil, "check", "--json", "--external", lab.ExternalIP, "--dns", lab.DNSName, "--timeout", "100ms")
			if (r.exit != 0 && r.exit != 1) || r.rep == nil {
				t.Errorf("run %d at --timeout 100ms: want a verdict; %v", i, r)
			}
			if r.elapsed > 100*time.Millisecond+labSlack {
				t.Errorf("run %d took %v", i, r.elapsed)
			}
		}
	}
}

// A link planted as the watcher's lock or log, or as --log, is refused
// with one line and its target keeps its content; so is a state directory
// root does not own (sudo -E with a user's XDG_STATE_HOME).
func TestLabWatchFilesRefused(t *testing.T) {
	lab.RequireRoot(t)
	cl := newConfigLab(t, "")
	nobody, err := user.Lookup("nobody")
	if err != nil {
		t.Fatal(err)
	}
	uid, _ := strconv.Atoi(nobody.Uid)
	gid, _ := strconv.Atoi(nobody.Gid)
	victim := filepath.Join(cl.Dir, "victim")
	if err := os.WriteFile(victim, []byte("precious\n"), 0o666); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(victim, 0o666); err != nil {
		t.Fatal(err)
	}
	// stateFor makes XDG_STATE_HOME/netguard for owner, with name (if
	// any) a link to victim.
	stateFor := func(t *testing.T, tag string, asNobody bool, name string) (xdg, dir string) {
		xdg = filepath.Join(cl.Dir, "state-"+tag)
		dir = filepath.Join(xdg, "netguard")
		mkdirMode(t, dir, 0o700)
		mkdirMode(t, xdg, 0o700)
		if name != "" {
			if err := os.Symlink(victim, filepath.Join(dir, name)); err != nil {
				t.Fatal(err)
			}
		}
		if asNobody {
			for _, p := range []string{xdg, dir, filepath.Join(dir, name)} {
				if err := os.Lchown(p, uid, gid); err != nil {
					t.Fatal(err)
				}
			}
		}
		return xdg, dir
	}
	check := func(t *testing.T, r *labRun, want string) {
		t.Helper()
		usageError(t, r, want)
		if b, _ := os.ReadFile(victim); string(b) != "precious\n" {
			t.Errorf("the link's target now holds %q", b)
		}
	}
	for _, u := range usersBoth() {
		who := "root"
		if u != "" {
			who = u
		}
		t.Run(who, func(t *testing.T) {
			for _, name := range []string{"watch.lock", "watch.jsonl"} {
				xdg, _ := stateFor(t, who+"-"+name, u != "", name)
				r := cl.run(t, cl.Dir, u, []string{"XDG_STATE_HOME=" + xdg}, watchArgs()...)
				check(t, r, "is a symbolic link")
			}
			xdg, dir := stateFor(t, who+"-log", u != "", "")
			logLink := filepath.Join(dir, "mine.log")
			if err := os.Symlink(victim, logLink); err != nil {
				t.Fatal(err)
			}
			if u != "" {
				if err := os.Lchown(logLink, uid, gid); err != nil {
					t.Fatal(err)
				}
			}
			r := cl.run(t, cl.Dir, u, []string{"XDG_STATE_HOME=" + xdg}, watchArgs("--log", logLink)...)
			check(t, r, "is a symbolic link")
		})
	}
	// Root with nobody's state directory: refused before anything is
	// opened in it.
	xdg, _ := stateFor(t, "sudo-e", true, "")
	r := cl.run(t, cl.Dir, "", []string{"XDG_STATE_HOME=" + xdg}, watchArgs()...)
	check(t, r, fmt.Sprintf("not owned by you (owner uid %d, you are uid 0)", uid))
}
