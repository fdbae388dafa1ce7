package config

import (
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/netguard/netguard/checks"
	"github.com/netguard/netguard/checks/checkstest/wine"
)

// testEnv is a made-up user: home with a user config dir, a repository
// home/src/app (with .git) and a sub directory to run from. Nothing comes
// from the test process's own environment.
type testEnv struct {
	Env
	home, repo, cwd string
	vars            map[string]string
	warnings        []string
}

func newTestEnv(t testing.TB) *testEnv {
	t.Helper()
	base := wine.TempDir(t)
	te := &testEnv{home: filepath.Join(base, "home"), vars: map[string]string{}}
	te.repo = filepath.Join(te.home, "src", "app")
	te.cwd = filepath.Join(te.repo, "cmd", "x")
	mkdir(t, te.cwd)
	mkdir(t, filepath.Join(te.repo, ".git"))
	mkdir(t, filepath.Join(te.home, ".config", "netguard"))
	te.Env = Env{
		Getenv:  func(k string) string { return te.vars[k] },
		Cwd:     te.cwd,
		Home:    te.home,
		UserDir: filepath.Join(te.home, ".config"),
		UID:     os.Getuid(),
		GID:     -1, // no private-group allowance unless a test asks for it
		Warn:    func(m string) { te.warnings = append(te.warnings, m) },
	}
	return te
}

// mkdir makes dir mode 0755 whatever the umask: the directory a config
// file is in is checked for group and world write.
func mkdir(t testing.TB, dir string) {
	t.Helper()
	must(t, os.MkdirAll(dir, 0o755))
	must(t, os.Chmod(dir, 0o755))
}

func writeFile(t testing.TB, path, src string) {
	t.Helper()
	mkdir(t, filepath.Dir(path))
	must(t, os.WriteFile(path, []byte(src), 0o644))
}

func (te *testEnv) userConfig(t testing.TB, src string) {
	writeFile(t, te.UserPath(), src)
}

func (te *testEnv) project(t testing.TB, src string) string {
	p := filepath.Join(te.repo, FileName)
	writeFile(t, p, src)
	return p
}

func (te *testEnv) load(t *testing.T) checks.Options {
	t.Helper()
	te.warnings = nil
	o, err := Load("", te.Env)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return o
}

// wantWarnings checks that each warning is one printable line and that
// they contain the given substrings, in order, and nothing else.
func (te *testEnv) wantWarnings(t *testing.T, want ...string) {
	t.Helper()
	for _, w := range te.warnings {
		if !isPrintable(w) {
			t.Errorf("warning is not one printable line: %q", w)
		}
	}
	if len(te.warnings) != len(want) {
		t.Fatalf("warnings %q, want %d matching %q", te.warnings, len(want), want)
	}
	for i, w := range want {
		if !strings.Contains(te.warnings[i], w) {
			t.Errorf("warning %q, want it to contain %q", te.warnings[i], w)
		}
	}
}

// TestLoadPrecedence checks env > project file > user file > defaults, and
// that the project file is found upward from the working directory.
func TestLoadPrecedence(t *testing.T) {
	te := newTestEnv(t)
	te.userConfig(t, "timeout: 5s\ndns: user.test\nsudo: never\n")
	te.project(t, "dns: project.test\n")
	te.vars["NETGUARD_TIMEOUT"] = "700ms"
	o := te.load(t)
	if o.Timeout != 700*time.Millisecond || o.DNSName != "project.test" || o.Sudo != checks.SudoNever {
		t.Fatalf("options = %+v", o)
	}
	te.wantWarnings(t)
	te.vars["NETGUARD_EXTERNAL"] = "not-an-ip"
	if _, err := Load("", te.Env); err == nil || !strings.HasPrefix(err.Error(), "NETGUARD_EXTERNAL: ") {
		t.Fatalf("bad env accepted: %v", err)
	}
	delete(te.vars, "NETGUARD_EXTERNAL")
	// An explicit file replaces the search, and is trusted like the
	// user's own: its gateway counts.
	explicit := filepath.Join(te.home, "x.yaml")
	writeFile(t, explicit, "dns: explicit.test\ngateway: 192.0.2.9\n")
	delete(te.vars, "NETGUARD_TIMEOUT")
	o, err := Load(explicit, te.Env)
	if err != nil || o.DNSName != "explicit.test" || o.Timeout != 2*time.Second || o.Gateway != netip.MustParseAddr("192.0.2.9") {
		t.Fatalf("explicit: %+v %v", o, err)
	}
	// No user directory at all: defaults and the project file.
	te.UserDir = ""
	if o := te.load(t); o.DNSName != "project.test" || o.Timeout != 2*time.Second {
		t.Fatalf("without a user dir: %+v", o)
	}
}

// A project file may lower privilege, never raise it or aim a repair,
// unless the user config trusts its directory.
func TestProjectLimits(t *testing.T) {
	gw := netip.MustParseAddr("192.0.2.1")
	tests := []struct {
		name     string
		user     string // user config; "" is none
		project  string
		env      map[string]string
		trust    bool // list the repository under trust in the user config
		sudo     checks.SudoMode
		gateway  netip.Addr
		timeout  time.Duration
		warnings []string
	}{
		{name: "sudo raised over the default", project: "sudo: prompt\n",
			sudo: checks.SudoAuto, warnings: []string{FileName + ":1: ignoring sudo prompt: a project file may only lower it (yours is auto"}},
		{name: "sudo raised over the user's never", user: "sudo: never\n", project: "sudo: auto\n",
			sudo: checks.SudoNever, warnings: []string{"ignoring sudo auto: a project file may only lower it (yours is never"}},
		{name: "sudo prompt over never", user: "sudo: never\n", project: "sudo: prompt\n",
			sudo: checks.SudoNever, warnings: []string{"ignoring sudo prompt"}},
		{name: "sudo lowered to never", project: "sudo: never\n", sudo: checks.SudoNever},
		{name: "sudo lowered below the user's prompt", user: "sudo: prompt\n", project: "sudo: auto\n", sudo: checks.SudoAuto},
		{name: "sudo equal to the user's", user: "sudo: prompt\n", project: "sudo: prompt\n", sudo: checks.SudoPrompt},
		{name: "environment beats the project", project: "sudo: never\n", env: map[string]string{"NETGUARD_SUDO": "prompt"}, sudo: checks.SudoPrompt},
		{name: "gateway ignored", project: "gateway: 192.0.2.1\n",
			sudo: checks.SudoAuto, warnings: []string{FileName + ":1: ignoring gateway: a project file may not aim repairs (list "}},
		{name: "gateway auto ignored too", user: "gateway: 192.0.2.1\n", project: "dns: p.test\ngateway: auto\n",
			sudo: checks.SudoAuto, gateway: gw, warnings: []string{FileName + ":2: ignoring gateway"}},
		{name: "user gateway kept", user: "gateway: 192.0.2.1\n", sudo: checks.SudoAuto, gateway: gw},
		{name: "trusted gateway and sudo", project: "gateway: 192.0.2.1\nsudo: prompt\ntimeout: 1m\n", trust: true,
			sudo: checks.SudoPrompt, gateway: gw, timeout: time.Minute},
		{name: "timeout capped", project: "timeout: 10m\n",
			sudo: checks.SudoAuto, timeout: MaxProjectTimeout, warnings: []string{FileName + ":1: timeout 10m0s capped at 10s"}},
		{name: "timeout under the cap", project: "timeout: 9s\n", sudo: checks.SudoAuto, timeout: 9 * time.Second},
		{name: "trust from a project file", project: "trust: [{repo}]\ngateway: 192.0.2.1\n",
			sudo: checks.SudoAuto, warnings: []string{"ignoring gateway", FileName + ":1: ignoring trust: only the user config"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			te := newTestEnv(t)
			user := tt.user
			if tt.trust {
				user += "trust: [" + te.repo + "/]\n"
			}
			if user != "" {
				te.userConfig(t, user)
			}
			// {repo}: a path absolute on the OS the test runs on.
			te.project(t, strings.ReplaceAll(tt.project, "{repo}", strconv.Quote(te.repo)))
			for k, v := range tt.env {
				te.vars[k] = v
			}
			o := te.load(t)
			if tt.timeout == 0 {
				tt.timeout = checks.DefaultOptions().Timeout
			}
			if o.Sudo != tt.sudo || o.Gateway != tt.gateway || o.Timeout != tt.timeout {
				t.Errorf("sudo %s gateway %v timeout %s, want %s %v %s", o.Sudo, o.Gateway, o.Timeout, tt.sudo, tt.gateway, tt.timeout)
			}
			te.wantWarnings(t, tt.warnings...)
		})
	}
}

// Trust names the directory holding the project file exactly: a parent
// (the whole home) does not vouch for every repository under it.
func TestTrustIsExact(t *testing.T) {
	te := newTestEnv(t)
	te.userConfig(t, "trust: ["+te.home+", "+te.cwd+"]\n")
	te.project(t, "gateway: 192.0.2.1\n")
	if o := te.load(t); o.Gateway.IsValid() {
		t.Errorf("gateway %v from a project file under a trusted parent", o.Gateway)
	}
	te.wantWarnings(t, "ignoring gateway")
}

// The search stops at the repository root or home, whichever comes first.
func TestProjectSearch(t *testing.T) {
	te := newTestEnv(t)
	// Above the repository root: not this repository's file.
	writeFile(t, filepath.Join(te.home, "src", FileName), "dns: above-repo.test\n")
	if o := te.load(t); o.DNSName != checks.DefaultOptions().DNSName {
		t.Errorf("read a file above the repository root: dns %q", o.DNSName)
	}
	// A worktree's .git is a file; it ends the search too.
	must(t, os.Remove(filepath.Join(te.repo, ".git")))
	writeFile(t, filepath.Join(te.repo, ".git"), "gitdir: /elsewhere\n")
	if o := te.load(t); o.DNSName != checks.DefaultOptions().DNSName {
		t.Errorf("read a file above a worktree root: dns %q", o.DNSName)
	}
	// Outside any repository the search goes up to home.
	must(t, os.Remove(filepath.Join(te.repo, ".git")))
	if o := te.load(t); o.DNSName != "above-repo.test" {
		t.Errorf("no repository: dns %q, want the file below home", o.DNSName)
	}
	// ... and no further.
	must(t, os.Remove(filepath.Join(te.home, "src", FileName)))
	writeFile(t, filepath.Join(filepath.Dir(te.home), FileName), "dns: above-home.test\n")
	if o := te.load(t); o.DNSName != checks.DefaultOptions().DNSName {
		t.Errorf("read a file above home: dns %q", o.DNSName)
	}
	// Without a home the search goes to the root: the file is found.
	te.Home = ""
	if o := te.load(t); o.DNSName != "above-home.test" {
		t.Errorf("no home: dns %q", o.DNSName)
	}
	// The nearest file wins.
	te.project(t, "dns: nearest.test\n")
	if o := te.load(t); o.DNSName != "nearest.test" {
		t.Errorf("dns %q, want the nearest file's", o.DNSName)
	}
	te.wantWarnings(t)
}

// BenchmarkLoad is the config's share of every guard check: the search,
// the checks on each file and the parse of a user config and a project
// file.
func BenchmarkLoad(b *testing.B) {
	te := newTestEnv(b)
	te.userConfig(b, "sudo: never\ntrust: [/srv/x]\n")
	te.project(b, "dns: project.test\ntimeout: 3s\nexternal: [203.0.113.5, 203.0.113.6]\n")
	te.Warn = nil
	for b.Loop() {
		if _, err := Load("", te.Env); err != nil {
			b.Fatal(err)
		}
	}
}

// A project file's probe-wait is capped: every broken start in that
// repository waits that long for silence.
func TestProjectProbeWaitCapped(t *testing.T) {
	te := newTestEnv(t)
	te.project(t, "probe-wait: 20s\n")
	if o := te.load(t); o.ProbeWait != MaxProjectProbeWait {
		t.Fatalf("ProbeWait = %v, want %v", o.ProbeWait, MaxProjectProbeWait)
	}
	te.wantWarnings(t, FileName+":1: probe-wait 20s capped at 2s")
	te.warnings = nil
	te.project(t, "probe-wait: 1s\n")
	if o := te.load(t); o.ProbeWait != time.Second || len(te.warnings) != 0 {
		t.Fatalf("ProbeWait = %v, warnings %q", o.ProbeWait, te.warnings)
	}
}

// A dns name keeps where it came from: from an untrusted project file it
// is marked so that it never chooses a privileged repair; the user's own
// settings, a trusted project file and the environment are not marked.
func TestDNSNameProvenance(t *testing.T) {
	for _, tc := range []struct {
		name, user string
		env        string // NETGUARD_DNS
		trust      bool
		want       string
		fromProj   bool
	}{
		{name: "project", want: "project.test", fromProj: true},
		{name: "user config, project without dns", user: "dns: user.test\n", want: "project.test", fromProj: true},
		{name: "trusted project", trust: true, want: "project.test"},
		{name: "environment over the project", env: "env.test", want: "env.test"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			te := newTestEnv(t)
			user := tc.user
			if tc.trust {
				user += "trust: [" + te.repo + "]\n"
			}
			if user != "" {
				te.userConfig(t, user)
			}
			te.project(t, "dns: project.test\n")
			if tc.env != "" {
				te.vars["NETGUARD_DNS"] = tc.env
			}
			if o := te.load(t); o.DNSName != tc.want || o.DNSNameFromProject != tc.fromProj {
				t.Errorf("dns %q from project %v, want %q %v", o.DNSName, o.DNSNameFromProject, tc.want, tc.fromProj)
			}
		})
	}
	// A project file without dns leaves the user's name unmarked.
	te := newTestEnv(t)
	te.userConfig(t, "dns: user.test\n")
	te.project(t, "timeout: 3s\n")
	if o := te.load(t); o.DNSName != "user.test" || o.DNSNameFromProject {
		t.Errorf("user's dns: %q from project %v", o.DNSName, o.DNSNameFromProject)
	}
}

// Trust entries are judged as paths of the OS guard runs on: "/" is a
// whole Unix file system but only a drive-relative path on Windows, and
// Windows compares names without case.
func TestTrustPathsOfTheOS(t *testing.T) {
	for _, tt := range []struct {
		path          string
		unix, windows bool // absolute there
	}{
		{path: "/", unix: true},
		{path: "/home/me/src/app", unix: true},
		{path: `\Users\me`},
		{path: `C:\Users\me\src\app`, windows: true},
		{path: `c:/Users/me`, windows: true},
		{path: `\\server\share\app`, windows: true},
		{path: "src/app"},
		{path: "C:relative"},
	} {
		want := tt.unix
		if runtime.GOOS == "windows" {
			want = tt.windows
		}
		_, err := ParseFile("config.yaml", []byte("trust: ["+strconv.Quote(tt.path)+"]\n"))
		if (err == nil) != want {
			t.Errorf("trust %q on %s: err %v, want absolute=%v", tt.path, runtime.GOOS, err, want)
		}
	}
	te := newTestEnv(t)
	te.userConfig(t, "trust: ["+strconv.Quote(strings.ToUpper(te.repo))+"]\n")
	te.project(t, "gateway: 192.0.2.1\n")
	o := te.load(t)
	if trusted := o.Gateway.IsValid(); trusted != (runtime.GOOS == "windows") {
		t.Errorf("trust entry differing only in case: trusted=%v on %s", trusted, runtime.GOOS)
	}
}
