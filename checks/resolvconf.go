package checks

import (
	"bufio"
	"bytes"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ResolverConfig is the system resolver's configuration, servers in the
// order the resolver tries them.
type ResolverConfig struct {
	// Source is where it was read: a file path, or the OS API.
	Source  string
	Servers []netip.AddrPort
	// Timeout per query and Attempts per server, as configured or the
	// resolver's defaults (glibc and Go: 5 s and 2); zero when unknown.
	Timeout  time.Duration
	Attempts int
	// Rotate: queries are spread over the servers (options rotate), so no
	// server is "first".
	Rotate bool
	// Upstreams are the servers behind a local stub (systemd-resolved's
	// own list when resolv.conf names 127.0.0.53), from UpstreamSource.
	Upstreams      []netip.AddrPort
	UpstreamSource string
	// Found: the configuration exists and was read (a resolv.conf, the
	// Windows adapters); without it no server listed means "not known".
	Found bool
	// Err: the configuration could not be read.
	Err error
}

// resolverCacheTTL is how long one read of the resolver configuration
// serves: the route tracing and the DNS probe of one run ask within
// milliseconds of each other; the next run (guard watch, the check after
// a repair) reads it again.
const resolverCacheTTL = 200 * time.Millisecond

// resolverCache holds the last read of the resolver configuration.
type resolverCache struct {
	mu  sync.Mutex
	at  time.Time
	cfg ResolverConfig
}

// resolverConfig reads the resolver configuration, or returns the read
// of the same run.
func (p *NetProber) resolverConfig() ResolverConfig {
	c := &p.resolv
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.at.IsZero() && time.Since(c.at) < resolverCacheTTL {
		return c.cfg
	}
	c.cfg, c.at = readResolverConfig(p.ResolvConf), time.Now()
	return c.cfg
}

// resolverDefaults are glibc's (resolv.h RES_TIMEOUT, RES_DFLRETRY), which
// Go's own resolver copies.
const (
	defaultResolverTimeout  = 5 * time.Second
	defaultResolverAttempts = 2
)

// resolvedStub is systemd-resolved's local stub listener.
var resolvedStub = netip.MustParseAddr("127.0.0.53")

// parseResolvConf reads resolv.conf text: nameserver lines in order and
// options timeout:N attempts:N rotate. Later options win, as in glibc.
func parseResolvConf(source string, data []byte) ResolverConfig {
	c := ResolverConfig{Source: source, Found: true, Timeout: defaultResolverTimeout, Attempts: defaultResolverAttempts}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Text()
		if i := strings.IndexAny(line, "#;"); i >= 0 {
			line = line[:i]
		}
		fs := strings.Fields(line)
		if len(fs) < 2 {
			continue
		}
		switch fs[0] {
		case "nameserver":
			a, err := netip.ParseAddr(fs[1])
			if err != nil {
				continue
			}
			c.Servers = append(c.Servers, netip.AddrPortFrom(a.Unmap(), 53))
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
	}
	if err := sc.Err(); err != nil {
		c.Err = fmt.Errorf("read %s: %w", source, err)
	}
	return c
}

// stubOnly: every server is systemd-resolved's stub, so the servers that
// matter are its upstreams.
func (c *ResolverConfig) stubOnly() bool {
	if len(c.Servers) == 0 {
		return false
	}
	for _, s := range c.Servers {
		if s.Addr() != resolvedStub {
			return false
		}
	}
	return true
}
