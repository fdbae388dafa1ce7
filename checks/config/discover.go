package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"os"
	"path/filepath"
	"strings"

	"github.com/netguard/netguard/checks/netstate"
)

// devcontainerFiles are where a dev container's configuration lives,
// relative to the project directory.
var devcontainerFiles = []string{filepath.Join(".devcontainer", "devcontainer.json"), ".devcontainer.json"}

// discoverPorts returns the TCP ports a start publishes on this machine,
// read from the project's own files when the user named none: the
// published ports of the Compose file `docker compose` would use (and its
// override file), and the forwarded and published ports of the dev
// container. Each PortSpec says where it came from; the notes say what was
// not checked and why. A file is read only if a project config there
// would be (regular, bounded, the user's), and nothing here is ever an
// error: Compose reports its own file's mistakes at the start.
func discoverPorts(env Env, dirs []string) ([]netstate.PortSpec, []string) {
	composeDir, devFile := findPortFiles(dirs)
	var found []portFrom
	var notes []string
	if files, dir, n := composeFileList(env, composeDir); len(files) > 0 {
		notes = append(notes, n...)
		var services []composeService
		for _, f := range files {
			name := displayName(f, dir)
			data, err := readPortFile(f, env)
			if err == nil {
				services, err = parseCompose(services, name, data)
			}
			if err != nil {
				notes = append(notes, fmt.Sprintf("%s not read: %v", name, err))
			}
		}
		dotenv := readDotenv(filepath.Join(dir, ".env"), env)
		lookup := func(k string) string {
			if v := env.Getenv(k); v != "" {
				return v
			}
			return dotenv[k]
		}
		ps, n := composePorts(services, lookup, splitList(lookup("COMPOSE_PROFILES")))
		found, notes = append(found, ps...), append(notes, n...)
	}
	if devFile != "" {
		name := filepath.ToSlash(filepath.Base(filepath.Dir(devFile))) + "/" + filepath.Base(devFile)
		if strings.HasPrefix(filepath.Base(devFile), ".") {
			name = filepath.Base(devFile)
		}
		data, err := readPortFile(devFile, env)
		var ps []portFrom
		var n []string
		if err == nil {
			ps, n, err = devcontainerPorts(name, data)
		}
		if err != nil {
			notes = append(notes, fmt.Sprintf("%s not read: %v", name, err))
		}
		found, notes = append(found, ps...), append(notes, n...)
	}
	specs, dropped := expandPorts(found)
	if dropped > 0 {
		notes = append(notes, fmt.Sprintf("%d more published ports not checked (at most %d)", dropped, netstate.MaxPorts))
	}
	return specs, notes
}

// maxComposeFiles bounds the files COMPOSE_FILE may name.
const maxComposeFiles = 8

// composeFileList returns the Compose files `docker compose` would read
// with no -f, and the project directory whose .env it reads:
// COMPOSE_FILE's files when the environment or the .env beside the found
// file sets it (relative to the working directory or to that file's
// directory), else the found file and its override.
func composeFileList(env Env, found string) (files []string, dir string, notes []string) {
	list, base := env.Getenv("COMPOSE_FILE"), env.Cwd
	if list == "" && found != "" {
		list, base = readDotenv(filepath.Join(found, ".env"), env)["COMPOSE_FILE"], found
	}
	if list == "" {
		if found == "" {
			return nil, "", nil
		}
		for _, names := range [][]string{composeFiles, composeOverrides} {
			if name := firstPresent(found, names); name != "" {
				files = append(files, filepath.Join(found, name))
			}
		}
		return files, found, nil
	}
	if base == "" {
		return nil, "", nil
	}
	sep := env.Getenv("COMPOSE_PATH_SEPARATOR")
	if sep == "" {
		sep = string(os.PathListSeparator)
	}
	for f := range strings.SplitSeq(list, sep) {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		if len(files) == maxComposeFiles {
			notes = append(notes, fmt.Sprintf("COMPOSE_FILE names more than %d files; the rest not read", maxComposeFiles))
			break
		}
		if !filepath.IsAbs(f) {
			f = filepath.Join(base, f)
		}
		files = append(files, filepath.Clean(f))
	}
	if len(files) == 0 {
		return nil, "", notes
	}
	return files, filepath.Dir(files[0]), notes
}

// displayName is path relative to dir when it lies there, for notes and
// sources ("compose.yaml", "deploy/compose.dev.yaml").
func displayName(path, dir string) string {
	if rel, err := filepath.Rel(dir, path); err == nil && !strings.HasPrefix(rel, "..") {
		return printable(filepath.ToSlash(rel))
	}
	return printable(path)
}

// findPortFiles returns, of dirs (projectDirs: the working directory up
// to the repository root or home, nearest first), the first directory
// holding a Compose file, as `docker compose` searches, and the first dev
// container configuration.
func findPortFiles(dirs []string) (composeDir, devFile string) {
	for _, dir := range dirs {
		if composeDir == "" && firstPresent(dir, composeFiles) != "" {
			composeDir = dir
		}
		if devFile == "" {
			if name := firstPresent(dir, devcontainerFiles); name != "" {
				devFile = filepath.Join(dir, name)
			}
		}
		if composeDir != "" && devFile != "" {
			break
		}
	}
	return composeDir, devFile
}

// projectDirs are the directories from env.Cwd up to the repository root
// or home, whichever comes first, nearest first.
func projectDirs(env Env) []string {
	if env.Cwd == "" || !filepath.IsAbs(env.Cwd) {
		return nil
	}
	home := ""
	if env.Home != "" {
		home = filepath.Clean(env.Home)
	}
	var dirs []string
	for dir := filepath.Clean(env.Cwd); ; {
		dirs = append(dirs, dir)
		if dir == home {
			return dirs
		}
		if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
			return dirs
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return dirs
		}
		dir = parent
	}
}

// firstPresent returns the first of names that exists in dir (a link
// too: reading it refuses it with a note), or "".
func firstPresent(dir string, names []string) string {
	for _, n := range names {
		if st, err := os.Lstat(filepath.Join(dir, n)); err == nil && !st.IsDir() {
			return n
		}
	}
	return ""
}

// readPortFile reads a project file with a project config's checks; the
// error is the reason alone, for a note.
func readPortFile(path string, env Env) ([]byte, error) {
	data, err := readChecked(path, openProject, env)
	var skip *skipError
	if errors.As(err, &skip) {
		return nil, skip.err
	}
	return data, err
}

// readDotenv reads the KEY=VALUE lines of the .env file Compose reads
// beside its file, when there is one the user owns. A value that itself
// holds a variable is left out: it is unknown here, and a port that needs
// it goes unchecked.
func readDotenv(path string, env Env) map[string]string {
	if _, err := os.Lstat(path); err != nil {
		return nil
	}
	data, err := readPortFile(path, env)
	if err != nil {
		return nil
	}
	vars := map[string]string{}
	for line := range strings.Lines(string(data)) {
		line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "export "))
		k, v, ok := strings.Cut(line, "=")
		if !ok || strings.HasPrefix(k, "#") {
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		} else if i := strings.Index(v, " #"); i >= 0 {
			v = strings.TrimSpace(v[:i])
		}
		if k != "" && !strings.Contains(v, "$") {
			vars[k] = v
		}
	}
	return vars
}

// splitList splits a comma-separated variable such as COMPOSE_PROFILES.
func splitList(s string) []string {
	var out []string
	for f := range strings.SplitSeq(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// expandPorts turns bindings into one PortSpec per port, the first source
// of a port kept, at most netstate.MaxPorts; dropped counts the rest.
func expandPorts(found []portFrom) (specs []netstate.PortSpec, dropped int) {
	seen := map[netstate.PortSpec]bool{}
	for _, f := range found {
		for p := int(f.lo); p <= int(f.hi); p++ {
			key := netstate.PortSpec{Addr: f.addr, Port: uint16(p)}
			if seen[key] {
				continue
			}
			if len(specs) == netstate.MaxPorts {
				dropped++ // counted, not remembered: the map stays small
				continue
			}
			seen[key] = true
			key.From = f.from
			specs = append(specs, key)
		}
	}
	return specs, dropped
}

// localhost is where an editor forwards a dev container's port.
var localhost = netip.AddrFrom4([4]byte{127, 0, 0, 1})

// devcontainerPorts reads a devcontainer.json (JSON with comments and
// trailing commas): forwardPorts, which the editor listens on at
// localhost (a number, or "service:port" for a port of another Compose
// service), and appPort, which Docker publishes (a number, a -p string, or
// a list of them).
func devcontainerPorts(file string, data []byte) ([]portFrom, []string, error) {
	clean, err := StripJSONC(data)
	if err != nil {
		return nil, nil, err
	}
	var dc struct {
		ForwardPorts []json.RawMessage `json:"forwardPorts"`
		AppPort      json.RawMessage   `json:"appPort"`
	}
	if err := json.Unmarshal(clean, &dc); err != nil {
		return nil, nil, fmt.Errorf("%s", printable(err.Error()))
	}
	var out []portFrom
	var notes []string
	for _, raw := range dc.ForwardPorts {
		from := file + ":forwardPorts"
		p, err := forwardPort(raw)
		if err != nil {
			notes = append(notes, from+": "+err.Error())
			continue
		}
		out = append(out, portFrom{published{addr: localhost, lo: p, hi: p}, from})
	}
	app := dc.AppPort
	var list []json.RawMessage
	if len(bytes.TrimSpace(app)) > 0 && bytes.TrimSpace(app)[0] == '[' {
		if err := json.Unmarshal(app, &list); err != nil {
			return out, notes, fmt.Errorf("appPort: %s", printable(err.Error()))
		}
	} else if len(app) > 0 && string(app) != "null" {
		list = []json.RawMessage{app}
	}
	for _, raw := range list {
		from := file + ":appPort"
		var n float64
		var s string
		switch {
		case json.Unmarshal(raw, &n) == nil:
			p, err := jsonPort(n)
			if err != nil {
				notes = append(notes, from+": "+err.Error())
				continue
			}
			// The dev container CLI publishes a bare number on localhost.
			out = append(out, portFrom{published{addr: localhost, lo: p, hi: p}, from})
		case json.Unmarshal(raw, &s) == nil:
			if !strings.Contains(s, ":") {
				s = "127.0.0.1:" + s + ":" + s
			}
			p, err := parseShortPort(s)
			out, notes = addPort(out, notes, p, err, from)
		default:
			notes = append(notes, from+": neither a number nor a string")
		}
	}
	return out, notes, nil
}

// forwardPort reads one forwardPorts entry: 3000 or "db:5432".
func forwardPort(raw json.RawMessage) (uint16, error) {
	var n float64
	if json.Unmarshal(raw, &n) == nil {
		return jsonPort(n)
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return 0, errors.New("neither a number nor a string")
	}
	_, port, _ := strings.Cut(s, ":")
	if port == "" {
		port = s
	}
	return portNumber(port)
}

func jsonPort(n float64) (uint16, error) {
	if n != math.Trunc(n) || n < 1 || n > 65535 {
		return 0, fmt.Errorf("port %v: want a number from 1 to 65535", n)
	}
	return uint16(n), nil
}
