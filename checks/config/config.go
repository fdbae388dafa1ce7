// Package config reads netguard's settings from .netguard.yaml files and
// NETGUARD_* environment variables into checks.Options. Every source goes
// through the same Set, so a value is validated the same way wherever it
// comes from, and a bad one is an error naming its source, never a silent
// default.
//
// The package never reads the process's environment itself: Load gets it
// in an Env (NewEnv builds one from a getenv), so tests are hermetic.
package config

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/netguard/netguard/checks"
	"github.com/netguard/netguard/checks/netstate"
)

// FileName is the project config searched upward from the working
// directory; UserFile lives in the user's config dir.
const (
	FileName = ".netguard.yaml"
	UserFile = "config.yaml"
)

// Keys are the settings a config file or NETGUARD_<KEY> may hold.
var Keys = []string{"external", "dns", "gateway", "timeout", "probe-wait", "sudo", "ports", "quiet", "verbose", "json"}

// PortsNone as the ports setting checks no port and reads none from the
// project's Compose or dev container files.
const PortsNone = "none"

// TrustKey lists the directories whose project file the user trusts like
// their own config (see Load). Only the user config may hold it: it is
// neither a flag nor an environment variable, and a project file cannot
// vouch for itself.
const TrustKey = "trust"

// Values are settings from one or more sources, applied in order.
type Values struct {
	external []netip.AddrPort
	dns      *string
	gateway  *netip.Addr // the zero Addr means "auto"
	timeout  *time.Duration
	wait     *time.Duration // probe-wait
	sudo     *checks.SudoMode
	output   Output
	ports    []netstate.PortSpec
	trust    []string // absolute directories; from a config file only
	// untrusted marks a value read from a project file the user has not
	// trusted.
	untrusted bool
	// lines are where each key was set in a file, for warnings.
	lines map[string]int
}

// Output are the settings of how much a command prints and in what form;
// nil is "not set here". A project file may set them: they change what is
// printed, never what runs.
type Output struct {
	Quiet, Verbose, JSON *bool
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
		if err := checks.CheckDNSName(raw); err != nil {
			return fmt.Errorf("dns: %w", err)
		}
		v.dns = &raw
	case "gateway":
		var a netip.Addr
		if raw != "auto" {
			var err error
			if a, err = netip.ParseAddr(raw); err != nil {
				return fmt.Errorf("gateway: want auto or an IP address, got %+q", raw)
			}
			a = a.Unmap()
		}
		v.gateway = &a
	case "timeout":
		d, err := parseDuration(key, raw, "2s, 500ms", checks.CheckTimeout)
		if err != nil {
			return err
		}
		v.timeout = &d
	case "probe-wait":
		d, err := parseDuration(key, raw, "500ms, 2s", checks.CheckProbeWait)
		if err != nil {
			return err
		}
		v.wait = &d
	case "sudo":
		m, err := checks.ParseSudoMode(raw)
		if err != nil {
			return err
		}
		v.sudo = &m
	case "quiet", "verbose", "json":
		b, err := ParseBool(raw)
		if err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		switch key {
		case "quiet":
			v.output.Quiet = &b
		case "verbose":
			v.output.Verbose = &b
		default:
			v.output.JSON = &b
		}
	case "ports":
		if raw == PortsNone {
			v.ports = []netstate.PortSpec{} // set, and empty: nothing is read from the project either
			break
		}
		ps, err := netstate.ParsePorts(raw)
		if err != nil {
			return fmt.Errorf("ports: %w", err)
		}
		v.ports = ps
	default:
		return fmt.Errorf("unknown key %+q (known: %s)", key, strings.Join(Keys, ", "))
	}
	return nil
}

// ApplyOutput copies the output settings that were set onto o.
func (v *Values) ApplyOutput(o *Output) {
	if v == nil {
		return
	}
	if v.output.Quiet != nil {
		o.Quiet = v.output.Quiet
	}
	if v.output.Verbose != nil {
		o.Verbose = v.output.Verbose
	}
	if v.output.JSON != nil {
		o.JSON = v.output.JSON
	}
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
		o.DNSName, o.DNSNameFromProject = *v.dns, v.untrusted
	}
	if v.gateway != nil {
		o.Gateway = *v.gateway
	}
	if v.wait != nil {
		o.ProbeWait = *v.wait
	}
	if v.timeout != nil {
		o.Timeout = *v.timeout
	}
	if v.sudo != nil {
		o.Sudo = *v.sudo
	}
	if v.ports != nil {
		// Non-nil even when empty ("none"): set, so nothing is read from
		// the project, and its notes go with the ports they were about.
		o.Ports = append([]netstate.PortSpec{}, v.ports...)
		o.PortNotes = nil
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

// parseDuration reads a duration setting and checks its bounds; errors
// name the key and show examples.
func parseDuration(key, raw, examples string, check func(time.Duration) error) (time.Duration, error) {
	d, err := time.ParseDuration(raw)
	if err != nil {
		return 0, fmt.Errorf("%s: invalid duration %+q (e.g. %s)", key, raw, examples)
	}
	if err := check(d); err != nil {
		return 0, fmt.Errorf("%s: %w", key, err)
	}
	return d, nil
}
