package config

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/netguard/netguard/checks/netstate"
)

// vars is the environment interpolation sees in these tests.
func vars(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func TestParseShortPort(t *testing.T) {
	v4 := netip.MustParseAddr("127.0.0.1")
	v6 := netip.MustParseAddr("::1")
	for _, tt := range []struct {
		in   string
		want published
		err  string // "" none; "-" errNoHostPort
	}{
		{in: "8080:80", want: published{lo: 8080, hi: 8080}},
		{in: "127.0.0.1:8080:80", want: published{addr: v4, lo: 8080, hi: 8080}},
		{in: "0.0.0.0:5432:5432", want: published{addr: netip.IPv4Unspecified(), lo: 5432, hi: 5432}},
		{in: "[::1]:6001:6001", want: published{addr: v6, lo: 6001, hi: 6001}},
		{in: "::1:6000:6000", want: published{addr: v6, lo: 6000, hi: 6000}},
		{in: "8000-8010:8000-8010", want: published{lo: 8000, hi: 8010}},
		{in: "127.0.0.1:5000-5002:5000-5002", want: published{addr: v4, lo: 5000, hi: 5002}},
		{in: "9090:9090/tcp", want: published{lo: 9090, hi: 9090}},
		{in: "9090:9090/TCP", want: published{lo: 9090, hi: 9090}},
		{in: "9090:9090/udp", err: "only TCP ports are"},
		{in: "9090:9090/sctp", err: "only TCP ports are"},
		{in: "80", err: "-"},
		{in: "3000-3005", err: "-"},
		{in: "127.0.0.1::80", err: "-"},
		{in: "8000-8010:80", err: "any free port of 8000-8010 serves"},
		{in: "70000:80", err: "want a number from 1 to 65535"},
		{in: "0:80", err: "want a number from 1 to 65535"},
		{in: "8010-8000:80-90", err: "ends before it starts"},
		{in: "localhost:8080:80", err: "is not an IP address"},
		{in: "fe80::1%eth0:8080:80", err: "is not an IP address"},
		{in: "a:b", err: "want a number"},
		{in: "8080:", err: "want a number"},
	} {
		got, err := parseShortPort(tt.in)
		switch {
		case tt.err == "-":
			if !errors.Is(err, errNoHostPort) {
				t.Errorf("%q: %v %v, want no host port", tt.in, got, err)
			}
		case tt.err != "":
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: err %v, want %q", tt.in, err, tt.err)
			}
		case err != nil || got != tt.want:
			t.Errorf("%q: %+v %v, want %+v", tt.in, got, err, tt.want)
		}
	}
}

func TestInterpolate(t *testing.T) {
	lookup := vars("PORT", "9000", "HOST", "127.0.0.1", "EMPTY", "")
	for _, tt := range []struct{ in, want, err string }{
		{in: "8080:80", want: "8080:80"},
		{in: "${PORT}:80", want: "9000:80"},
		{in: "$PORT:80", want: "9000:80"},
		{in: "${WEB_PORT:-8080}:80", want: "8080:80"},
		{in: "${WEB_PORT-8080}:80", want: "8080:80"},
		{in: "${PORT:-8080}:80", want: "9000:80"},
		{in: "${EMPTY:-8081}:80", want: "8081:80"},
		{in: "${HOST}:${PORT}:80", want: "127.0.0.1:9000:80"},
		{in: "${A:-${B:-7000}}:80", want: "7000:80"},
		{in: "${PORT:+1234}:80", want: "1234:80"},
		{in: "${NOPE:+1234}8080:80", want: "8080:80"},
		{in: "${PORT:?need a port}:80", want: "9000:80"},
		{in: "$$PORT", want: "$PORT"},
		{in: "${WEB_PORT}:80", err: "${WEB_PORT} has no value"},
		{in: "$WEB_PORT:80", err: "${WEB_PORT} has no value"},
		{in: "${WEB_PORT:?set it}:80", err: "${WEB_PORT} has no value"},
		{in: "${WEB_PORT?set it}:80", err: "${WEB_PORT} has no value"},
		{in: "${WEB_PORT", err: "unclosed"},
		{in: "8080$", err: "ends in $"},
		{in: "${}", err: "invalid interpolation"},
		{in: "${1A}", err: "invalid interpolation"},
		{in: "${A*B}", err: "invalid interpolation"},
		{in: "$(cmd)", err: "invalid interpolation"},
		{in: strings.Repeat("${A:-", 20) + "1" + strings.Repeat("}", 20), err: "nested deeper"},
	} {
		got, err := interpolate(tt.in, lookup)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: %q %v, want error %q", tt.in, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%q: %q %v, want %q", tt.in, got, err, tt.want)
		}
	}
}

// specs renders found ports as "addr:port from" strings for comparison.
func specs(ps []netstate.PortSpec) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.String()+" "+p.From)
	}
	return out
}

func TestComposePorts(t *testing.T) {
	const base = `name: app
services:
  web:
    image: nginx
    ports:
      - "8080:80"
      - 127.0.0.1:8443:443
      - "9090:9090/udp"
      - "3000"
      - "${API_PORT:-8000}:8000"
      - "${DB_PORT}:5432"
  db:
    image: postgres
    ports:
      - target: 5432
        published: "15432"
        host_ip: 127.0.0.1
        protocol: tcp
        mode: host
      - target: 53
        published: 5353
        protocol: udp
      - target: 6000
      - target: 7000
        published: 7000-7005
  debug:
    image: busybox
    profiles: [debug]
    ports: ["2345:2345"]
  nothing:
  build-only:
    build: .
`
	const override = `services:
  web:
    ports:
      - "8081:81"
  db:
    ports: !reset []
  extra:
    image: redis
    ports: ["[::1]:6379:6379"]
`
	services, err := parseCompose(nil, "compose.yaml", []byte(base))
	if err != nil {
		t.Fatal(err)
	}
	services, err = parseCompose(services, "compose.override.yaml", []byte(override))
	if err != nil {
		t.Fatal(err)
	}
	found, notes := composePorts(services, vars(), nil)
	got, _ := expandPorts(found)
	want := []string{
		"8080 compose.yaml:web",
		"127.0.0.1:8443 compose.yaml:web",
		"8000 compose.yaml:web",
		"8081 compose.override.yaml:web",
		"[::1]:6379 compose.override.yaml:extra",
	}
	if !slices.Equal(specs(got), want) {
		t.Errorf("ports %q, want %q", specs(got), want)
	}
	wantNotes := []string{
		`compose.yaml:web: 9090:9090/udp not checked (only TCP ports are)`,
		`compose.yaml:web: ${DB_PORT} has no value here, port not checked`,
	}
	if !slices.Equal(notes, wantNotes) {
		t.Errorf("notes %q, want %q", notes, wantNotes)
	}

	// Without the override, with DB_PORT set and the debug profile on.
	services, _ = parseCompose(nil, "compose.yaml", []byte(base))
	found, notes = composePorts(services, vars("DB_PORT", "25432"), []string{"debug"})
	got, _ = expandPorts(found)
	want = []string{
		"8080 compose.yaml:web",
		"127.0.0.1:8443 compose.yaml:web",
		"8000 compose.yaml:web",
		"25432 compose.yaml:web",
		"127.0.0.1:15432 compose.yaml:db",
		"2345 compose.yaml:debug",
	}
	if !slices.Equal(specs(got), want) {
		t.Errorf("ports %q, want %q", specs(got), want)
	}
	if len(notes) != 3 || !strings.Contains(notes[1], "compose.yaml:db: 5353/udp not checked") || !strings.Contains(notes[2], "compose.yaml:db: published 7000-7005: any free port of 7000-7005 serves") {
		t.Errorf("notes %q", notes)
	}
}

// A range is checked port by port, up to netstate.MaxPorts in all; a port
// named twice is checked once, from its first source.
func TestExpandPortsBounded(t *testing.T) {
	found := []portFrom{
		{published{lo: 8000, hi: 8002}, "a"},
		{published{lo: 8001, hi: 8001}, "b"},
		{published{lo: 1, hi: 65535}, "c"},
	}
	got, dropped := expandPorts(found)
	if len(got) != netstate.MaxPorts || dropped != 65535-netstate.MaxPorts {
		t.Fatalf("%d ports, %d dropped", len(got), dropped)
	}
	if got[1].Port != 8001 || got[1].From != "a" || got[3].Port != 1 || got[3].From != "c" {
		t.Errorf("first ports %v", got[:4])
	}
}

func TestParseComposeErrors(t *testing.T) {
	for _, tt := range []struct{ in, err string }{
		{in: "services: [a, b]\n", err: "services is not a mapping"},
		{in: "- a\n", err: "not a mapping"},
		{in: "services:\n  web:\n    ports: [\"8080:80\"\n", err: "did not find expected"},
	} {
		if _, err := parseCompose(nil, "compose.yaml", []byte(tt.in)); err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%q: err %v, want %q", tt.in, err, tt.err)
		}
	}
	for _, ok := range []string{"", "services:\n", "version: '3'\n", "services:\n  web:\n    ports: \"8080:80\"\n"} {
		s, err := parseCompose(nil, "compose.yaml", []byte(ok))
		if found, _ := composePorts(s, vars(), nil); err != nil || len(found) != 0 {
			t.Errorf("%q: %v %v", ok, found, err)
		}
	}
}

func TestDevcontainerPorts(t *testing.T) {
	const src = `// dev container
{
	"name": "app",
	"forwardPorts": [3000, "db:5432", 70000, "x",], /* trailing comma */
	"appPort": [8080, "127.0.0.1:9000:9000", "4000:4000/udp", "5000"],
}`
	found, notes, err := devcontainerPorts(".devcontainer/devcontainer.json", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := expandPorts(found)
	want := []string{
		"127.0.0.1:3000 .devcontainer/devcontainer.json:forwardPorts",
		"127.0.0.1:5432 .devcontainer/devcontainer.json:forwardPorts",
		"127.0.0.1:8080 .devcontainer/devcontainer.json:appPort",
		"127.0.0.1:9000 .devcontainer/devcontainer.json:appPort",
		"127.0.0.1:5000 .devcontainer/devcontainer.json:appPort",
	}
	if !slices.Equal(specs(got), want) {
		t.Errorf("ports %q, want %q", specs(got), want)
	}
	if len(notes) != 3 {
		t.Errorf("notes %q, want 70000, x and the UDP port", notes)
	}
	for _, bad := range []string{`{"forwardPorts": 3000}`, `{"a": 1 /* open`, `[1]`} {
		if _, _, err := devcontainerPorts("d.json", []byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	if found, _, err := devcontainerPorts("d.json", []byte(`{"appPort": 3000}`)); err != nil || len(found) != 1 || found[0].lo != 3000 {
		t.Errorf("a single appPort: %v %v", found, err)
	}
}

// Load reads the ports from the project's Compose file when none are
// named, says where each came from, and lets any named ports win.
func TestLoadDiscoversPorts(t *testing.T) {
	te := newTestEnv(t)
	writeFile(t, filepath.Join(te.repo, "compose.yaml"), "services:\n  web:\n    ports: [\"${WEB_PORT:-8080}:80\", \"${NOPE}:1\"]\n")
	writeFile(t, filepath.Join(te.repo, "docker-compose.yml"), "services:\n  other:\n    ports: [\"1111:1\"]\n") // compose.yaml comes first
	writeFile(t, filepath.Join(te.repo, "compose.override.yml"), "services:\n  web:\n    ports: [\"127.0.0.1:8081:81\"]\n")
	writeFile(t, filepath.Join(te.repo, ".env"), "# ports\nexport WEB_PORT=9080\nOTHER=\"x\"\n")
	writeFile(t, filepath.Join(te.repo, ".devcontainer", "devcontainer.json"), `{"forwardPorts": [3000]}`)
	// Above the repository root: another project's.
	writeFile(t, filepath.Join(te.home, "src", "compose.yaml"), "services:\n  up:\n    ports: [\"2222:2\"]\n")
	o := te.load(t)
	want := []string{"9080 compose.yaml:web", "127.0.0.1:8081 compose.override.yml:web", "127.0.0.1:3000 .devcontainer/devcontainer.json:forwardPorts"}
	if !slices.Equal(specs(o.Ports), want) {
		t.Errorf("ports %q, want %q", specs(o.Ports), want)
	}
	if len(o.PortNotes) != 1 || !strings.Contains(o.PortNotes[0], "compose.yaml:web: ${NOPE} has no value") {
		t.Errorf("notes %q", o.PortNotes)
	}
	te.wantWarnings(t)
	// The shell's value beats .env's, as in Compose.
	te.vars["WEB_PORT"] = "7080"
	if o := te.load(t); len(o.Ports) == 0 || o.Ports[0].Port != 7080 {
		t.Errorf("ports %q, want 7080 first", specs(o.Ports))
	}
	// Ports named anywhere replace the project's.
	te.vars["NETGUARD_PORTS"] = "5432"
	if o := te.load(t); len(o.Ports) != 1 || o.Ports[0] != (netstate.PortSpec{Port: 5432}) || o.PortNotes != nil {
		t.Errorf("NETGUARD_PORTS: %q %q", specs(o.Ports), o.PortNotes)
	}
	delete(te.vars, "NETGUARD_PORTS")
	te.project(t, "ports: [6000]\n")
	if o := te.load(t); len(o.Ports) != 1 || o.Ports[0].Port != 6000 {
		t.Errorf("project config ports: %q", specs(o.Ports))
	}
	// "none" checks no port and reads none from the project.
	te.project(t, "ports: none\n")
	if o := te.load(t); o.Ports == nil || len(o.Ports) != 0 || o.PortNotes != nil {
		t.Errorf("ports: none: %q %q", specs(o.Ports), o.PortNotes)
	}
	var flags Values
	must(t, flags.Set("ports", "7000"))
	must(t, os.Remove(filepath.Join(te.repo, FileName)))
	o = te.load(t)
	flags.Apply(&o)
	if len(o.Ports) != 1 || o.Ports[0].Port != 7000 || o.PortNotes != nil {
		t.Errorf("--ports: %q %q", specs(o.Ports), o.PortNotes)
	}
}

// COMPOSE_FILE, from the environment (relative to the working directory)
// or from the .env beside the Compose file, replaces the default file and
// its override, as in Compose.
func TestComposeFileVariable(t *testing.T) {
	te := newTestEnv(t)
	sep := string(os.PathListSeparator)
	writeFile(t, filepath.Join(te.repo, "compose.yaml"), "services:\n  web:\n    ports: [\"8080:80\"]\n")
	writeFile(t, filepath.Join(te.repo, "compose.override.yaml"), "services:\n  web:\n    ports: [\"8081:81\"]\n")
	writeFile(t, filepath.Join(te.repo, "deploy", "dev.yaml"), "services:\n  web:\n    ports: [\"${DEV_PORT}:80\"]\n")
	writeFile(t, filepath.Join(te.repo, ".env"), "COMPOSE_FILE=compose.yaml"+sep+"deploy/dev.yaml\nDEV_PORT=9000\n")
	te.Cwd = te.repo
	want := []string{"8080 compose.yaml:web", "9000 deploy/dev.yaml:web"}
	if o := te.load(t); !slices.Equal(specs(o.Ports), want) || len(o.PortNotes) != 0 {
		t.Errorf(".env's COMPOSE_FILE: %q %q, want %q", specs(o.Ports), o.PortNotes, want)
	}
	// The project directory is then the first file's, whose .env (none
	// here) Compose reads: DEV_PORT comes from the environment.
	te.vars["COMPOSE_FILE"] = filepath.Join("deploy", "dev.yaml") + sep + "missing.yaml"
	te.vars["DEV_PORT"] = "9000"
	o := te.load(t)
	if want := []string{"9000 dev.yaml:web"}; !slices.Equal(specs(o.Ports), want) {
		t.Errorf("COMPOSE_FILE: %q, want %q", specs(o.Ports), want)
	}
	if len(o.PortNotes) != 1 || !strings.Contains(o.PortNotes[0], "not read") {
		t.Errorf("notes %q, want the missing file", o.PortNotes)
	}
}

// From a sub directory of a project without a repository, the search
// goes up to home, as the config search does, and the nearest Compose
// directory wins.
func TestDiscoverSearch(t *testing.T) {
	te := newTestEnv(t)
	must(t, os.Remove(filepath.Join(te.repo, ".git")))
	writeFile(t, filepath.Join(te.home, "src", "compose.yaml"), "services:\n  up:\n    ports: [\"2222:2\"]\n")
	if o := te.load(t); len(o.Ports) != 1 || o.Ports[0].Port != 2222 {
		t.Errorf("ports %q, want the file below home", specs(o.Ports))
	}
	writeFile(t, filepath.Join(te.cwd, "docker-compose.yaml"), "services:\n  near:\n    ports: [\"3333:3\"]\n")
	if o := te.load(t); len(o.Ports) != 1 || o.Ports[0].Port != 3333 {
		t.Errorf("ports %q, want the nearest file", specs(o.Ports))
	}
	te.Cwd = ""
	if o := te.load(t); len(o.Ports) != 0 {
		t.Errorf("no working directory: %q", specs(o.Ports))
	}
}

// FuzzProjectPorts feeds the same bytes to the Compose parser (as a file
// and its override) and the dev container parser. The invariants: no
// panic or hang (a billion-laughs alias, a range of every port), every
// note and error one printable line, at most netstate.MaxPorts ports, each
// from 1 to 65535 with its source named.
func FuzzProjectPorts(f *testing.F) {
	for _, seed := range []string{
		"services:\n  web:\n    ports: [\"8080:80\", \"127.0.0.1:8443:443\", \"9090:9090/udp\", \"${P:-8000}:80\", \"${Q}:1\"]\n",
		"services:\n  db:\n    ports:\n      - target: 5432\n        published: \"1-65535\"\n        host_ip: \"::1\"\n",
		"services:\n  a:\n    profiles: [x]\n    ports: !reset [\"1:1\"]\n",
		"a: &a [*a, *a, *a]\nservices: {s: {ports: *a}}\n",
		"services:\n  s:\n    ports: [\"${A:-${B:-${C:-${D:-1}}}}:1\", \"$$:1\", \"\\e]0;x\\a:1\"]\n",
		`{"forwardPorts": [3000, "db:5432", 1e9, -1], "appPort": ["8000-8010:8000-8010", 80]} // c`,
		"{\"forwardPorts\": [/* open",
		"\x00\xff",
		"",
	} {
		f.Add([]byte(seed))
	}
	lookup := vars("P", "9000", "A", "", "B", "65535")
	f.Fuzz(func(t *testing.T, data []byte) {
		services, err := parseCompose(nil, "compose.yaml", data)
		if err != nil {
			oneLine(t, err)
		}
		services, _ = parseCompose(services, "compose.override.yaml", data)
		found, notes := composePorts(services, lookup, []string{"x"})
		dev, devNotes, err := devcontainerPorts(".devcontainer.json", data)
		if err != nil {
			oneLine(t, err)
		}
		for _, n := range append(notes, devNotes...) {
			oneLine(t, errors.New(n))
		}
		ps, _ := expandPorts(append(found, dev...))
		if len(ps) > netstate.MaxPorts {
			t.Fatalf("%d ports", len(ps))
		}
		for _, p := range ps {
			if p.Port == 0 || p.From == "" || !isPrintable(p.From) {
				t.Fatalf("port %+v", p)
			}
		}
	})
}

// Anchors, aliases and merge keys, as Compose files use them to share
// settings, lead to the ports they name.
func TestComposeAliases(t *testing.T) {
	const src = `x-ports: &ports
  - "8080:80"
x-base: &base
  image: nginx
  ports: ["9000:9000"]
x-port: &one "7000:7000"
services:
  a:
    ports: *ports
  b:
    <<: *base
  c:
    <<: [*base]
    ports: [*one]
  d: *base
`
	services, err := parseCompose(nil, "compose.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	found, notes := composePorts(services, vars(), nil)
	got, _ := expandPorts(found)
	want := []string{"8080 compose.yaml:a", "9000 compose.yaml:b", "7000 compose.yaml:c"}
	if !slices.Equal(specs(got), want) || len(notes) != 0 {
		t.Errorf("ports %q notes %q, want %q", specs(got), notes, want)
	}
}
