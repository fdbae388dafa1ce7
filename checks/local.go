package checks

import (
	"context"
	"slices"
	"sync"
	"time"
)

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
