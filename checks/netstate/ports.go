package netstate

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// MaxPorts bounds the ports setting: a development environment listens on
// a handful; more is a mistake in the setting, not a need.
const MaxPorts = 64

// PortSpec is one TCP port the environment listens on. A zero Addr means
// every address, as servers bind by default: both 0.0.0.0 and [::].
type PortSpec struct {
	Addr netip.Addr
	Port uint16
	// From is where the port was read when the user named none: the
	// project file and service ("compose.yaml:web"), for the ports check's
	// detail. Empty for ports from --ports or a config file.
	From string
}

func (p PortSpec) String() string {
	if !p.Addr.IsValid() {
		return strconv.Itoa(int(p.Port))
	}
	return netip.AddrPortFrom(p.Addr, p.Port).String()
}

// ParsePorts parses the ports setting: a comma-separated list of ports,
// each optionally with the address the environment binds ("5432",
// "127.0.0.1:8080", "[::1]:5432"). Duplicates are dropped; more than
// MaxPorts entries, a port outside 1-65535 or a host name is an error.
func ParsePorts(s string) ([]PortSpec, error) {
	var out []PortSpec
	seen := map[PortSpec]bool{}
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		p, err := ParsePort(f)
		if err != nil {
			return nil, err
		}
		if seen[p] {
			continue
		}
		seen[p] = true
		out = append(out, p)
		if len(out) > MaxPorts {
			return nil, fmt.Errorf("more than %d ports", MaxPorts)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no port in %+q", s)
	}
	return out, nil
}

// ParsePort parses one PORT or ADDR:PORT.
func ParsePort(s string) (PortSpec, error) {
	host, portText := "", s
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		if strings.Count(s, ":") > 1 && !strings.HasPrefix(s, "[") {
			return PortSpec{}, fmt.Errorf("port %+q: write an IPv6 address in brackets, e.g. [::1]:5432", s)
		}
		host, portText = s[:i], s[i+1:]
		if host == "" {
			return PortSpec{}, fmt.Errorf("port %+q: empty address before the colon", s)
		}
	}
	n, err := strconv.ParseUint(portText, 10, 16)
	if err != nil || n == 0 {
		return PortSpec{}, fmt.Errorf("port %+q: want a number from 1 to 65535", s)
	}
	p := PortSpec{Port: uint16(n)}
	if host != "" {
		a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"))
		if err != nil || a.Zone() != "" {
			return PortSpec{}, fmt.Errorf("port %+q: %+q is not an IP address (host names are not accepted)", s, host)
		}
		p.Addr = a.Unmap()
	}
	return p, nil
}

// PortResult is the bind test of one PortSpec.
type PortResult struct {
	Spec PortSpec
	// Free: every address the environment binds could be bound.
	Free bool
	// Addr is the address whose bind failed, Err its error (errno kept).
	Addr netip.Addr
	Err  error
	// InUse: EADDRINUSE, another socket listens there.
	InUse bool
	// Excluded: Windows refused with WSAEACCES, the port lies in a range
	// the OS reserved (Hyper-V, WSL, Docker's winnat), not one in use.
	Excluded bool
	// Owner is the process listening on the port, where the OS tells and
	// we may read it; OwnerErr says why not.
	Owner    PortOwner
	OwnerErr error
}

// PortOwner names a process holding a port.
type PortOwner struct {
	PID  int
	Name string
}

// Known reports whether the owner was found.
func (o PortOwner) Known() bool { return o.PID > 0 }
