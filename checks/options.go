package checks

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/netguard/netguard/checks/netstate"
)

// Options are the inputs of one run. The zero value is not useful: start
// from DefaultOptions.
type Options struct {
	// External are the hosts whose reachability stands for "the internet".
	// A zero port means: try the default TCP ports.
	External []netip.AddrPort
	// DNSName is resolved through the system resolver.
	DNSName string
	// DNSNameFromProject: DNSName comes from a project file the user has
	// not trusted. Such a name may fail the dns check, but it never
	// chooses a privileged repair: a repository could otherwise name one
	// its upstream refuses and have every start run sudo.
	DNSNameFromProject bool
	// Gateway overrides the default route's gateway when valid.
	Gateway netip.Addr
	// Timeout bounds the whole run, repairs included.
	Timeout time.Duration
	// ProbeWait is how long probes wait for answers before silence counts
	// as evidence; zero means DefaultProbeWait. It does not grow with
	// Timeout (see probeWindowFor).
	ProbeWait time.Duration
	// Sudo says how privileged repairs may run.
	Sudo SudoMode
	// FixCommand is how the user runs the repairs from the entry point
	// they came through, for the manual step that names it: "mage
	// guard:fix" under mage. Empty means the guard binary's own.
	FixCommand string
	// Ports are the TCP ports the environment will listen on; each must be
	// free. Empty: no port is checked.
	Ports []netstate.PortSpec
	// PortNotes say which ports of the project's files were not checked
	// and why (a variable without a value, a UDP port), when Ports were
	// read from them; the ports check's detail carries them.
	PortNotes []string
	// ProxyEnv holds the proxy variables (HTTP_PROXY, https_proxy,
	// NO_PROXY...) of the environment the start runs in, as the CLI read
	// them: checks never reads the environment itself.
	ProxyEnv map[string]string
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
	return "", fmt.Errorf("invalid sudo mode %+q (want never, auto or prompt)", s)
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

// DefaultOptions returns the built-in defaults.
func DefaultOptions() Options {
	return Options{
		External: append([]netip.AddrPort(nil), DefaultExternal...),
		DNSName:  "example.com",
		Timeout:  2 * time.Second,
		Sudo:     SudoAuto,
	}
}

// Bounds on the inputs of a run, whatever their source. Below MinTimeout
// the probes cannot get an answer even from a LAN gateway, so a run could
// only report "no reply"; above MaxTimeout a hook or a `mage start` would
// stall for minutes. MaxExternal keeps the check a check: each target is a
// handful of probes, and a long IP:port list would make guard a port
// scanner.
const (
	MinTimeout  = 100 * time.Millisecond
	MaxTimeout  = 10 * time.Minute
	MaxExternal = 16
	// MaxDNSName is the longest host name DNS can carry (RFC 1035).
	MaxDNSName = 253
)

// Bounds on an explicit probe wait: below MinProbeWait a lossy but working
// path would read as silent; above MaxProbeWait a broken start waits too
// long for silence to prove anything.
const (
	MinProbeWait = 100 * time.Millisecond
	MaxProbeWait = 30 * time.Second
)

// CheckProbeWait reports a probe wait outside [MinProbeWait, MaxProbeWait].
func CheckProbeWait(d time.Duration) error {
	if d < MinProbeWait || d > MaxProbeWait {
		return fmt.Errorf("%s is out of range (%s to %s)", d, MinProbeWait, MaxProbeWait)
	}
	return nil
}

// CheckTimeout reports a timeout outside [MinTimeout, MaxTimeout].
func CheckTimeout(d time.Duration) error {
	if d < MinTimeout || d > MaxTimeout {
		return fmt.Errorf("%s is out of range (%s to %s)", d, MinTimeout, MaxTimeout)
	}
	return nil
}

// CheckDNSName reports a name that is not a host name in letters, digits
// and hyphens (LDH, RFC 952/1123): labels of 1 to 63 characters separated
// by dots, not starting or ending with a hyphen, at most 253 characters,
// one trailing dot allowed. Anything else (spaces, slashes, control
// characters, escape sequences) would be printed back to a terminal.
func CheckDNSName(name string) error {
	bad := func(why string) error { return fmt.Errorf("invalid name %+q: %s", name, why) }
	n := strings.TrimSuffix(name, ".")
	switch {
	case n == "":
		return bad("empty")
	case len(n) > MaxDNSName:
		return bad(fmt.Sprintf("longer than %d characters", MaxDNSName))
	}
	for _, label := range strings.Split(n, ".") {
		switch {
		case label == "":
			return bad("empty label")
		case len(label) > 63:
			return bad("label longer than 63 characters")
		case label[0] == '-' || label[len(label)-1] == '-':
			return bad("label starts or ends with a hyphen")
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
				return bad("only letters, digits, hyphens and dots are allowed")
			}
		}
	}
	return nil
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
		if len(out) == MaxExternal {
			// Refused before parsing the rest: a list of thousands must
			// not cost memory or time before it is refused.
			return nil, fmt.Errorf("more than %d targets", MaxExternal)
		}
		t, err := ParseTarget(f)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no target in %+q", s)
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
			return netip.AddrPort{}, fmt.Errorf("target %+q: port 0", s)
		}
		return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), nil
	}
	if i := strings.LastIndexByte(s, ':'); i > 0 {
		if _, err := strconv.Atoi(s[i+1:]); err == nil {
			return netip.AddrPort{}, fmt.Errorf("target %+q: not an IP address with a port", s)
		}
	}
	return netip.AddrPort{}, fmt.Errorf("target %+q is not an IP address (host names are not accepted: they would depend on the DNS being checked)", s)
}

// Validate reports the first bad value.
func (o Options) Validate() error {
	if err := CheckTimeout(o.Timeout); err != nil {
		return fmt.Errorf("timeout: %w", err)
	}
	if len(o.External) == 0 {
		return fmt.Errorf("no external targets")
	}
	if len(o.External) > MaxExternal {
		return fmt.Errorf("external: %d targets, at most %d", len(o.External), MaxExternal)
	}
	if err := CheckDNSName(o.DNSName); err != nil {
		return fmt.Errorf("dns: %w", err)
	}
	if _, err := ParseSudoMode(string(o.Sudo)); err != nil {
		return err
	}
	return nil
}
