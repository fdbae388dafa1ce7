package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// composeFiles are the file names `docker compose` looks for in a
// directory, in its order: the first present is the project's.
// composeOverrides are read after it, the first present of them.
var (
	composeFiles     = []string{"compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"}
	composeOverrides = []string{"compose.override.yml", "compose.override.yaml", "docker-compose.override.yml", "docker-compose.override.yaml"}
)

// composeService is what a start needs of one Compose service: the
// profiles that gate it and its port entries, each with the file it is
// from.
type composeService struct {
	name     string
	profiles []string
	ports    []composePort
}

// composePort is one entry of a service's ports: a string in the short
// syntax or a mapping in the long one.
type composePort struct {
	file string
	node *yaml.Node
}

// parseCompose reads the services of one Compose file and merges them
// into services as `docker compose` merges an override file: a service's
// ports are appended to the earlier file's, unless the entry is tagged
// !reset (cleared) or !override (replaced). Everything but services,
// profiles and ports is left to Compose.
func parseCompose(services []composeService, file string, data []byte) ([]composeService, error) {
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return services, nil
		}
		return services, fmt.Errorf("%s", printable(strings.TrimPrefix(err.Error(), "yaml: ")))
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return services, errors.New("not a mapping")
	}
	svcs := mappingValue(doc.Content[0], "services")
	if svcs == nil || svcs.Tag == "!!null" {
		return services, nil
	}
	if svcs = deref(svcs); svcs.Kind != yaml.MappingNode {
		return services, fmt.Errorf("line %d: services is not a mapping", svcs.Line)
	}
	for i := 0; i+1 < len(svcs.Content); i += 2 {
		name, body := svcs.Content[i].Value, deref(svcs.Content[i+1])
		if body == nil || body.Kind != yaml.MappingNode {
			continue // a null service, or one Compose will reject itself
		}
		k := slices.IndexFunc(services, func(s composeService) bool { return s.name == name })
		if k < 0 {
			services = append(services, composeService{name: name})
			k = len(services) - 1
		}
		s := &services[k]
		if p := mappingValue(body, "profiles"); p != nil {
			s.profiles = nil
			for _, c := range p.Content {
				if c = deref(c); c != nil && c.Kind == yaml.ScalarNode {
					s.profiles = append(s.profiles, c.Value)
				}
			}
		}
		p := mappingValue(body, "ports")
		if p == nil {
			continue
		}
		if p.Tag == "!reset" || p.Tag == "!override" {
			s.ports = nil
		}
		if p.Kind != yaml.SequenceNode {
			continue
		}
		for _, c := range p.Content {
			if c = deref(c); c != nil {
				s.ports = append(s.ports, composePort{file: file, node: c})
			}
		}
	}
	return services, nil
}

// mappingValue returns the value of key in the mapping m, or nil, through
// aliases and YAML merge keys (<<: *defaults), which Compose files use to
// share settings between services.
func mappingValue(m *yaml.Node, key string) *yaml.Node {
	return mappingValueDepth(m, key, 0)
}

// maxMergeDepth bounds merge keys within merge keys.
const maxMergeDepth = 4

func mappingValueDepth(m *yaml.Node, key string, depth int) *yaml.Node {
	m = deref(m)
	if m == nil || m.Kind != yaml.MappingNode || depth > maxMergeDepth {
		return nil
	}
	var merged []*yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		switch m.Content[i].Value {
		case key:
			return deref(m.Content[i+1])
		case "<<":
			if v := deref(m.Content[i+1]); v != nil && v.Kind == yaml.SequenceNode {
				merged = append(merged, v.Content...)
			} else {
				merged = append(merged, v)
			}
		}
	}
	for _, src := range merged {
		if v := mappingValueDepth(src, key, depth+1); v != nil {
			return v
		}
	}
	return nil
}

// deref follows an alias to the node it names; the parser has already
// refused an alias to an unknown anchor, and an anchor cannot name itself.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < maxMergeDepth; i++ {
		n = n.Alias
	}
	return n
}

// published is one host port binding a start makes: ports lo to hi on
// addr (the zero Addr: every address, Docker's default).
type published struct {
	addr   netip.Addr
	lo, hi uint16
}

// errNoHostPort means the entry fixes no host port (Compose or Docker
// picks a free one), so nothing can be taken before the start.
var errNoHostPort = errors.New("no fixed host port")

// composePorts returns the TCP ports the services publish on the host,
// each with the file and service it is from, and a note for every entry
// not checked and why. lookup gives a variable's value for interpolation
// ("" when it has none); profiles are the enabled ones (COMPOSE_PROFILES).
func composePorts(services []composeService, lookup func(string) string, profiles []string) (out []portFrom, notes []string) {
	for _, s := range services {
		if len(s.profiles) > 0 && !slices.Contains(profiles, "*") && !slices.ContainsFunc(s.profiles, func(p string) bool { return slices.Contains(profiles, p) }) {
			continue // not started without --profile
		}
		for _, e := range s.ports {
			from := e.file + ":" + printable(s.name)
			p, err := portEntry(e.node, lookup)
			out, notes = addPort(out, notes, p, err, from)
		}
	}
	return out, notes
}

// addPort files one parsed entry read at from: into out, into notes with
// its error, or nowhere when it fixes no host port (nothing to check).
func addPort(out []portFrom, notes []string, p published, err error, from string) ([]portFrom, []string) {
	switch {
	case errors.Is(err, errNoHostPort):
	case err != nil:
		notes = append(notes, from+": "+err.Error())
	default:
		out = append(out, portFrom{p, from})
	}
	return out, notes
}

// portFrom is a published binding and where it was read.
type portFrom struct {
	published
	from string
}

// portEntry reads one entry of a service's ports, short or long syntax.
// An error says why it is not checked; errNoHostPort is no error to report.
func portEntry(n *yaml.Node, lookup func(string) string) (published, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		s, err := interpolate(n.Value, lookup)
		if err != nil {
			return published{}, err
		}
		return parseShortPort(s)
	case yaml.MappingNode:
		field := func(key string) (string, error) {
			v := mappingValue(n, key) // dereferenced
			if v == nil || v.Kind != yaml.ScalarNode {
				return "", nil
			}
			return interpolate(v.Value, lookup)
		}
		pub, err := field("published")
		if err != nil {
			return published{}, err
		}
		proto, err := field("protocol")
		if err != nil {
			return published{}, err
		}
		ip, err := field("host_ip")
		if err != nil {
			return published{}, err
		}
		target, err := field("target")
		if err != nil {
			return published{}, err
		}
		if pub == "" {
			return published{}, errNoHostPort
		}
		if proto = strings.ToLower(proto); proto != "" && proto != "tcp" {
			return published{}, fmt.Errorf("%s/%s not checked (only TCP ports are)", printable(pub), printable(proto))
		}
		p, err := hostPorts(pub, ip)
		if err != nil {
			return published{}, fmt.Errorf("published %s: %w", printable(pub), err)
		}
		if lo, hi, err := portRange(target); p.hi > p.lo && err == nil && lo == hi {
			return published{}, fmt.Errorf("published %s: any free port of %d-%d serves, not checked", printable(pub), p.lo, p.hi)
		}
		return p, nil
	}
	return published{}, fmt.Errorf("line %d: a port entry is neither a string nor a mapping", n.Line)
}

// parseShortPort reads Docker's -p syntax: [[HOST_IP:]HOST_PORT:]
// CONTAINER_PORT[/PROTOCOL], where either port may be a range and an IPv6
// HOST_IP may be bracketed or bare ("::1:6000:6000").
func parseShortPort(s string) (published, error) {
	spec, proto, _ := strings.Cut(s, "/")
	if proto = strings.ToLower(proto); proto != "" && proto != "tcp" {
		return published{}, fmt.Errorf("%s not checked (only TCP ports are)", printable(s))
	}
	i := strings.LastIndexByte(spec, ':')
	if i < 0 {
		return published{}, errNoHostPort // the container port alone
	}
	host, container := spec[:i], spec[i+1:]
	ip, hostPort := "", host
	if j := strings.LastIndexByte(host, ':'); j >= 0 {
		ip, hostPort = host[:j], host[j+1:]
	}
	if hostPort == "" {
		return published{}, errNoHostPort // "127.0.0.1::80"
	}
	p, err := hostPorts(hostPort, ip)
	if err != nil {
		return published{}, fmt.Errorf("%s: %w", printable(s), err)
	}
	clo, chi, err := portRange(container)
	if err != nil {
		return published{}, fmt.Errorf("%s: %w", printable(s), err)
	}
	if p.hi > p.lo && clo == chi {
		// One container port over a host range: Docker binds whichever
		// port of the range is free, so no single one is needed.
		return published{}, fmt.Errorf("%s: any free port of %d-%d serves, not checked", printable(s), p.lo, p.hi)
	}
	return p, nil
}

// hostPorts reads a host port or range and the host address ("" or
// "0.0.0.0"-style literals, bracketed or not).
func hostPorts(port, ip string) (published, error) {
	lo, hi, err := portRange(port)
	if err != nil {
		return published{}, err
	}
	p := published{lo: lo, hi: hi}
	if ip = strings.TrimSuffix(strings.TrimPrefix(ip, "["), "]"); ip != "" {
		a, err := netip.ParseAddr(ip)
		if err != nil || a.Zone() != "" {
			return published{}, fmt.Errorf("host address %s is not an IP address", printable(ip))
		}
		p.addr = a.Unmap()
	}
	return p, nil
}

// portRange reads "8080" or "8000-8010".
func portRange(s string) (lo, hi uint16, err error) {
	a, b, isRange := strings.Cut(s, "-")
	if lo, err = portNumber(a); err != nil {
		return 0, 0, err
	}
	if !isRange {
		return lo, lo, nil
	}
	if hi, err = portNumber(b); err != nil {
		return 0, 0, err
	}
	if hi < lo {
		return 0, 0, fmt.Errorf("port range %s ends before it starts", printable(s))
	}
	return lo, hi, nil
}

func portNumber(s string) (uint16, error) {
	n, err := strconv.ParseUint(strings.TrimSpace(s), 10, 16)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("port %s: want a number from 1 to 65535", printable(s))
	}
	return uint16(n), nil
}

// maxInterpolationDepth bounds nested defaults (${A:-${B:-${C}}}).
const maxInterpolationDepth = 8

// errInterpolation means a "$" starts no variable Compose knows.
var errInterpolation = errors.New("invalid interpolation")

// interpolate expands variables as Compose does: $$ is a dollar, $NAME
// and ${NAME} a value, ${NAME:-default} and ${NAME-default} a default,
// ${NAME:+alt} and ${NAME+alt} an alternative, ${NAME:?err} and
// ${NAME?err} a required value. lookup says "" for a variable without a
// value, which counts as unset. A variable with neither a value nor a
// default is an error naming it: the port is unknown until the start.
func interpolate(s string, lookup func(string) string) (string, error) {
	return interpolateDepth(s, lookup, 0)
}

func interpolateDepth(s string, lookup func(string) string, depth int) (string, error) {
	if depth > maxInterpolationDepth {
		return "", fmt.Errorf("%w: defaults nested deeper than %d", errInterpolation, maxInterpolationDepth)
	}
	if !strings.Contains(s, "$") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] != '$' {
			b.WriteByte(s[i])
			i++
			continue
		}
		if i+1 == len(s) {
			return "", fmt.Errorf("%w: %s ends in $", errInterpolation, printable(s))
		}
		switch c := s[i+1]; {
		case c == '$':
			b.WriteByte('$')
			i += 2
		case c == '{':
			end := closingBrace(s, i+2)
			if end < 0 {
				return "", fmt.Errorf("%w: %s has an unclosed ${", errInterpolation, printable(s))
			}
			v, err := expand(s[i+2:end], lookup, depth)
			if err != nil {
				return "", err
			}
			b.WriteString(v)
			i = end + 1
		case nameByte(c, true):
			j := i + 2
			for j < len(s) && nameByte(s[j], false) {
				j++
			}
			v := lookup(s[i+1 : j])
			if v == "" {
				return "", unsetError(s[i+1 : j])
			}
			b.WriteString(v)
			i = j
		default:
			return "", fmt.Errorf("%w: %s", errInterpolation, printable(s))
		}
	}
	return b.String(), nil
}

// expand is one ${...}: body is what the braces hold.
func expand(body string, lookup func(string) string, depth int) (string, error) {
	j := 0
	for j < len(body) && nameByte(body[j], j == 0) {
		j++
	}
	name, op := body[:j], body[j:]
	if name == "" {
		return "", fmt.Errorf("%w: ${%s}", errInterpolation, printable(body))
	}
	v := lookup(name)
	switch {
	case op == "":
		if v == "" {
			return "", unsetError(name)
		}
		return v, nil
	case strings.HasPrefix(op, ":-"), strings.HasPrefix(op, "-"):
		if v != "" {
			return v, nil
		}
		return interpolateDepth(strings.TrimPrefix(strings.TrimPrefix(op, ":"), "-"), lookup, depth+1)
	case strings.HasPrefix(op, ":+"), strings.HasPrefix(op, "+"):
		if v == "" {
			return "", nil
		}
		return interpolateDepth(strings.TrimPrefix(strings.TrimPrefix(op, ":"), "+"), lookup, depth+1)
	case strings.HasPrefix(op, ":?"), strings.HasPrefix(op, "?"):
		if v == "" {
			return "", unsetError(name)
		}
		return v, nil
	}
	return "", fmt.Errorf("%w: ${%s}", errInterpolation, printable(body))
}

func unsetError(name string) error {
	return fmt.Errorf("${%s} has no value here, port not checked", name)
}

// closingBrace returns the index of the } that closes the ${ whose body
// starts at i, counting nested braces, or -1.
func closingBrace(s string, i int) int {
	depth := 1
	for ; i < len(s); i++ {
		switch s[i] {
		case '{':
			depth++
		case '}':
			if depth--; depth == 0 {
				return i
			}
		}
	}
	return -1
}

// nameByte reports whether c may stand in a variable name: a letter or _
// first, then letters, digits and _.
func nameByte(c byte, first bool) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || !first && '0' <= c && c <= '9'
}
