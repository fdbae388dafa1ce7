package checks

import (
	"context"
	"slices"
	"sync"
	"time"
)

// LocalSystem is the part of the OS layer that reads the machine's local
// configuration a start depends on: who holds a port, the hosts file, the
// system proxy and the clock. The real System of each OS implements it;
// the test fakes do not, and the local checks then say "skip". Probes and
// bind tests stay outside: they are the same on every OS.
type LocalSystem interface {
	// PortOwner names the process listening on TCP port (either family).
	// An error says why it could not be told (another user's process,
	// no API on this OS); it never means the port is free.
	PortOwner(ctx context.Context, port uint16) (PortOwner, error)
	// HostsFile returns the path and content of the hosts file.
	HostsFile() (path string, data []byte, err error)
	// SystemProxy returns the proxies the OS keeps outside the
	// environment (macOS network settings, Windows WinHTTP and Internet
	// settings). Nil with a nil error: none set.
	SystemProxy() ([]ProxySetting, error)
	// Clock reports whether the kernel considers its clock synchronised.
	Clock() ClockState
}

// collectLocal starts the local collectors (ports, proxies, hosts file,
// clock) in parallel with the probes and returns a function that waits
// for them and then completes what needs the probes' results. None of them
// costs the healthy path more than a few microseconds of serial work: each
// runs in its own goroutine; only a failed name server gets a route lookup.
func (e *Engine) collectLocal(ctx, pctx context.Context, o Options, s *State, timed func(string, func())) (wait func()) {
	ls, ok := e.Sys.(LocalSystem)
	if !ok {
		return func() {}
	}
	var wg sync.WaitGroup
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
func (e *Engine) routeSilentServers(ctx context.Context, s *State) {
	for i := range s.DNS.Servers {
		sv := &s.DNS.Servers[i]
		if sv.Answered || sv.Route != nil || sv.RouteErr != nil || ctx.Err() != nil {
			continue
		}
		if j := slices.IndexFunc(s.NameServerRoutes, func(nr AddrRoute) bool { return nr.Addr == sv.Server.Addr() }); j >= 0 {
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
