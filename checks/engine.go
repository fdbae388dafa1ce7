package checks

import (
	"context"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/netguard/netguard/checks/diagnose"
	"github.com/netguard/netguard/checks/netstate"
)

// gatewayPorts are the ports a gateway is probed on: a router usually runs
// DNS or a web UI; a refusal on any port answers just as well.
var gatewayPorts = []uint16{53, 80, 443}

// externalICMPGrace is how much longer an external target's ICMP may still
// answer after its TCP did: two more echoes (40 ms apart). It costs nothing
// when ICMP works, since it answers first.
const externalICMPGrace = 80 * time.Millisecond

// gatewayTCPDelay is how long a gateway's ping may take before TCP
// confirms it: well above a LAN round trip, well below the probe budget.
const gatewayTCPDelay = 20 * time.Millisecond

// grace is how long the second kind of probe may still answer once the
// first has: enough for a normal answer, not long enough to wait on a
// firewall that drops it.
func grace(rtt time.Duration) time.Duration {
	return min(20*time.Millisecond+2*rtt, 200*time.Millisecond)
}

// Collect observes the machine: tables and probes in parallel under ctx.
// It never changes anything. A collection that outlives ctx by more than a
// moment is abandoned and reported as timed out: a pre-start hook must
// never hang. It is the safety net for OS calls that take no deadline
// (macOS sysctl reads, Windows IP Helper calls) and for any System that
// ignores ctx.
func (e *Engine) Collect(ctx context.Context, o Options) *netstate.State {
	done := make(chan *netstate.State, 1)
	go func() { done <- e.collect(ctx, o) }()
	select {
	case s := <-done:
		return s
	case <-ctx.Done():
	}
	select {
	case s := <-done:
		return s
	case <-time.After(250 * time.Millisecond):
		s := &netstate.State{OS: e.OS, Privileged: e.Privileged, TimedOut: true}
		s.V4.Family, s.V6.Family = 4, 6
		return s
	}
}

// collect reads the tables, plans the probes from them and runs the plan,
// with the DNS probe and the local collectors alongside.
func (e *Engine) collect(ctx context.Context, o Options) *netstate.State {
	s := &netstate.State{OS: e.OS, Privileged: e.Privileged, HostApp: e.HostApp, LocalNetworkPrivacy: e.LocalNetworkPrivacy}
	s.V4.Family, s.V6.Family = 4, 6
	var tookMu sync.Mutex
	s.Took = map[string]time.Duration{}
	timed := func(id string, f func()) {
		t0 := time.Now()
		f()
		tookMu.Lock()
		s.Took[id] = max(s.Took[id], time.Since(t0))
		tookMu.Unlock()
	}
	wait, limit := probeWindowFor(o)
	// The window begins when the tables are in and the probes that decide
	// on silence are sent (below); until then it is open.
	pctx := openProbeWindow(ctx, wait, limit)
	defer pctx.stop()
	// The DNS probe may be called off once the tables prove that no name
	// server can answer.
	dctx, dcancel := context.WithCancel(pctx)
	defer dcancel()

	tablesDone, neighDone, tablesWait := e.readTables(ctx, s, timed)
	localWait := e.collectLocal(ctx, pctx, o, s, timed)
	var dnsWG sync.WaitGroup
	planned := make(chan struct{})
	dnsWG.Go(func() {
		timed("dns", func() { s.DNS = e.Prober.DNS(dctx, o.DNSName) })
		select {
		case <-planned:
			e.collectTunApp(pctx, o, s)
		case <-ctx.Done():
		}
	})

	<-tablesDone
	pctx.begin()
	for _, f := range s.Families() {
		f.Default = pickDefault(s.Routes, f.Family)
		if f.Default == nil {
			f.Default = e.splitDefault(ctx, o, f.Family)
		}
	}
	close(planned)
	plan := planProbes(s, o)
	s.V4.Gateway, s.V6.Gateway = plan.families[0].gateway, plan.families[1].gateway
	e.runPlan(ctx, pctx, s, plan, neighDone, dcancel, timed)
	tablesWait()
	e.rereadNeighbors(ctx, s)
	e.inspectTunnels(ctx, s)
	dnsWG.Wait()
	e.askPortal(ctx, s, o, timed)
	localWait()
	nameInterfaces(s)
	return s
}

// firewallReadBudget bounds the read of the firewall's rules, which the
// probes wait for: a ruleset of thousands of rules (a Kubernetes node's)
// is then judged from errno alone rather than slowing every check.
const firewallReadBudget = 50 * time.Millisecond

// portalWait bounds the one GET to a suspected captive portal: it sits on
// the LAN (the gateway, or an address next to it), so it answers in a round
// trip or not at all.
const portalWait = 300 * time.Millisecond

// askPortal asks a suspected captive portal where it sends a browser: only
// when the name resolved to the gateway or a private address and no
// external target answered on HTTPS, which a healthy network never shows,
// so a healthy check sends nothing.
func (e *Engine) askPortal(ctx context.Context, s *netstate.State, o Options, timed func(string, func())) {
	pp, ok := e.Prober.(netstate.PortalProber)
	if !ok {
		return
	}
	a, ok := netstate.PortalSuspect(s)
	if !ok {
		return
	}
	pctx, cancel := context.WithTimeout(ctx, portalWait)
	defer cancel()
	timed("internet", func() {
		r := pp.Portal(pctx, a, o.DNSName)
		s.Portal = &r
	})
}

// collectTunApp looks at the tunnel the first external target is routed
// into, only when names resolved to fake-ip addresses (a TUN proxy app in
// fake-ip mode): the process holding it, and a first request through it
// to the target's port 443, since such an app accepts every connection
// itself and only a request shows that it drops them when its own
// upstream is gone. It runs under the probe window, beside the probes.
func (e *Engine) collectTunApp(ctx context.Context, o Options, s *netstate.State) {
	if len(s.FakeIPs()) == 0 {
		return
	}
	var ext netip.Addr
	for _, t := range o.External {
		if t.Addr().Is4() {
			ext = t.Addr()
			break
		}
	}
	var ifIndex int
	if ext.IsValid() {
		if r, err := e.Sys.RouteTo(ctx, ext); err == nil {
			ifIndex = r.IfIndex
		}
	}
	if ifIndex == 0 && s.V4.Default != nil {
		ifIndex = s.V4.Default.IfIndex
	}
	l := linkOf(s.Links, ifIndex)
	if l == nil || !l.Tunnel {
		return
	}
	t := &s.TunApp
	t.Checked, t.Iface = true, l.Name
	var wg sync.WaitGroup
	if f, ok := e.Sys.(netstate.TunHolderFinder); ok {
		wg.Go(func() { t.Holders, t.HoldersErr = f.TunHolders(ctx, t.Iface) })
	}
	if sp, ok := e.Prober.(netstate.StreamProber); ok && ext.IsValid() {
		wg.Go(func() { t.Hello = sp.Hello(ctx, netip.AddrPortFrom(ext, 443)) })
	}
	wg.Wait()
}

// routesOutsideMain reports whether a table other than main (254), local
// (255) and default (253) holds routes.
func routesOutsideMain(rs []netstate.Route) bool {
	for _, r := range rs {
		switch r.Table {
		case 0, 253, 254, 255:
		default:
			return true
		}
	}
	return false
}

// readTables reads the link, route, neighbor and socket tables in
// parallel. tablesDone closes when links and routes are in (what the plan
// needs), neighDone when the neighbors are; wait waits for all four.
func (e *Engine) readTables(ctx context.Context, s *netstate.State, timed func(string, func())) (tablesDone, neighDone <-chan struct{}, wait func()) {
	var wg, tables sync.WaitGroup
	td, nd := make(chan struct{}), make(chan struct{})
	fr, readFW := e.Sys.(netstate.FirewallReader)
	tables.Add(2)
	if readFW {
		tables.Add(1)
	}
	go func() { tables.Wait(); close(td) }()
	wg.Add(4)
	go func() {
		defer wg.Done()
		defer tables.Done()
		timed("link", func() { s.Links, s.LinksErr = e.Sys.Links(ctx) })
	}()
	rr, readRules := e.Sys.(netstate.RuleReader)
	go func() {
		defer wg.Done()
		timed("route", func() { s.Routes, s.RoutesErr = e.Sys.Routes(ctx) })
		tables.Done()
		// The policy rules only matter when some table besides main,
		// local and default holds routes (a VPN's own table): then they
		// say which traffic goes there. Without one, every rule leads to
		// the main table, and a healthy run skips the read.
		if readRules && routesOutsideMain(s.Routes) {
			timed("route", func() { s.Rules, s.RulesErr = rr.Rules(ctx) })
		}
	}()
	go func() {
		defer wg.Done()
		defer close(nd)
		timed("neighbor", func() { s.Neighbors, s.NeighborsErr = e.Sys.Neighbors(ctx) })
	}()
	go func() {
		defer wg.Done()
		timed("resources", func() { s.Sockets, s.SocketsErr = e.Sys.Sockets(ctx) })
	}()
	// The firewall's output rules are a table the plan reads like the
	// routes: a kill switch proves the silence of what it drops, so the
	// probes are not sent.
	if readFW {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer tables.Done()
			timed("firewall", func() {
				fctx, cancel := context.WithTimeout(ctx, firewallReadBudget)
				defer cancel()
				s.Firewall = fr.OutputFilter(fctx)
			})
		}()
	}
	return td, nd, wg.Wait
}

// runPlan sends the plan's probes under the probe window pctx, with the
// gateway solicitation and the name-server route lookups alongside, and
// returns when all are done. dcancel calls off the DNS probe when the
// tables prove no name server can answer.
func (e *Engine) runPlan(ctx context.Context, pctx *probeWindow, s *netstate.State, plan probePlan, neighDone <-chan struct{}, dcancel func(), timed func(string, func())) {
	var pw sync.WaitGroup
	// The solicitation gathers answers for as long as the probes run:
	// until the window closes, or until every probe is done (a gateway
	// that answered through the entry needs no more evidence about it).
	sctx, scancel := context.WithCancel(pctx)
	defer scancel()
	var sw sync.WaitGroup
	if _, ok := e.Sys.(netstate.NeighborSoliciter); ok && e.Privileged {
		sw.Add(1)
		go func() {
			defer sw.Done()
			select {
			case <-neighDone:
				e.solicitGateways(sctx, s, &sw)
			case <-sctx.Done():
			}
		}()
	}
	pw.Add(1)
	go func() {
		defer pw.Done()
		if e.traceNameServers(ctx, s, plan.dnsName) {
			dcancel()
		}
	}()
	var sig4 familySignals
	for i, f := range s.Families() {
		sig := e.runFamily(pctx, s, f, plan.families[i], &pw, timed)
		if f.Family == 4 {
			sig4 = sig
		}
	}
	e.probeOwnAddresses(sctx, s, &sw, sig4)
	pw.Wait()
	scancel()
	sw.Wait()
}

// familySignals tell the rest of the run, while a family's probes go on,
// whether anything answered: probes that only help when something is wrong
// wait on them.
type familySignals struct {
	answered <-chan struct{} // the gateway or an external target answered
	gwSilent <-chan struct{} // the gateway probe ended without an answer
}

// runFamily starts one family's probes of the plan on pw: the gateway,
// the external targets, then the path-MTU and uplink probes, which wait
// on the targets' answers.
func (e *Engine) runFamily(pctx *probeWindow, s *netstate.State, f *netstate.FamilyState, fp familyPlan, pw *sync.WaitGroup, timed func(string, func())) familySignals {
	answered, gwSilent := make(chan struct{}), make(chan struct{})
	var answeredOnce sync.Once
	markAnswered := func() { answeredOnce.Do(func() { close(answered) }) }
	if fp.gateway.IsValid() {
		f.GatewayProbe = &netstate.TargetResult{Addr: fp.gateway, Role: "gateway"}
		pw.Add(1)
		go func() {
			defer pw.Done()
			timed("gateway", func() { e.probeTarget(pctx, s, f, f.GatewayProbe, gatewayPorts, false) })
			if f.GatewayProbe.Reachable() {
				markAnswered()
			} else {
				close(gwSilent)
			}
		}()
	}
	for _, t := range fp.external {
		f.External = append(f.External, netstate.TargetResult{Addr: t.addr, Role: "external"})
	}
	// reached: one of the family's targets answered; settled: all of them
	// are done (answered, silent, or decided by the tables).
	reached, settled := make(chan struct{}), make(chan struct{})
	var reachedOnce sync.Once
	var ext sync.WaitGroup
	for i := range f.External {
		pw.Add(1)
		ext.Add(1)
		go func() {
			defer pw.Done()
			defer ext.Done()
			timed("internet", func() { e.probeTarget(pctx, s, f, &f.External[i], fp.external[i].ports, true) })
			if f.External[i].Reachable() {
				reachedOnce.Do(func() { close(reached) })
				markAnswered()
			}
		}()
	}
	go func() { ext.Wait(); close(settled) }()
	if fp.pmtu != nil {
		f.PMTU = fp.pmtu
		pw.Add(1)
		go func() {
			defer pw.Done()
			timed("internet", func() { e.probePMTU(pctx, s, f, reached, settled) })
		}()
	}
	if len(fp.uplinks) > 0 {
		f.Uplinks = make([]netstate.UplinkResult, len(fp.uplinks))
		pw.Add(1)
		go func() {
			defer pw.Done()
			timed("internet", func() { e.probeUplinks(pctx, s, f, fp.uplinks, fp.external[0].ports, reached, settled) })
		}()
	}
	return familySignals{answered: answered, gwSilent: gwSilent}
}

// rereadNeighbors reads the neighbor table again when a gateway stayed
// silent: the table as it stands after probing tells what address
// resolution did meanwhile (an entry created, gone FAILED).
func (e *Engine) rereadNeighbors(ctx context.Context, s *netstate.State) {
	for _, f := range s.Families() {
		if g := f.GatewayProbe; g != nil && !g.Reachable() && (g.ICMP.Ran || g.TCP.Ran) && ctx.Err() == nil {
			if ns, err := e.Sys.Neighbors(ctx); err == nil {
				s.Neighbors, s.NeighborsErr = ns, nil
			}
			return
		}
	}
}

// probePMTU sends the path-MTU probe once one of the family's targets has
// answered: a black hole shows only as "large lost while small answer",
// and waiting for the small answer keeps the large probe's set-up out of
// the moment every other probe starts, where it would slow a healthy
// check. A target the tables decide is not probed.
func (e *Engine) probePMTU(w *probeWindow, s *netstate.State, f *netstate.FamilyState, reached, settled <-chan struct{}) {
	select {
	case <-reached:
	case <-settled:
		// Settled without an answer: nothing small answered, so a lost
		// large echo would prove nothing.
		select {
		case <-reached:
		default:
			return
		}
	case <-w.Done():
		return
	}
	m := f.PMTU
	r, err := e.Sys.RouteTo(w, m.Target)
	if netstate.TracePath(s.Links, s.Routes, f.Default, m.Target, r, err).Dead() {
		return
	}
	m.Probe = e.Prober.LargeEcho(w, m.Target, m.Size, e.Privileged)
}

// solicitGateways asks, as root, each gateway pinned by a permanent entry
// for its MAC, gathering every answer until ctx ends. It never ends the
// probe window: anyone on the LAN can answer ARP, so an answer proves
// nothing until the probes have shown that traffic through the entry
// fails, and a second MAC may answer later.
func (e *Engine) solicitGateways(ctx context.Context, s *netstate.State, sw *sync.WaitGroup) {
	sol, ok := e.Sys.(netstate.NeighborSoliciter)
	if !ok || !e.Privileged {
		return
	}
	for _, f := range s.Families() {
		n, l, ok := solicitTarget(s, f)
		if !ok {
			continue
		}
		r := &netstate.SolicitResult{Entry: n}
		f.Solicit = r
		sw.Go(func() { r.Answers, r.Err = sol.Solicit(ctx, *l, f.Gateway) })
	}
}

// untilTrouble waits until a family's traffic looks wrong: bad closes
// (a probe ended unanswered) or delay passes, while good (an answer) has
// not closed. It reports false when good closed first, or ctx ended:
// the probes that only help when something is wrong are then not sent.
func untilTrouble(ctx context.Context, good, bad <-chan struct{}, delay time.Duration) bool {
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-good:
		return false
	case <-ctx.Done():
		return false
	case <-bad:
	case <-t.C:
	}
	// Both may be ready at once: an answer wins.
	select {
	case <-good:
		return false
	default:
		return true
	}
}

// conflictProbeDelay is how long the IPv4 gateway and targets may take
// to answer before an address conflict is probed for: far above a LAN or
// Wi-Fi round trip, well inside the probe window that silence takes
// anyway.
const conflictProbeDelay = 100 * time.Millisecond

// probeOwnAddresses probes, as root, each IPv4 address of the IPv4 default
// route's interface the way RFC 5227 does, on sw until ctx ends (when the
// other probes are done), but only once the family's traffic looks wrong:
// the gateway probe ended unanswered, or nothing answered within
// conflictProbeDelay. A healthy run never sends it: on Linux closing the
// packet socket waits for an RCU grace period (packet_release calls
// synchronize_net), 12-16 ms that every run would pay, at exit if not
// before. Unprivileged, or refused the socket or device as root, it only
// records, in the same case, that it could not be sent.
func (e *Engine) probeOwnAddresses(ctx context.Context, s *netstate.State, sw *sync.WaitGroup, sig familySignals) {
	ap, ok := e.Sys.(netstate.AddressProber)
	if !ok || s.V4.Default == nil || sig.answered == nil {
		return
	}
	l := linkOf(s.Links, s.V4.Default.IfIndex)
	if l == nil || !l.AdminUp || !l.Carrier || l.Loopback || l.KindOf() == netstate.LinkTunnel || len(l.MAC) != 6 {
		return // ARP runs only on an Ethernet-like link
	}
	var addrs []netip.Addr
	for _, p := range l.Addrs {
		if a := p.Addr(); a.Is4() && !a.IsLoopback() {
			addrs = append(addrs, a)
		}
	}
	if len(addrs) == 0 {
		return
	}
	link := *l
	sw.Go(func() {
		if !untilTrouble(ctx, sig.answered, sig.gwSilent, conflictProbeDelay) {
			return
		}
		if !e.Privileged {
			s.AddrProbeSkipped = "needs root (raw ARP)"
			return
		}
		probes := make([]netstate.AddrProbe, len(addrs))
		var wg sync.WaitGroup
		for i, a := range addrs {
			p := &probes[i]
			p.IfIndex, p.IfName, p.Addr = link.Index, link.Name, a
			wg.Go(func() { p.Answers, p.Err = ap.ProbeAddress(ctx, link, a) })
		}
		wg.Wait()
		if err := refusedProbe(probes); err != nil {
			s.AddrProbeSkipped = "raw ARP not permitted (" + netstate.ErrText(err) + ")"
			return
		}
		s.AddrProbes = probes
	})
}

// refusedProbe returns the error of the first probe when every probe was
// refused the raw socket or device it needs (EPERM/EACCES: root without
// CAP_NET_RAW, a BPF device root may not open): nothing was sent, which is
// "not probed", not a probe that failed.
func refusedProbe(probes []netstate.AddrProbe) error {
	for _, p := range probes {
		if len(p.Answers) > 0 || netstate.Classify(p.Err) != netstate.ClassPermission {
			return nil
		}
	}
	if len(probes) == 0 {
		return nil
	}
	return probes[0].Err
}

// uplinkDelay is how long the family's own targets may answer before the
// other uplinks are probed: a healthy machine with two uplinks (a dock and
// Wi-Fi) answers well within it and never probes them.
const uplinkDelay = 100 * time.Millisecond

// probeUplinks probes f's first external target through each other
// default route's interface, unless one of f's targets answers first: it
// starts after uplinkDelay, or at once when every target of f is done
// without an answer (the tables decided, or the probes were refused).
func (e *Engine) probeUplinks(w *probeWindow, s *netstate.State, f *netstate.FamilyState, others []netstate.Route, ports []uint16, reached, settled <-chan struct{}) {
	// settled: every target done, none answered: no need to wait.
	if !untilTrouble(w, reached, settled, uplinkDelay) {
		f.Uplinks = nil
		return
	}
	ctx, cancel := context.WithCancel(w)
	defer cancel()
	dst := f.External[0].Addr
	var wg sync.WaitGroup
	for i, r := range others {
		u := &f.Uplinks[i]
		u.Route, u.Probe = r, netstate.TargetResult{Addr: dst, Role: "uplink", Route: r}
		l := linkOf(s.Links, r.IfIndex)
		if l == nil || !l.AdminUp || !l.Carrier {
			continue // nothing answers through a link without carrier
		}
		wg.Go(func() {
			u.Probe.ICMP, u.Probe.TCP = e.Prober.Via(ctx, dst, ports, *l, e.Privileged)
			if u.Probe.Reachable() {
				w.answered(max(u.Probe.ICMP.RTT, u.Probe.TCP.RTT), 0) // Via waits for both kinds: no loss to read from its timing
			}
		})
	}
	wg.Wait()
}

// traceNameServers looks up the route to every name server the DNS probe
// asks for name. It reports true when the tables prove that none can
// answer, so the DNS probe need not wait for silence.
func (e *Engine) traceNameServers(ctx context.Context, s *netstate.State, name string) bool {
	l, ok := e.Prober.(netstate.NameServerLister)
	if !ok {
		return false
	}
	servers, listed := l.NameServers(name)
	s.NameServersListed = listed
	dead := 0
	for _, sv := range servers {
		a := sv.Addr()
		r, err := e.Sys.RouteTo(ctx, a)
		s.NameServerRoutes = append(s.NameServerRoutes, netstate.AddrRoute{Addr: a, Route: r, RouteErr: err})
		if netstate.TracePath(s.Links, s.Routes, s.Family(netstate.FamilyOf(a)).Default, a, r, err).Dead() {
			dead++
		}
	}
	return len(servers) > 0 && dead == len(servers)
}

// splitDefault finds the route the kernel uses for the external targets
// when no route is a default one: VPNs (OpenVPN def1, WireGuard) install
// 0.0.0.0/1 and 128.0.0.0/1 instead, which cover everything just as well.
func (e *Engine) splitDefault(ctx context.Context, o Options, fam int) *netstate.Route {
	for _, t := range o.External {
		if t.Addr().Is4() != (fam == 4) {
			continue
		}
		r, err := e.Sys.RouteTo(ctx, t.Addr())
		if err == nil && r.Type == netstate.RouteUnicast && r.IfIndex != 0 && r.Dst.Bits() < r.Dst.Addr().BitLen() {
			return &r
		}
	}
	return nil
}

// nameInterfaces fills the interface names an OS layer left empty, from
// the one link table read per run.
func nameInterfaces(s *netstate.State) {
	names := map[int]string{}
	for _, l := range s.Links {
		names[l.Index] = l.Name
	}
	name := func(idx int, n *string) {
		if *n == "" {
			*n = names[idx]
		}
	}
	for i := range s.Routes {
		name(s.Routes[i].IfIndex, &s.Routes[i].IfName)
	}
	for i := range s.Neighbors {
		name(s.Neighbors[i].IfIndex, &s.Neighbors[i].IfName)
	}
	for _, f := range s.Families() {
		if f.Default != nil {
			name(f.Default.IfIndex, &f.Default.IfName)
		}
		if f.GatewayProbe != nil {
			name(f.GatewayProbe.Route.IfIndex, &f.GatewayProbe.Route.IfName)
		}
		for i := range f.External {
			name(f.External[i].Route.IfIndex, &f.External[i].Route.IfName)
		}
		for i := range f.Uplinks {
			name(f.Uplinks[i].Route.IfIndex, &f.Uplinks[i].Route.IfName)
		}
	}
}

// probeTarget looks up the route to t and sends both kinds of probe in
// parallel. Once one kind answers, the other gets a short grace period and
// is then cut: a reachable host is proven, and waiting on a firewall that
// drops the other kind would only slow a healthy check. With waitTCP (the
// external targets) TCP is never cut after a ping answered: "ping works,
// TCP does not" is what breaks image pulls and package installs, and
// telling it from a slow answer takes the whole probe budget.
//
// A target the tables already decide (no route, a reject route, a route
// into a link without carrier, or into a container network) is not probed
// at all: the route names the cause at once, and waiting on silence would
// only delay it.
//
// s and f may be nil (a repair's verification): then only "no route" skips
// the probes. Under a probe window, answers stretch it (probeWindow).
func (e *Engine) probeTarget(ctx context.Context, s *netstate.State, f *netstate.FamilyState, t *netstate.TargetResult, ports []uint16, waitTCP bool) {
	t.Route, t.RouteErr = e.Sys.RouteTo(ctx, t.Addr)
	switch {
	case s != nil && f != nil:
		if netstate.TracePath(s.Links, s.Routes, f.Default, t.Addr, t.Route, t.RouteErr).Dead() {
			return
		}
	case t.RouteErr != nil && netstate.Classify(t.RouteErr) == netstate.ClassNetUnreach:
		return // no route: nothing to send, the lookup's errno says it all
	}
	if s != nil && t.RouteErr == nil {
		if l := linkOf(s.Links, t.Route.IfIndex); l != nil && diagnose.KillSwitchDrops(&s.Firewall, t.Addr, l.Name) {
			t.ICMP = netstate.ProbeResult{Kind: netstate.ProbeICMP, Target: netip.AddrPortFrom(t.Addr, 0), Err: netstate.ErrFirewallDrops}
			port := netstate.DefaultTCPPorts[0]
			if len(ports) > 0 {
				port = ports[0]
			}
			t.TCP = netstate.ProbeResult{Kind: netstate.ProbeTCP, Target: netip.AddrPortFrom(t.Addr, port), Err: netstate.ErrFirewallDrops}
			return
		}
	}
	w, _ := ctx.(*probeWindow)
	t0 := time.Now()
	ictx, icancel := context.WithCancel(ctx)
	tctx, tcancel := context.WithCancel(ctx)
	defer icancel()
	defer tcancel()
	type done struct {
		icmp bool
		r    netstate.ProbeResult
	}
	ch := make(chan done, 2)
	icmpDone := make(chan struct{})
	var icmpAnswered atomic.Bool
	go func() {
		r := e.Prober.ICMP(ictx, t.Addr, e.Privileged)
		icmpAnswered.Store(r.Answered)
		close(icmpDone)
		ch <- done{true, r}
	}()
	go func() {
		if !waitTCP {
			// A gateway that answers ping needs no TCP probe: connects
			// to a router tell nothing more, and cost a healthy check its
			// time. TCP confirms only a ping that fails or is slow.
			select {
			case <-icmpDone:
			case <-time.After(gatewayTCPDelay):
			case <-tctx.Done():
			}
			if icmpAnswered.Load() || tctx.Err() != nil {
				ch <- done{false, netstate.ProbeResult{Kind: netstate.ProbeTCP, Target: netip.AddrPortFrom(t.Addr, ports[0])}}
				return
			}
		}
		ch <- done{false, e.Prober.TCP(tctx, t.Addr, ports)}
	}()
	var timer <-chan time.Time
	cut := [2]bool{}
	for n := 0; n < 2; {
		select {
		case d := <-ch:
			n++
			if d.icmp {
				t.ICMP = d.r
				t.ICMP.Cut = cut[0]
			} else {
				t.TCP = d.r
				t.TCP.Cut = cut[1]
			}
			if d.r.Answered && w != nil {
				w.answered(d.r.RTT, time.Since(t0))
			}
			if d.r.Answered && timer == nil && n < 2 && !(waitTCP && d.icmp) {
				g := grace(d.r.RTT)
				if waitTCP {
					// An external target's silent ICMP is the evidence of
					// icmp-blocked: give it three echoes, not one, so that
					// loss alone never reads as a firewall.
					g += externalICMPGrace
				}
				timer = time.After(g)
			}
		case <-timer:
			timer = nil
			cut = [2]bool{true, true}
			icancel()
			tcancel()
		}
	}
	if t.ICMP.Answered {
		t.ICMP.Cut = false
	}
	if t.TCP.Answered {
		t.TCP.Cut = false
	}
}

// solicitTarget returns the permanent entry for f's gateway on the
// default route's interface, the only kind worth soliciting: the kernel
// resolves dynamic entries by itself, and might update one from our
// answer, which a check must never cause.
func solicitTarget(s *netstate.State, f *netstate.FamilyState) (netstate.Neighbor, *netstate.Link, bool) {
	if f.Default == nil || !f.Gateway.IsValid() {
		return netstate.Neighbor{}, nil, false
	}
	l := linkOf(s.Links, f.Default.IfIndex)
	if l == nil || !l.AdminUp || !l.Carrier {
		return netstate.Neighbor{}, nil, false
	}
	for _, n := range s.Neighbors {
		if n.IP == f.Gateway && n.IfIndex == f.Default.IfIndex && n.Permanent && len(n.MAC) > 0 {
			return n, l, true
		}
	}
	return netstate.Neighbor{}, nil, false
}

// inspectTunnels reads, as root, the state of each up tunnel device a
// family's targets were all probed into without an answer (WireGuard's
// last handshake): the evidence that its server is gone. A healthy run
// never reads one.
func (e *Engine) inspectTunnels(ctx context.Context, s *netstate.State) {
	ti, ok := e.Sys.(netstate.TunnelInspector)
	if !ok || !e.Privileged {
		return
	}
	for _, f := range s.Families() {
		if len(f.External) == 0 {
			continue
		}
		idx := f.External[0].Route.IfIndex
		l := linkOf(s.Links, idx)
		if l == nil || l.KindOf() != netstate.LinkTunnel || slices.ContainsFunc(s.Tunnels, func(t netstate.TunnelInfo) bool { return t.IfName == l.Name }) {
			continue
		}
		silent := true
		for i := range f.External {
			t := &f.External[i]
			if t.Reachable() || t.Route.IfIndex != idx {
				silent = false
			}
		}
		if !silent {
			continue
		}
		info, err := ti.InspectTunnel(ctx, l.Name)
		info.IfName = l.Name
		if err != nil {
			info.Kind, info.Err = "", err
		}
		s.Tunnels = append(s.Tunnels, info)
	}
}
