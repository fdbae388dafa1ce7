package checks

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Options are the inputs of one run. The zero value is not useful: start
// from DefaultOptions.
type Options struct {
	// External are the hosts whose reachability stands for "the internet".
	// A zero port means: try the default TCP ports.
	External []netip.AddrPort
	// DNSName is resolved through the system resolver.
	DNSName string
	// Gateway overrides the default route's gateway when valid.
	Gateway netip.Addr
	// Timeout bounds the whole run, repairs included.
	Timeout time.Duration
	// Sudo says how privileged repairs may run.
	Sudo SudoMode
}

// SudoMode says how a repair that needs privilege may get it.
type SudoMode string

const (
	SudoNever  SudoMode = "never"  // repair nothing privileged; print the command
	SudoAuto   SudoMode = "auto"   // sudo -n: only without a password prompt
	SudoPrompt SudoMode = "prompt" // sudo may ask, on a terminal only
)

// ParseSudoMode validates a --sudo value.
func ParseSudoMode(s string) (SudoMode, error) {
	switch m := SudoMode(strings.TrimSpace(s)); m {
	case SudoNever, SudoAuto, SudoPrompt:
		return m, nil
	}
	return "", fmt.Errorf("invalid sudo mode %q (want never, auto or prompt)", s)
}

// DefaultExternal are anycast resolvers of three providers, both families,
// so no one provider's or country's block decides "internet down".
var DefaultExternal = []netip.AddrPort{
	netip.MustParseAddrPort("1.1.1.1:0"),
	netip.MustParseAddrPort("8.8.8.8:0"),
	netip.MustParseAddrPort("9.9.9.9:0"),
	netip.MustParseAddrPort("[2606:4700:4700::1111]:0"),
	netip.MustParseAddrPort("[2001:4860:4860::8888]:0"),
}

// DefaultTCPPorts are tried when a target has no port: HTTPS, DNS, HTTP.
// A refusal on any of them proves the host answered.
var DefaultTCPPorts = []uint16{443, 53, 80}

// DefaultOptions returns the built-in defaults.
func DefaultOptions() Options {
	return Options{
		External: append([]netip.AddrPort(nil), DefaultExternal...),
		DNSName:  "example.com",
		Timeout:  2 * time.Second,
		Sudo:     SudoAuto,
	}
}

// ParseTargets parses a comma-separated list of IPs, each optionally with a
// port ("203.0.113.5", "203.0.113.5:443", "[2001:db8::1]:53"). Host names
// are refused: resolving them would make the check depend on the DNS it is
// about to test.
func ParseTargets(s string) ([]netip.AddrPort, error) {
	var out []netip.AddrPort
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		t, err := ParseTarget(f)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no target in %q", s)
	}
	return out, nil
}

// ParseTarget parses one IP or IP:port.
func ParseTarget(s string) (netip.AddrPort, error) {
	if a, err := netip.ParseAddr(s); err == nil {
		return netip.AddrPortFrom(a.Unmap(), 0), nil
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		if ap.Port() == 0 {
			return netip.AddrPort{}, fmt.Errorf("target %q: port 0", s)
		}
		return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), nil
	}
	if i := strings.LastIndexByte(s, ':'); i > 0 {
		if _, err := strconv.Atoi(s[i+1:]); err == nil {
			return netip.AddrPort{}, fmt.Errorf("target %q: not an IP address with a port", s)
		}
	}
	return netip.AddrPort{}, fmt.Errorf("target %q is not an IP address (host names are not accepted: they would depend on the DNS being checked)", s)
}

// Validate reports the first bad value.
func (o Options) Validate() error {
	if o.Timeout <= 0 {
		return fmt.Errorf("timeout must be positive, got %s", o.Timeout)
	}
	if len(o.External) == 0 {
		return fmt.Errorf("no external targets")
	}
	if o.DNSName == "" {
		return fmt.Errorf("empty DNS name")
	}
	if _, err := ParseSudoMode(string(o.Sudo)); err != nil {
		return err
	}
	return nil
}
