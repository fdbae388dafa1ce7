package checks

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/netguard/netguard/checks/internal/conffile"
	"github.com/netguard/netguard/checks/netstate"
)

// collectLocal starts the local collectors (ports, proxies, hosts file,
// clock) in parallel with the probes and returns a function that waits
// for them and then completes what needs the probes' results. None of them
// costs the healthy path more than a few microseconds of serial work: each
// runs in its own goroutine; only a failed name server gets a route lookup.
func (e *Engine) collectLocal(ctx, pctx context.Context, o Options, s *netstate.State, timed func(string, func())) (wait func()) {
	ls, ok := e.Sys.(netstate.LocalSystem)
	if !ok {
		return func() {}
	}
	var wg sync.WaitGroup
	s.PortNotes = o.PortNotes
	if len(o.Ports) > 0 {
		wg.Go(func() { timed("ports", func() { s.Ports = checkPorts(ctx, ls, o.Ports) }) })
	}
	wg.Go(func() { timed("proxy", func() { s.Proxy = e.collectProxy(pctx, ls, o) }) })
	wg.Go(func() { timed("hosts", func() { s.Hosts = collectHosts(pctx, ls) }) })
	wg.Go(func() {
		timed("clock", func() {
			s.Clock = ls.Clock()
			s.Clock.Now, s.Clock.BuildTime = time.Now(), buildTime()
		})
	})
	return func() {
		wg.Wait()
		e.routeSilentServers(ctx, s)
	}
}

// routeSilentServers gives each name server that did not answer the
// kernel's route to it: whether a route still leads there is what tells a
// VPN's leftover server from one that is down. The path tracing already
// looked most of them up; only the others are asked.
func (e *Engine) routeSilentServers(ctx context.Context, s *netstate.State) {
	for i := range s.DNS.Servers {
		sv := &s.DNS.Servers[i]
		if sv.Answered || sv.Route != nil || sv.RouteErr != nil || ctx.Err() != nil {
			continue
		}
		if j := slices.IndexFunc(s.NameServerRoutes, func(nr netstate.AddrRoute) bool { return nr.Addr == sv.Server.Addr() }); j >= 0 {
			nr := s.NameServerRoutes[j]
			if nr.RouteErr != nil {
				sv.RouteErr = nr.RouteErr
			} else {
				r := nr.Route
				sv.Route = &r
			}
			continue
		}
		r, err := e.Sys.RouteTo(ctx, sv.Server.Addr())
		if err != nil {
			sv.RouteErr = err
			continue
		}
		sv.Route = &r
	}
}

// collectHosts reads the hosts file once (at most MaxHostsFile of it: the
// system layer returns one byte more to say there is more). Only when it
// lacks a loopback mapping for localhost is the system resolver asked, to
// tell a file that relies on the resolver (systemd's nss-myhostname,
// mDNSResponder) from one that breaks localhost.
func collectHosts(ctx context.Context, ls netstate.LocalSystem) netstate.HostsState {
	path, data, err := ls.HostsFile()
	h := netstate.HostsState{Checked: true, Path: path}
	if err != nil {
		h.Err = fmt.Errorf("read hosts file: %w", err)
		return h
	}
	if len(data) > netstate.MaxHostsFile {
		// Up to the last whole line: a name cut at the bound is not a name.
		data, h.Truncated = data[:bytes.LastIndexByte(data[:netstate.MaxHostsFile], '\n')+1], true
	}
	h.Localhost = parseHostsLocalhost(data)
	if !h.HasLoopback() && !h.Truncated {
		h.Looked = true
		as, err := (&net.Resolver{}).LookupNetIP(ctx, "ip", "localhost")
		h.ResolveErr = err
		for _, a := range as {
			h.Resolved = append(h.Resolved, a.Unmap())
		}
		if r, ok := ls.(netstate.NSSReader); ok && (err != nil || len(h.Resolved) == 0) {
			h.NSSModule = r.LocalhostNSSModule()
		}
	}
	return h
}

// portAddrs are the addresses a bind test tries for p: the wildcard
// addresses servers bind, then loopback. Windows, and macOS with
// SO_REUSEADDR, let a wildcard bind succeed while another process holds
// 127.0.0.1:port, and then localhost:port reaches that process, not the
// environment: the loopback binds catch it (on Linux they are redundant
// and cost microseconds).
func portAddrs(p netstate.PortSpec) []netip.Addr {
	if p.Addr.IsValid() {
		return []netip.Addr{p.Addr}
	}
	return []netip.Addr{netip.IPv4Unspecified(), netip.IPv6Unspecified(), netip.AddrFrom4([4]byte{127, 0, 0, 1}), netip.IPv6Loopback()}
}

// errNoFamily reports whether the address family is not configured on this
// machine (IPv6 disabled); nothing can listen there, so nothing can
// conflict.
func errNoFamily(err error) bool {
	return errors.Is(err, syscall.EAFNOSUPPORT) || errors.Is(err, syscall.EADDRNOTAVAIL) || errors.Is(err, syscall.EPROTONOSUPPORT)
}

// checkPorts bind-tests each port on the addresses the environment binds
// and closes the listener at once; a taken one is asked for its owner.
// net.Listen sets SO_REUSEADDR on Unix as servers do, so a port held only
// by TIME_WAIT connections is free, and tcp6 binds are IPv6-only so each
// family is tested on its own.
func checkPorts(ctx context.Context, ls netstate.LocalSystem, specs []netstate.PortSpec) []netstate.PortResult {
	out := make([]netstate.PortResult, len(specs))
	var lc net.ListenConfig
	for i, p := range specs {
		r := netstate.PortResult{Spec: p, Free: true}
		for _, a := range portAddrs(p) {
			network := "tcp4"
			if a.Is6() {
				network = "tcp6"
			}
			l, err := lc.Listen(ctx, network, netip.AddrPortFrom(a, p.Port).String())
			if err == nil {
				l.Close()
				continue
			}
			if !p.Addr.IsValid() && errNoFamily(err) {
				continue
			}
			r.Free, r.Addr, r.Err = false, a, fmt.Errorf("bind %s: %w", netip.AddrPortFrom(a, p.Port), err)
			r.InUse = errors.Is(err, syscall.EADDRINUSE) || netstate.IsAddrInUse(err)
			r.Excluded = netstate.IsExcludedPort(err)
			break
		}
		if r.InUse {
			r.Owner, r.OwnerErr = ls.PortOwner(ctx, p.Port)
		}
		out[i] = r
	}
	return out
}

// collectProxy reads the proxies and connects to each distinct one once,
// in parallel. A host name is resolved first (through the system resolver,
// as programs would). An http:// proxy that accepts the connection is then
// asked for a CONNECT to the first external target's port 443, the way
// programs use it, with the URL's credentials if it has any; nothing is
// sent once the tunnel is up.
func (e *Engine) collectProxy(ctx context.Context, ls netstate.LocalSystem, o Options) netstate.ProxyState {
	st := netstate.ParseProxyEnv(o.ProxyEnv)
	sys, err := ls.SystemProxy()
	st.SystemErr = err
	st.Settings = append(st.Settings, sys...)
	if st.Disabled() {
		return st
	}
	type result struct {
		addr       netip.Addr
		resolveErr error
		tcp        netstate.ProbeResult
		connect    netstate.ProxyConnect
		route      netstate.Route
		routeErr   error
	}
	sp, _ := e.Prober.(netstate.StreamProber)
	var target netip.AddrPort
	if len(o.External) > 0 {
		target = netip.AddrPortFrom(o.External[0].Addr(), 443)
	}
	// The same proxy with other credentials is another test: one variable
	// may carry them and another not.
	key := func(p *netstate.ProxySetting) string {
		k := p.Endpoint()
		if p.Credentials.Set() {
			k += " " + basicAuth(p.Credentials)
		}
		return k
	}
	results := map[string]*result{}
	var wg sync.WaitGroup
	for i := range st.Settings {
		p := &st.Settings[i]
		if p.Err != nil || results[key(p)] != nil {
			continue
		}
		r := &result{}
		results[key(p)] = r
		host, port := p.Host, p.Port
		auth := ""
		if p.Credentials.Set() {
			auth = basicAuth(p.Credentials)
		}
		connect := sp != nil && p.Scheme == "http" && target.IsValid()
		wg.Go(func() {
			a, err := netip.ParseAddr(host)
			if err != nil {
				as, lerr := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
				if lerr != nil || len(as) == 0 {
					r.resolveErr = fmt.Errorf("resolve proxy %s: %w", host, lerr)
					return
				}
				a = as[0]
			}
			r.addr = a.Unmap()
			r.tcp = e.Prober.TCP(ctx, r.addr, []uint16{port})
			if connect && r.tcp.Answered && !r.tcp.Refused {
				r.connect = sp.Connect(ctx, netip.AddrPortFrom(r.addr, port), target, auth)
			}
			if r.tcp.Answered && !r.addr.IsLoopback() {
				r.route, r.routeErr = e.Sys.RouteTo(ctx, r.addr)
			}
		})
	}
	wg.Wait()
	for i := range st.Settings {
		p := &st.Settings[i]
		if r := results[key(p)]; r != nil && p.Err == nil {
			p.Addr, p.ResolveErr, p.TCP, p.Connect = r.addr, r.resolveErr, r.tcp, r.connect
			p.Route, p.RouteErr = r.route, r.routeErr
		}
	}
	return st
}

// basicAuth is the Proxy-Authorization value for c.
func basicAuth(c netstate.ProxyCredentials) string {
	u, p := c.UserPassword()
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(u+":"+p))
}

// buildTime is the VCS commit time stamped into the binary by go build,
// else the commit time a pseudo-version carries (go install
// module@commit: v0.0.0-20260102150405-abcdef123456), else zero: a build
// without VCS data (go install module@v1.2.3, a Docker build of a copied
// tree) has no date to bound the clock with.
func buildTime() time.Time {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return time.Time{}
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.time" {
			if t, err := time.Parse(time.RFC3339, s.Value); err == nil {
				return t
			}
		}
	}
	return netstate.PseudoVersionTime(bi.Main.Version)
}

// parseHostsLocalhost returns the lines of hosts file text that map
// "localhost" (any case; the canonical name or an alias). A very long
// line is looked at only as far as conffile.MaxLine: it never ends the
// reading of the lines after it.
func parseHostsLocalhost(data []byte) []netstate.HostsEntry {
	var out []netstate.HostsEntry
	conffile.Lines(data, func(n int, raw string) {
		line := raw
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		fs := strings.Fields(line)
		if len(fs) < 2 {
			return
		}
		a, err := netip.ParseAddr(fs[0])
		if err != nil {
			return
		}
		for _, name := range fs[1:] {
			if strings.EqualFold(strings.TrimSuffix(name, "."), "localhost") {
				out = append(out, netstate.HostsEntry{Line: n, Addr: a.Unmap(), Text: strings.TrimSpace(raw)})
				break
			}
		}
	})
	return out
}
