package probe

import (
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/netguard/netguard/checks/internal/conffile"
	"github.com/netguard/netguard/checks/netstate"
)

// resolverCacheTTL is how long one read of the resolver configuration
// serves: the route tracing and the DNS probe of one run ask within
// milliseconds of each other; the next run (guard watch, the check after
// a repair) reads it again.
const resolverCacheTTL = 200 * time.Millisecond

// resolverCache holds the last read of the resolver configuration.
type resolverCache struct {
	mu  sync.Mutex
	at  time.Time
	cfg netstate.ResolverConfig
}

// resolverConfig reads the resolver configuration, or returns the read
// of the same run.
func (p *NetProber) resolverConfig() netstate.ResolverConfig {
	c := &p.resolv
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.at.IsZero() && time.Since(c.at) < resolverCacheTTL {
		return c.cfg
	}
	c.cfg, c.at = readResolverConfig(p.ResolvConf, p.ResolverDir), time.Now()
	return c.cfg
}

// maxNameServers is how many nameserver lines the resolver uses: glibc's
// MAXNS and Go's resolver both stop at three, whatever follows.
const maxNameServers = 3

// resolverFields splits a resolv.conf or resolver(5) line into its words,
// without the comment that '#' or ';' starts.
func resolverFields(line string) []string {
	if i := strings.IndexAny(line, "#;"); i >= 0 {
		line = line[:i]
	}
	return strings.Fields(line)
}

// parseResolvConf reads resolv.conf text: the first three nameserver
// lines in order and options timeout:N attempts:N rotate. Later options
// win, as in glibc.
func parseResolvConf(source string, data []byte) netstate.ResolverConfig {
	c := netstate.ResolverConfig{Source: source, Found: true, Timeout: netstate.DefaultResolverTimeout, Attempts: netstate.DefaultResolverAttempts}
	conffile.Lines(data, func(_ int, line string) {
		fs := resolverFields(line)
		if len(fs) < 2 {
			return
		}
		switch fs[0] {
		case "nameserver":
			a, err := netip.ParseAddr(fs[1])
			if err != nil || len(c.Servers) == maxNameServers {
				return
			}
			c.Servers = append(c.Servers, netip.AddrPortFrom(a.Unmap(), 53))
		case "search", "domain":
			// glibc: the last search or domain line wins; it keeps six
			// domains at most, and no name is longer than 253 bytes.
			c.Search = nil
			for _, d := range fs[1:min(len(fs), 7)] {
				if len(d) <= 253 {
					c.Search = append(c.Search, d)
				}
			}
		case "options":
			for _, o := range fs[1:] {
				k, v, _ := strings.Cut(o, ":")
				n, err := strconv.Atoi(v)
				switch {
				case k == "rotate":
					c.Rotate = true
				case k == "timeout" && err == nil && n >= 1:
					c.Timeout = time.Duration(min(n, 30)) * time.Second // glibc caps at 30
				case k == "attempts" && err == nil && n >= 1:
					c.Attempts = min(n, 5) // glibc caps at 5
				}
			}
		}
	})
	return c
}

// stubOnly reports whether every server is systemd-resolved's stub, so the
// servers that matter are its upstreams.
func stubOnly(c netstate.ResolverConfig) bool {
	if len(c.Servers) == 0 {
		return false
	}
	for _, s := range c.Servers {
		if s.Addr() != netstate.ResolvedStub {
			return false
		}
	}
	return true
}

// parseScopedResolver reads one per-domain resolver file (man 5 resolver)
// named file: nameserver (the first three), port (for all of them),
// domain (else the file's name), search_order and timeout. ok is false
// when its domain is not a host name.
func parseScopedResolver(source, file string, data []byte) (sr netstate.ScopedResolver, ok bool) {
	sr = netstate.ScopedResolver{Source: source, Domain: file}
	port := uint16(53)
	var addrs []netip.Addr
	conffile.Lines(data, func(_ int, line string) {
		fs := resolverFields(line)
		if len(fs) < 2 {
			return
		}
		n, nerr := strconv.Atoi(fs[1])
		switch fs[0] {
		case "nameserver":
			if a, err := netip.ParseAddr(fs[1]); err == nil && len(addrs) < maxNameServers {
				addrs = append(addrs, a.Unmap())
			}
		case "port":
			if nerr == nil && n > 0 && n <= 65535 {
				port = uint16(n)
			}
		case "domain":
			sr.Domain = fs[1]
		case "search_order":
			if nerr == nil && n >= 0 {
				sr.Order = n
			}
		case "timeout":
			if nerr == nil && n >= 1 {
				sr.Timeout = time.Duration(min(n, 30)) * time.Second
			}
		}
	})
	sr.Domain = strings.ToLower(strings.TrimSuffix(sr.Domain, "."))
	if !hostName(sr.Domain) {
		return netstate.ScopedResolver{}, false
	}
	for _, a := range addrs {
		sr.Servers = append(sr.Servers, netip.AddrPortFrom(a, port))
	}
	return sr, true
}

// hostName reports whether s is a DNS name in letters, digits, hyphens
// and underscores, of at most 253 bytes and 63 per label.
func hostName(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, l := range strings.Split(s, ".") {
		if l == "" || len(l) > 63 {
			return false
		}
		for _, c := range l {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}
