// Package config reads netguard's settings from .netguard.yaml files and
// NETGUARD_* environment variables into checks.Options. Every source goes
// through the same Set, so a value is validated the same way wherever it
// comes from, and a bad one is an error naming its source, never a silent
// default.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/netguard/netguard/checks"
	"go.yaml.in/yaml/v3"
)

// FileName is the project config searched upward from the working
// directory; UserFile lives in the user's config dir.
const (
	FileName = ".netguard.yaml"
	UserFile = "config.yaml"
)

// Keys are the settings a config file or NETGUARD_<KEY> may hold.
var Keys = []string{"external", "dns", "gateway", "timeout", "sudo"}

// Values are settings from one or more sources, applied in order.
type Values struct {
	external []netip.AddrPort
	dns      *string
	gateway  *netip.Addr // the zero Addr means "auto"
	timeout  *time.Duration
	sudo     *checks.SudoMode
}

// Set parses one setting. The error names the key, not the source; callers
// prefix the source (file:line, env var, flag).
func (v *Values) Set(key, raw string) error {
	raw = strings.TrimSpace(raw)
	switch key {
	case "external":
		ts, err := checks.ParseTargets(raw)
		if err != nil {
			return fmt.Errorf("external: %w", err)
		}
		v.external = ts
	case "dns":
		if raw == "" || strings.ContainsAny(raw, " \t/") {
			return fmt.Errorf("dns: invalid name %q", raw)
		}
		v.dns = &raw
	case "gateway":
		var a netip.Addr
		if raw != "auto" {
			var err error
			if a, err = netip.ParseAddr(raw); err != nil {
				return fmt.Errorf("gateway: want auto or an IP address, got %q", raw)
			}
			a = a.Unmap()
		}
		v.gateway = &a
	case "timeout":
		d, err := time.ParseDuration(raw)
		if err != nil {
			return fmt.Errorf("timeout: invalid duration %q (e.g. 2s, 500ms)", raw)
		}
		if d <= 0 || d > 10*time.Minute {
			return fmt.Errorf("timeout: %s is out of range (0 < timeout <= 10m)", d)
		}
		v.timeout = &d
	case "sudo":
		m, err := checks.ParseSudoMode(raw)
		if err != nil {
			return err
		}
		v.sudo = &m
	default:
		return fmt.Errorf("unknown key %q (known: %s)", key, strings.Join(Keys, ", "))
	}
	return nil
}

// Apply copies the values that were set onto o.
func (v *Values) Apply(o *checks.Options) {
	if v == nil {
		return
	}
	if v.external != nil {
		o.External = slices.Clone(v.external)
	}
	if v.dns != nil {
		o.DNSName = *v.dns
	}
	if v.gateway != nil {
		o.Gateway = *v.gateway
	}
	if v.timeout != nil {
		o.Timeout = *v.timeout
	}
	if v.sudo != nil {
		o.Sudo = *v.sudo
	}
}

// EnvName is the environment variable for a key or flag name.
func EnvName(key string) string {
	return "NETGUARD_" + strings.ToUpper(strings.ReplaceAll(key, "-", "_"))
}

// FromEnv reads NETGUARD_<KEY> for every key.
func FromEnv(getenv func(string) string) (*Values, error) {
	v := &Values{}
	for _, k := range Keys {
		if raw := getenv(EnvName(k)); raw != "" {
			if err := v.Set(k, raw); err != nil {
				return nil, fmt.Errorf("%s: %w", EnvName(k), err)
			}
		}
	}
	return v, nil
}

// ParseFile decodes a config file strictly: an unknown key or a bad value
// is an error with file:line.
func ParseFile(path string, data []byte) (*Values, error) {
	v := &Values{}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return v, nil // an empty file sets nothing
		}
		return nil, fmt.Errorf("%s: %s", path, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if len(doc.Content) == 0 {
		return v, nil
	}
	m := doc.Content[0]
	if m.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:%d: want a mapping of settings (%s)", path, m.Line, strings.Join(Keys, ", "))
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, val := m.Content[i], m.Content[i+1]
		if !slices.Contains(Keys, k.Value) {
			return nil, fmt.Errorf("%s:%d: unknown key %q (known: %s)", path, k.Line, k.Value, strings.Join(Keys, ", "))
		}
		raw, err := scalarOrList(k.Value, val)
		if err == nil {
			err = v.Set(k.Value, raw)
		}
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, k.Line, err)
		}
	}
	return v, nil
}

// scalarOrList accepts a scalar, or for "external" a list of scalars.
func scalarOrList(key string, n *yaml.Node) (string, error) {
	switch {
	case n.Kind == yaml.ScalarNode:
		return n.Value, nil
	case n.Kind == yaml.SequenceNode && key == "external":
		var parts []string
		for _, c := range n.Content {
			if c.Kind != yaml.ScalarNode {
				return "", fmt.Errorf("external: want a list of IP addresses")
			}
			parts = append(parts, c.Value)
		}
		return strings.Join(parts, ","), nil
	}
	return "", fmt.Errorf("%s: want a single value", key)
}

// ReadFile reads and parses one config file.
func ReadFile(path string) (*Values, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return ParseFile(path, data)
}

// FindProject returns the nearest .netguard.yaml at or above dir, or "".
func FindProject(dir string) string {
	for {
		p := filepath.Join(dir, FileName)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// UserPath is the user-level config file, which may not exist.
func UserPath() string {
	d, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "netguard", UserFile)
}

// Load returns the options from the built-in defaults, the user config,
// the project config (or explicit, when given) and the environment, in
// that order of increasing precedence. Flags are applied by the caller.
func Load(explicit, cwd string, getenv func(string) string) (checks.Options, error) {
	o := checks.DefaultOptions()
	var files []string
	if explicit != "" {
		files = []string{explicit}
	} else {
		if p := UserPath(); p != "" {
			if _, err := os.Stat(p); err == nil {
				files = append(files, p)
			}
		}
		if p := FindProject(cwd); p != "" {
			files = append(files, p)
		}
	}
	for _, f := range files {
		v, err := ReadFile(f)
		if err != nil {
			return o, err
		}
		v.Apply(&o)
	}
	env, err := FromEnv(getenv)
	if err != nil {
		return o, err
	}
	env.Apply(&o)
	return o, nil
}
