package diagnose

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/netguard/netguard/checks/netstate"
)

// Check statuses. "unknown" means the check could not measure (no
// permission, an unreadable table); it is never shown as a failure.
type Status string

const (
	StatusPass    Status = "pass"
	StatusWarn    Status = "warn"
	StatusFail    Status = "fail"
	StatusSkip    Status = "skip"
	StatusUnknown Status = "unknown"
)

// Check is one line of the report: what it judges, the findings it owns
// in root-cause order, and whether it is chained.
type Check struct {
	ID string
	// Chained: the check depends on the ones before it, so a failure
	// after a chained failure reads "skip", and the report names one root
	// cause.
	Chained bool
	// Findings are the findings this check owns, in root-cause order.
	Findings []*Def
	// judge adds the check's findings and sets its status and detail; it
	// sees the findings of the checks before it, never changes them.
	judge func(*diag)
}

// The checks, one per report line.
var (
	Link      = &Check{ID: "link", Chained: true, judge: (*diag).link, Findings: []*Def{TimedOut, LinkDown, LinkNoCarrier, LinkNoAddress, LinkMTUExceedsEgress}}
	Route     = &Check{ID: "route", Chained: true, judge: (*diag).route, Findings: []*Def{NoDefaultRoute, GatewayRouteRejected, TargetRouteRejected, RouteLookupFailed, TunnelCoversGateway, DefaultRouteVPN, GatewayRouteDiverted, TargetRouteDiverted, NameServerRouteDiverted, DefaultRouteDead}}
	Neighbor  = &Check{ID: "neighbor", Chained: true, judge: (*diag).neighbor, Findings: []*Def{GatewayNeighborFailed, GatewayNeighborStatic, GatewayNeighborAmbiguous, GatewayNeighborWrong, GatewayNeighborDuplicate}}
	Gateway   = &Check{ID: "gateway", Chained: true, judge: (*diag).gateway, Findings: []*Def{LocalNetworkDenied, GatewaySendRefused, GatewayUnreachable, GatewaySilent}}
	Internet  = &Check{ID: "internet", Chained: true, judge: (*diag).internet, Findings: []*Def{LocalFirewallBlocks, KernelNoBuffers, InternetUnreachable, FamilyUnreachable, PathMTUBlackhole, InternetPartial, TCPBlocked, ICMPBlocked, ICMPNotPermitted, NetworkProxyOnly}}
	DNS       = &Check{ID: "dns", Chained: true, judge: (*diag).dns, Findings: []*Def{DNSNoServers, DNSFailed, DNSLossy, DNSServerFailed, DNSNameNotFound, DNSLocalResolverDown, DNSFirstServerSilent, ProxyFakeIP}}
	Resources = &Check{ID: "resources", Chained: false, judge: (*diag).resources, Findings: []*Def{PortsExhausted, PortsHigh, FilesExhausted, FilesLimitLow, PortsRangeSmall}}
	Proxy     = &Check{ID: "proxy", Chained: false, judge: (*diag).proxies, Findings: []*Def{ProxyInvalid, ProxyDead}}
	Ports     = &Check{ID: "ports", Chained: false, judge: (*diag).ports, Findings: []*Def{PortInUse, PortExcluded}}
	Hosts     = &Check{ID: "hosts", Chained: false, judge: (*diag).hosts, Findings: []*Def{HostsLocalhostWrong, HostsLocalhostMissing}}
	Clock     = &Check{ID: "clock", Chained: false, judge: (*diag).clock, Findings: []*Def{ClockWrong, ClockUnsynchronized}}
)

// Checks is the order of the report's checks, of chaining and of the
// catalog's root-cause order: a check judges after the ones it depends on.
var Checks = []*Check{Link, Route, Neighbor, Gateway, Internet, DNS, Resources, Proxy, Ports, Hosts, Clock}

// CheckResult is one line of the report.
type CheckResult struct {
	ID         string  `json:"id"`
	Status     Status  `json:"status"`
	Detail     string  `json:"detail"`
	DurationMS float64 `json:"duration_ms"`
}

// Diagnosis is the pure outcome of Diagnose.
type Diagnosis struct {
	Checks   []CheckResult
	Findings []Finding
	// Managers are the network managers in charge, which decide the manual
	// steps shown; not part of the diagnosis itself (the engine asks the
	// OS layer only when there are steps to show).
	Managers netstate.Managers
}

// Diagnose turns observed state into checks and findings. It does no I/O,
// so it is table-tested with State literals for every OS.
func Diagnose(s *netstate.State) Diagnosis {
	d := &diag{s: s, checks: map[*Check]*CheckResult{}}
	for _, c := range Checks {
		d.checks[c] = &CheckResult{ID: c.ID, Status: StatusPass}
	}
	if s.TimedOut {
		d.add(TimedOut, Args{}, "no table read or probe finished before the deadline")
		for _, c := range Checks {
			d.checks[c].Status, d.checks[c].Detail = StatusUnknown, "timed out"
		}
		return d.finish()
	}
	d.inetReach = d.anyExternalReachable()
	for _, c := range Checks {
		d.check, d.cur = c, d.checks[c]
		c.judge(d)
	}
	return d.finish()
}

// diag is one run of the checks over a State.
type diag struct {
	s         *netstate.State
	checks    map[*Check]*CheckResult
	findings  []Finding
	inetReach bool
	// check is the check judging now, cur its result.
	check *Check
	cur   *CheckResult
	// superseded are findings the judging check has explained by a more
	// specific cause, decided before its generic findings: add drops a
	// finding of def whose args the function accepts.
	superseded map[*Def]func(Args) bool
	// firewallBlocks: the internet check saw a local firewall refuse the
	// probes, even where it then named a working proxy as the way out.
	firewallBlocks bool
}

// add records a finding of def unless the judging check superseded it;
// the pointer lets the judge adjust its severity.
func (d *diag) add(def *Def, a Args, evidence ...string) *Finding {
	if by, ok := d.superseded[def]; ok && by(a) {
		return &Finding{}
	}
	d.findings = append(d.findings, newFinding(def, a, evidence...))
	return &d.findings[len(d.findings)-1]
}

// supersede makes the judging check's later adds of def a no-op for args
// that by accepts (nil: all).
func (d *diag) supersede(def *Def, by func(Args) bool) {
	if by == nil {
		by = func(Args) bool { return true }
	}
	if d.superseded == nil {
		d.superseded = map[*Def]func(Args) bool{}
	}
	d.superseded[def] = by
}

// set sets the judging check's status and detail.
func (d *diag) set(st Status, detail string) {
	d.cur.Status, d.cur.Detail = st, detail
}

func (d *diag) families() []*netstate.FamilyState {
	return []*netstate.FamilyState{&d.s.V4, &d.s.V6}
}

// usedFamilies are those with a default route.
func (d *diag) usedFamilies() []*netstate.FamilyState {
	var out []*netstate.FamilyState
	for _, f := range d.families() {
		if f.Default != nil {
			out = append(out, f)
		}
	}
	return out
}

func (d *diag) linkByIndex(idx int) *netstate.Link {
	for i := range d.s.Links {
		if d.s.Links[i].Index == idx {
			return &d.s.Links[i]
		}
	}
	return nil
}

func (d *diag) anyExternalReachable() bool {
	for _, f := range d.families() {
		for i := range f.External {
			if f.External[i].Reachable() {
				return true
			}
		}
	}
	return false
}

// dnsThrough reports whether a name server answered the direct query
// through f's gateway: the gateway itself, or a server the kernel routes
// via it. Such an answer is traffic through the gateway, whatever its own
// probes heard.
func (d *diag) dnsThrough(f *netstate.FamilyState) bool {
	if !f.Gateway.IsValid() || f.Default == nil {
		return false
	}
	for _, sv := range d.s.DNS.Servers {
		if !sv.Answered {
			continue
		}
		a := sv.Server.Addr().Unmap()
		if a == f.Gateway {
			return true
		}
		for _, nr := range d.s.NameServerRoutes {
			if nr.Addr == a && nr.RouteErr == nil && nr.Route.Gateway == f.Gateway && nr.Route.IfIndex == f.Default.IfIndex {
				return true
			}
		}
	}
	return false
}

func hasFamilyAddr(l *netstate.Link, fam int) bool {
	for _, p := range l.Addrs {
		a := p.Addr()
		if fam == 4 && a.Is4() {
			return true
		}
		if fam == 6 && a.Is6() && !a.IsLinkLocalUnicast() {
			return true
		}
	}
	return false
}

// link: the default route's interface is up, has carrier and an address.
// Without any default route, an interface that is down is the likely root
// cause (the kernel drops a link's routes when it goes down).
func (d *diag) link() {
	if d.s.LinksErr != nil {
		d.set(StatusUnknown, "could not read interfaces: "+d.s.LinksErr.Error())
		return
	}
	used := d.usedFamilies()
	if len(used) == 0 {
		if l := d.downCandidate(); l != nil {
			if !l.AdminUp {
				d.add(LinkDown, Args{ArgIface: l.Name}, fmt.Sprintf("%s: admin down, no default route", l.Name))
				d.set(StatusFail, l.Name+" is down")
			} else {
				d.add(LinkNoCarrier, Args{ArgIface: l.Name}, fmt.Sprintf("%s: up, no carrier, no default route", l.Name))
				d.set(StatusFail, l.Name+" has no carrier")
			}
			return
		}
		d.set(StatusPass, "no interface is down")
		return
	}
	var parts []string
	failed := false
	seen := map[int]bool{}
	for _, f := range used {
		l := d.linkByIndex(f.Default.IfIndex)
		if l == nil {
			parts = append(parts, fmt.Sprintf("%s: interface %d not found", famName(f.Family), f.Default.IfIndex))
			continue
		}
		switch {
		case !l.AdminUp:
			d.add(LinkDown, Args{ArgIface: l.Name}, l.Name+": admin down")
			failed = true
		case !l.Carrier:
			d.add(LinkNoCarrier, Args{ArgIface: l.Name}, l.Name+": no carrier")
			failed = true
		case !hasFamilyAddr(l, f.Family):
			d.add(LinkNoAddress, Args{ArgIface: l.Name, ArgFamily: famName(f.Family)}, fmt.Sprintf("%s addresses: %v", l.Name, l.Addrs))
			failed = true
		}
		if !seen[l.Index] {
			seen[l.Index] = true
			parts = append(parts, fmt.Sprintf("%s up%s, %s", l.Name, carrierText(l), addrText(l)))
		}
	}
	st := d.linkMTUs()
	if failed {
		st = StatusFail
	}
	d.set(st, strings.Join(parts, "; "))
}

func carrierText(l *netstate.Link) string {
	if l.Carrier {
		return ", carrier"
	}
	return ", no carrier"
}

func addrText(l *netstate.Link) string {
	var as []string
	for _, p := range l.Addrs {
		if !p.Addr().IsLinkLocalUnicast() {
			as = append(as, p.String())
		}
	}
	if len(as) == 0 {
		return "no address"
	}
	return strings.Join(as, " ")
}

// downCandidate picks the interface most likely meant to carry the default
// route: down ones with an address first, then ones without carrier. Only
// physical links (and veths with an address) are candidates: a container
// or VM bridge with no member, a VPN that is off or Apple's AirDrop link
// are normal when down.
func (d *diag) downCandidate() *netstate.Link {
	if d.uplinkAlive() {
		return nil
	}
	var best *netstate.Link
	rank := func(l *netstate.Link) int {
		switch {
		case !l.AdminUp && len(l.Addrs) > 0:
			return 4
		case !l.AdminUp:
			return 3
		case !l.Carrier && len(l.Addrs) > 0:
			return 2
		}
		return 0
	}
	for i := range d.s.Links {
		l := &d.s.Links[i]
		// A veth with an address is an uplink too: eth0 inside a
		// container or a network namespace.
		if k := l.KindOf(); k != netstate.LinkPhysical && (k != netstate.LinkVeth || len(l.Addrs) == 0) {
			continue
		}
		if r := rank(l); r > 0 && (best == nil || r > rank(best)) {
			best = l
		}
	}
	return best
}

// uplinkAlive reports whether an uplink (physical, or a veth with an
// address) is up with carrier and an address: the default route was lost
// on a working link (a DHCP lease or router advertisement expired), and an
// interface that is down, maybe on purpose, explains nothing.
func (d *diag) uplinkAlive() bool {
	return slices.ContainsFunc(d.s.Links, func(l netstate.Link) bool {
		k := l.KindOf()
		return (k == netstate.LinkPhysical || k == netstate.LinkVeth) && l.AdminUp && l.Carrier && slices.ContainsFunc(l.Addrs, func(p netip.Prefix) bool {
			return !p.Addr().IsLinkLocalUnicast() && !p.Addr().IsLoopback()
		})
	})
}

// upCandidate is the physical interface most likely to carry the default
// route once it comes back: up with carrier, one with an address first.
// Nil when there is none.
func (d *diag) upCandidate() *netstate.Link {
	var best *netstate.Link
	for i := range d.s.Links {
		l := &d.s.Links[i]
		if l.KindOf() != netstate.LinkPhysical || !l.AdminUp || !l.Carrier {
			continue
		}
		if best == nil || len(best.Addrs) == 0 && len(l.Addrs) > 0 {
			best = l
		}
	}
	return best
}

// route: a default route exists; no reject route covers the gateway or the
// targets.
// slowTableRead: a route dump at least this slow is named in the route
// check's detail.
const slowTableRead = 100 * time.Millisecond

func (d *diag) route() {
	if d.s.RoutesErr != nil {
		d.set(StatusUnknown, "could not read routes: "+d.s.RoutesErr.Error())
		return
	}
	used := d.usedFamilies()
	if len(used) == 0 {
		args := Args{}
		if l := d.upCandidate(); l != nil {
			args[ArgIface] = l.Name // whose DHCP lease the manual steps renew
		}
		d.add(NoDefaultRoute, args, "no default route in any table, for IPv4 or IPv6")
		d.set(StatusFail, "no default route")
		return
	}
	var parts []string
	st := StatusPass
	for _, f := range used {
		r := f.Default
		p := fmt.Sprintf("%s default", famName(f.Family))
		if r.Gateway.IsValid() {
			p += " via " + r.Gateway.String()
		}
		p += " dev " + r.IfName
		if n := d.countDefaults(f.Family); n > 1 {
			p += fmt.Sprintf(" (%d default routes, metric %d wins)", n, r.Metric)
		}
		parts = append(parts, p)
		if l := d.linkByIndex(r.IfIndex); l != nil && l.KindOf() == netstate.LinkTunnel {
			d.add(DefaultRouteVPN, Args{ArgFamily: famName(f.Family), ArgIface: l.Name}, p)
		}
		if g := f.GatewayProbe; g != nil && g.RouteErr == nil && g.Route.IfIndex != 0 && g.Route.IfIndex != r.IfIndex {
			if l := d.linkByIndex(g.Route.IfIndex); l != nil && l.KindOf() == netstate.LinkTunnel {
				fd := d.add(TunnelCoversGateway, Args{ArgGateway: g.Addr.String(), ArgIface: l.Name, ArgPrefix: g.Route.Dst.String()},
					fmt.Sprintf("route to %s: dev %s; default route: dev %s", g.Addr, l.Name, r.IfName))
				st = worse(st, statusOf(fd.Severity))
			}
		}
		if g := f.GatewayProbe; g != nil && d.rejected(g.Route, g.RouteErr) {
			fd := d.add(GatewayRouteRejected, d.rejectArgs(g.Addr, g.Route, g.RouteErr), "route lookup "+g.Addr.String()+": "+netstate.ErrText(g.RouteErr))
			if !d.inetReach {
				fd.Severity = SevError
			}
			st = worse(st, statusOf(fd.Severity))
		}
		var rejected, flapped, rejRoutes, rejPrefixes []string
		var rejEvidence []string
		for _, t := range f.External {
			switch {
			case d.rejected(t.Route, t.RouteErr):
				rejected = append(rejected, t.Addr.String())
				a := d.rejectArgs(t.Addr, t.Route, t.RouteErr)
				rejEvidence = append(rejEvidence, fmt.Sprintf("%s: %s route %s", t.Addr, a[ArgType], a[ArgPrefix]))
				if rt := a[ArgType] + " " + a[ArgPrefix]; !slices.Contains(rejRoutes, rt) {
					rejRoutes = append(rejRoutes, rt)
				}
				if !slices.Contains(rejPrefixes, a[ArgPrefix]) {
					rejPrefixes = append(rejPrefixes, a[ArgPrefix])
				}
			case netstate.Classify(t.RouteErr) == netstate.ClassNoRouteNow || netstate.Classify(t.RouteErr) == netstate.ClassNetUnreach:
				flapped = append(flapped, t.Addr.String())
			}
		}
		if len(rejected) > 0 {
			fd := d.add(TargetRouteRejected, Args{ArgTargets: strings.Join(rejected, ListSep), ArgDetail: strings.Join(rejEvidence, "; "),
				ArgRoutes: strings.Join(rejRoutes, ListSep), ArgPrefixes: strings.Join(rejPrefixes, ListSep)}, rejEvidence...)
			if !d.inetReach {
				fd.Severity = SevError
			}
			st = worse(st, statusOf(fd.Severity))
		}
		if len(flapped) > 0 {
			fd := d.add(RouteLookupFailed, Args{ArgTargets: strings.Join(flapped, ListSep), ArgErr: "no route"}, "default route present, lookup failed for "+strings.Join(flapped, ", "))
			st = worse(st, statusOf(fd.Severity))
		}
	}
	st = worse(st, d.tracePaths())
	for _, f := range used {
		st = worse(st, d.uplinks(f))
	}
	for _, f := range d.families() {
		if f.Default == nil {
			parts = append(parts, famName(f.Family)+" not used (no default route)")
		}
	}
	if took := d.s.Took["route"]; took >= slowTableRead {
		// A slow dump is a fact (a VPN's tens of thousands of routes),
		// not a fault: the probes' window began only after it.
		parts = append(parts, fmt.Sprintf("%d routes read in %s", len(d.s.Routes), ms(took)))
	}
	d.set(st, strings.Join(parts, "; "))
}

func (d *diag) countDefaults(fam int) int {
	n := 0
	for _, r := range d.s.Routes {
		if r.IsDefault() && r.Type == netstate.RouteUnicast && (r.Dst.Addr().Is4() == (fam == 4)) {
			n++
		}
	}
	return n
}

// rejected: the kernel's lookup answered with a reject route or its errno.
func (d *diag) rejected(r netstate.Route, err error) bool {
	if err != nil {
		switch netstate.Classify(err) {
		case netstate.ClassHostUnreach, netstate.ClassPermission, netstate.ClassInvalid:
			return true
		}
		return false
	}
	return r.Type == netstate.RouteUnreachable || r.Type == netstate.RouteProhibit || r.Type == netstate.RouteBlackhole
}

// rejectArgs names the reject route covering a: the most specific one in
// the table, or the lookup's own answer.
func (d *diag) rejectArgs(a netip.Addr, r netstate.Route, err error) Args {
	var best *netstate.Route
	for i := range d.s.Routes {
		x := &d.s.Routes[i]
		if x.Type == netstate.RouteUnicast || x.Type == netstate.RouteThrow || !x.Dst.Contains(a) {
			continue
		}
		if best == nil || x.Dst.Bits() > best.Dst.Bits() {
			best = x
		}
	}
	args := Args{ArgGateway: a.String(), ArgPrefix: a.String(), ArgType: "reject"}
	switch {
	case best != nil:
		args[ArgPrefix], args[ArgType] = best.Dst.String(), best.Type.String()
	case err == nil && r.Type != netstate.RouteUnicast:
		args[ArgType] = r.Type.String()
	case netstate.Classify(err) == netstate.ClassHostUnreach:
		args[ArgType] = netstate.RouteUnreachable.String()
	case netstate.Classify(err) == netstate.ClassPermission:
		args[ArgType] = netstate.RouteProhibit.String()
	case netstate.Classify(err) == netstate.ClassInvalid:
		args[ArgType] = netstate.RouteBlackhole.String()
	}
	return args
}

// gatewayEntries returns the neighbor entries for the gateway, the one on
// the default route's interface first.
func (d *diag) gatewayEntries(f *netstate.FamilyState) (onRoute *netstate.Neighbor, all []netstate.Neighbor) {
	for _, n := range d.s.Neighbors {
		if n.IP == f.Gateway {
			all = append(all, n)
		}
	}
	for i := range all {
		if f.Default != nil && all[i].IfIndex == f.Default.IfIndex {
			onRoute = &all[i]
		}
	}
	if onRoute == nil && len(all) > 0 {
		onRoute = &all[0]
	}
	return onRoute, all
}

// neighbor: the gateway's ARP/NDP entry, judged together with the probes.
// STALE is the normal idle state of a good entry; FAILED/INCOMPLETE and a
// MAC nothing answers through are the bad ones.
func (d *diag) neighbor() {
	if d.s.NeighborsErr != nil {
		d.set(StatusUnknown, "could not read the neighbor table: "+d.s.NeighborsErr.Error())
		return
	}
	var parts []string
	st := StatusPass
	sawGateway := false
	for _, f := range d.usedFamilies() {
		if !f.Gateway.IsValid() {
			continue
		}
		sawGateway = true
		e, all := d.gatewayEntries(f)
		if macs := distinctMACs(all); len(macs) > 1 {
			var ev, ifaces []string
			for _, n := range all {
				ev = append(ev, fmt.Sprintf("%s at %s on %s (%s)", n.IP, netstate.MACText(n.MAC), n.IfName, n.State))
				if !slices.Contains(ifaces, n.IfName) {
					ifaces = append(ifaces, n.IfName)
				}
			}
			fd := d.add(GatewayNeighborDuplicate, Args{ArgGateway: f.Gateway.String(), ArgCount: strconv.Itoa(len(all)), ArgDetail: strings.Join(ev, ", "),
				ArgIfaces: strings.Join(ifaces, ListSep), ArgFamily: famName(f.Family)}, ev...)
			st = worse(st, statusOf(fd.Severity))
		}
		if e == nil {
			parts = append(parts, f.Gateway.String()+": no entry")
			continue
		}
		parts = append(parts, fmt.Sprintf("%s at %s on %s (%s)", e.IP, netstate.MACText(e.MAC), e.IfName, stateText(e)))
		g := f.GatewayProbe
		if g == nil || g.Reachable() || d.inetReach || d.dnsThrough(f) || d.gatewayRefusedLocally(g) || d.gatewayPathLine(f, g) != "" {
			continue
		}
		// The gateway answered address resolution with the entry's own
		// MAC: the entry is right, the silence is the gateway's.
		if f.Solicit.Confirms() && f.Solicit.Entry.IfIndex == e.IfIndex {
			continue
		}
		args := Args{ArgGateway: f.Gateway.String(), ArgIface: e.IfName, ArgMAC: netstate.MACText(e.MAC), ArgState: stateText(e), ArgFamily: famName(f.Family)}
		ev := fmt.Sprintf("%s on %s: %s %s; gateway and internet silent (icmp: %s, tcp: %s)", e.IP, e.IfName, netstate.MACText(e.MAC), stateText(e), netstate.ErrText(g.ICMP.Err), netstate.ErrText(g.TCP.Err))
		evs := []string{ev}
		r := f.Solicit
		if r != nil && r.Entry.IfIndex != e.IfIndex {
			r = nil
		}
		if r.Ambiguous() {
			// Several MACs claim the gateway's address: one of them may be
			// spoofing it, so none is evidence against the entry.
			var macs []string
			for _, a := range r.Answers {
				macs = append(macs, fmt.Sprintf("%s in %s", netstate.MACText(a.MAC), ms(a.RTT)))
			}
			args[ArgDetail] = strings.Join(macs, ", ")
			d.add(GatewayNeighborAmbiguous, args, append(evs, "address resolution for "+e.IP.String()+" was answered by "+args[ArgDetail])...)
			st = StatusFail
			continue
		}
		if r.Contradicts() {
			evs = append(evs, fmt.Sprintf("the gateway's address answered address resolution from %s in %s: the entry's %s is not its MAC", netstate.MACText(r.Answers[0].MAC), ms(r.Answers[0].RTT), netstate.MACText(e.MAC)))
		}
		switch {
		case e.State == netstate.NeighFailed || e.State == netstate.NeighIncomplete:
			d.add(GatewayNeighborFailed, args, evs...)
		case e.Permanent:
			d.add(GatewayNeighborStatic, args, evs...)
		case e.Resolved():
			d.add(GatewayNeighborWrong, args, evs...)
		default:
			continue
		}
		st = StatusFail
	}
	if !sawGateway {
		d.set(StatusSkip, d.noGatewayReason())
		return
	}
	d.set(st, strings.Join(parts, "; "))
}

func stateText(n *netstate.Neighbor) string {
	if n.Permanent {
		return "permanent"
	}
	return n.State.String()
}

func distinctMACs(ns []netstate.Neighbor) []string {
	var out []string
	for _, n := range ns {
		if len(n.MAC) == 0 {
			continue
		}
		if m := netstate.MACText(n.MAC); !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	return out
}

// gatewayRefusedLocally: this host refused to send to the gateway at once
// (EHOSTUNREACH/EPERM from sendto or connect), rather than sending and
// hearing nothing.
func (d *diag) gatewayRefusedLocally(g *netstate.TargetResult) bool {
	local := func(p netstate.ProbeResult) bool {
		c := netstate.Classify(p.Err)
		return p.Ran && !p.NoPermission && (c == netstate.ClassHostUnreach || c == netstate.ClassPermission)
	}
	return local(g.ICMP) || local(g.TCP)
}

func probeText(p netstate.ProbeResult) string {
	switch {
	case !p.Ran:
		return p.Kind.String() + " not needed"
	case p.NoPermission:
		return p.Kind.String() + " not permitted"
	case p.Answered && p.Refused:
		return fmt.Sprintf("tcp/%d refused in %s", p.Target.Port(), ms(p.RTT))
	case p.Answered && p.Kind == netstate.ProbeTCP:
		return fmt.Sprintf("tcp/%d open in %s", p.Target.Port(), ms(p.RTT))
	case p.Answered:
		return "ping " + ms(p.RTT)
	case p.Cut:
		return p.Kind.String() + " no reply yet"
	}
	return p.Kind.String() + " " + netstate.ErrText(p.Err)
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 1, 64) + " ms"
}

// gateway: the next hop answers a ping or a TCP connect (a refusal counts).
// A gateway that ignores probes while traffic through it works is normal.
func (d *diag) gateway() {
	var parts, skipped []string
	st := StatusPass
	sawGateway := false
	for _, f := range d.usedFamilies() {
		g := f.GatewayProbe
		if g == nil {
			continue
		}
		sawGateway = true
		// A gateway the kernel routes elsewhere, or that the tables
		// already prove dead, is not judged by probes: never "a router
		// that ignores probes".
		if pl := d.gatewayPathLine(f, g); pl != "" {
			skipped = append(skipped, pl)
			continue
		}
		line := fmt.Sprintf("%s: %s, %s", g.Addr, probeText(g.ICMP), probeText(g.TCP))
		parts = append(parts, line)
		if g.Reachable() {
			continue
		}
		args := Args{ArgGateway: g.Addr.String(), ArgDetail: line, ArgApp: d.hostApp(), ArgFamily: famName(f.Family)}
		switch {
		case d.inetReach && d.gatewayRefusedLocally(g):
			e, _ := d.gatewayEntries(f)
			if d.s.LocalNetworkPrivacy && e != nil && e.Resolved() && !d.rejected(g.Route, g.RouteErr) {
				fd := d.add(LocalNetworkDenied, args, line, "internet reachable through the same gateway")
				st = worse(st, statusOf(fd.Severity))
				continue
			}
			args[ArgErr] = netstate.ErrText(firstErr(g.ICMP.Err, g.TCP.Err))
			fd := d.add(GatewaySendRefused, args, line, "internet reachable through the same gateway")
			st = worse(st, statusOf(fd.Severity))
		case d.inetReach && !famReach(f) && len(f.External) > 0:
			// Only the other family works: family-unreachable names
			// this one; "traffic through it works" would be false.
		case d.inetReach:
			d.add(GatewaySilent, args, line)
		case d.dnsThrough(f):
			d.add(GatewaySilent, args, line, "a name server answered through it")
		default:
			d.add(GatewayUnreachable, args, line)
			st = StatusFail
		}
	}
	switch {
	case !sawGateway:
		d.set(StatusSkip, d.noGatewayReason())
	case len(parts) == 0:
		d.set(StatusSkip, strings.Join(skipped, "; "))
	default:
		d.set(st, strings.Join(append(parts, skipped...), "; "))
	}
}

// noGatewayReason says why there is no gateway to check (the neighbor and
// gateway checks then report skip).
func (d *diag) noGatewayReason() string {
	if len(d.usedFamilies()) == 0 {
		return "no default route"
	}
	return "no gateway (on-link default route)"
}

func (d *diag) hostApp() string {
	if d.s.HostApp != "" {
		return d.s.HostApp
	}
	return "the app that runs this check (Terminal, VS Code, Cursor…)"
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// internet judges the direct path to the external targets, then whether a
// working proxy is the way out where direct connections are blocked.
func (d *diag) internet() {
	mark := len(d.findings)
	d.internetDirect()
	d.proxyOnly(mark)
}

// internetDirect: any external target answers any kind of probe.
func (d *diag) internetDirect() {
	var ok, bad, lines, unprobed, skipLines []string
	var badClasses []netstate.ErrClass
	var icmpAny, tcpAny, icmpTried, icmpDenied, tcpTriedFull, extICMP, extTCP bool
	probed := 0
	for _, f := range d.families() {
		if g := f.GatewayProbe; g != nil && f.Default != nil {
			icmpAny = icmpAny || g.ICMP.Answered
			tcpAny = tcpAny || g.TCP.Answered
		}
		for i := range f.External {
			t := &f.External[i]
			if notProbed(t) {
				unprobed = append(unprobed, t.Addr.String())
				skipLines = append(skipLines, d.unprobedText(f, t))
				continue
			}
			probed++
			icmpAny = icmpAny || t.ICMP.Answered
			extICMP = extICMP || t.ICMP.Answered
			tcpAny = tcpAny || t.TCP.Answered
			extTCP = extTCP || t.TCP.Answered
			icmpTried = icmpTried || (t.ICMP.Ran && !t.ICMP.NoPermission)
			icmpDenied = icmpDenied || t.ICMP.NoPermission
			tcpTriedFull = tcpTriedFull || (t.TCP.Ran && !t.TCP.Cut)
			line := fmt.Sprintf("%s: %s, %s", t.Addr, probeText(t.ICMP), probeText(t.TCP))
			lines = append(lines, line)
			if t.Reachable() {
				ok = append(ok, t.Addr.String())
				continue
			}
			bad = append(bad, t.Addr.String())
			badClasses = append(badClasses, netstate.Classify(t.TCP.Err))
			if !t.ICMP.NoPermission {
				badClasses = append(badClasses, netstate.Classify(t.ICMP.Err))
			}
		}
	}
	switch {
	case probed == 0:
		detail := "not probed: " + strings.Join(skipLines, "; ")
		if len(skipLines) == 0 {
			detail = "no external target"
		}
		d.set(StatusFail, detail)
		if len(d.usedFamilies()) > 0 {
			d.add(InternetUnreachable, Args{ArgDetail: detail, ArgTargets: strings.Join(unprobed, ListSep)}, skipLines...)
		}
		return
	case len(ok) == 0:
		lines = append(lines, skipLines...)
		args := Args{ArgTargets: strings.Join(append(bad, unprobed...), ListSep), ArgDetail: strings.Join(lines, "; ")}
		switch {
		case allClass(badClasses, netstate.ClassPermission):
			d.add(LocalFirewallBlocks, args, lines...)
			d.firewallBlocks = true
		case slices.Contains(badClasses, netstate.ClassNoBufs):
			d.add(KernelNoBuffers, args, lines...)
		}
		d.add(InternetUnreachable, args, lines...)
		d.set(StatusFail, strings.Join(lines, "; "))
		return
	}
	st := worse(d.familyUnreachable(), d.pathMTU())
	if len(bad) > 0 {
		d.add(InternetPartial, Args{ArgTargets: strings.Join(bad, ListSep)}, lines...)
	}
	lines = append(lines, skipLines...)
	switch {
	case icmpDenied && !icmpTried:
		d.add(ICMPNotPermitted, Args{}, "ICMP sockets refused (EPERM/EACCES) for this user")
	case tcpAny && !icmpAny && icmpTried:
		fd := d.add(ICMPBlocked, Args{}, lines...)
		st = worse(st, statusOf(fd.Severity))
	}
	if extICMP && !extTCP && tcpTriedFull {
		fd := d.add(TCPBlocked, Args{ArgDetail: strings.Join(lines, "; ")}, lines...)
		st = worse(st, statusOf(fd.Severity))
	}
	d.set(st, strings.Join(lines, "; "))
}

// unprobedText says why the engine did not probe t: the route that
// decided.
func (d *diag) unprobedText(f *netstate.FamilyState, t *netstate.TargetResult) string {
	tr := d.trace(f, t.Addr, t.Route, t.RouteErr)
	switch tr.Proof {
	case netstate.PathNoRoute:
		return t.Addr.String() + ": no route"
	case netstate.PathRejected:
		return fmt.Sprintf("%s: %s route %s", t.Addr, d.rejectArgs(t.Addr, t.Route, t.RouteErr)[ArgType], tr.Cover.Dst)
	}
	return pathText(t.Addr, tr)
}

func allClass(cs []netstate.ErrClass, c netstate.ErrClass) bool {
	if len(cs) == 0 {
		return false
	}
	for _, x := range cs {
		if x != c && x != netstate.ClassTimeout && x != netstate.ClassNone {
			return false
		}
	}
	return slices.Contains(cs, c)
}

// dns judges name resolution. The specific causes come first (a local
// resolver that is down, a silent server ahead of one that answers): each
// supersedes the generic findings it explains before they are judged.
func (d *diag) dns() {
	specific := d.localResolver()
	if !specific {
		specific = d.nameServerOrder()
	}
	d.dnsResolves()
	if specific {
		d.restatus()
	}
	d.fakeIP()
}

// dnsResolves: the system resolver answers. NXDOMAIN is an answer.
func (d *diag) dnsResolves() {
	r := d.s.DNS
	if !r.Ran {
		d.set(StatusSkip, "not run")
		return
	}
	var srv []string
	var failing []netstate.DNSServerResult
	for _, s := range r.Servers {
		if s.Answered {
			srv = append(srv, fmt.Sprintf("%s %s %s", s.Server.Addr(), s.Rcode, ms(s.RTT)))
		} else {
			srv = append(srv, fmt.Sprintf("%s %s", s.Server.Addr(), netstate.ErrText(s.Err)))
			// A server of a family this machine does not use (no route) is
			// skipped by every resolver at once: not a failing server.
			if fam := d.s.Family(netstate.FamilyOf(s.Server.Addr())); fam.Default != nil || netstate.Classify(s.Err) != netstate.ClassNetUnreach {
				failing = append(failing, s)
			}
		}
	}
	servers := strings.Join(srv, ", ")
	if servers == "" {
		servers = "system resolver"
	}
	if dead, ev := d.nameServersDead(); dead && r.Err != nil {
		// The engine called the probe off: the routes decided.
		detail := fmt.Sprintf("%s: not resolved, no name server is reachable (%s)", r.Name, strings.Join(ev, "; "))
		d.add(DNSFailed, Args{ArgName: r.Name, ArgErr: "no name server is reachable", ArgDetail: strings.Join(ev, "; ")}, ev...)
		d.set(StatusFail, detail)
		return
	}
	switch {
	case r.Err == nil:
		detail := fmt.Sprintf("%s → %s in %s (%s)", r.Name, addrsText(r.Addrs), ms(r.Duration), servers)
		if r.NotFound {
			detail = fmt.Sprintf("%s: NXDOMAIN in %s (%s)", r.Name, ms(r.Duration), servers)
			d.add(DNSNameNotFound, Args{ArgName: r.Name}, detail)
		}
		st := StatusPass
		if len(failing) > 0 && len(failing) < len(r.Servers) {
			for _, s := range failing {
				fd := d.add(DNSServerFailed, Args{ArgServer: s.Server.Addr().String(), ArgErr: netstate.ErrText(s.Err), ArgName: r.Name}, detail)
				st = worse(st, statusOf(fd.Severity))
			}
		}
		d.set(st, detail)
	case netstate.Classify(r.Err) == netstate.ClassTimeout && answeredServer(r.Servers) != nil && r.Sent == netstate.TriNo:
		// Nothing was lost: the resolver never sent. It spent the time on
		// local files, and how long they take is no verdict on the network.
		s := answeredServer(r.Servers)
		d.set(StatusUnknown, fmt.Sprintf("%s: the system resolver sent no query in %s (still reading local files such as the hosts file); %s answered directly (%s)", r.Name, ms(r.Duration), s.Server.Addr(), servers))
	case netstate.Classify(r.Err) == netstate.ClassTimeout && answeredServer(r.Servers) != nil:
		s := answeredServer(r.Servers)
		detail := fmt.Sprintf("%s: system resolver timed out; %s answered directly (%s)", r.Name, s.Server.Addr(), servers)
		fd := d.add(DNSLossy, Args{ArgName: r.Name, ArgServer: s.Server.Addr().String()}, detail)
		d.set(statusOf(fd.Severity), detail)
	case len(r.Servers) == 0 && d.s.NameServersListed:
		d.add(DNSNoServers, Args{ArgName: r.Name}, netstate.ErrText(r.Err))
		d.set(StatusFail, "no name server configured")
	default:
		why := dnsErrText(r.Err)
		if w := serversWhy(r.Servers); w != "" {
			// The system resolver's own error is often a timeout after its
			// retries; what the servers said when asked is the cause.
			why = w
		}
		detail := fmt.Sprintf("%s: %s (%s)", r.Name, why, servers)
		d.add(DNSFailed, Args{ArgName: r.Name, ArgErr: why, ArgDetail: "servers: " + servers}, detail)
		d.set(StatusFail, detail)
	}
}

// answeredServer is a name server that answered a direct query with a
// usable response (an answer or NXDOMAIN), if any.
func answeredServer(ss []netstate.DNSServerResult) *netstate.DNSServerResult {
	for i := range ss {
		if ss[i].Answered && (ss[i].Rcode == "NOERROR" || ss[i].Rcode == "NXDOMAIN") {
			return &ss[i]
		}
	}
	return nil
}

// serversWhy says why resolution failed when every name server asked
// directly failed the same way ("name server 192.0.2.53: connection
// refused"); "" when they disagree, one answered, or none was asked.
func serversWhy(ss []netstate.DNSServerResult) string {
	var addrs []string
	why := ""
	for _, s := range ss {
		if s.Answered || s.Err == nil {
			return ""
		}
		w := dnsErrText(s.Err)
		if why != "" && w != why {
			return ""
		}
		why = w
		addrs = append(addrs, s.Server.Addr().String())
	}
	switch len(addrs) {
	case 0:
		return ""
	case 1:
		return "name server " + addrs[0] + ": " + why
	}
	return "name servers " + strings.Join(addrs, ", ") + ": " + why
}

func dnsErrText(err error) string {
	if netstate.Classify(err) == netstate.ClassTimeout {
		return "timed out"
	}
	if netstate.Classify(err) == netstate.ClassRefused {
		return "connection refused"
	}
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 {
		return s[i+2:]
	}
	return s
}

func addrsText(as []netip.Addr) string {
	if len(as) == 0 {
		return "no address"
	}
	var ss []string
	for i, a := range as {
		if i == 3 {
			ss = append(ss, "…")
			break
		}
		ss = append(ss, a.String())
	}
	return strings.Join(ss, " ")
}

// resources judges the machine's sockets and files, then the ephemeral
// port range, and names the process holding the most sockets.
func (d *diag) resources() {
	d.resourceUse()
	d.portRange()
	d.portHolder()
}

// resourceUse: ephemeral ports and file handles against the OS's limits.
func (d *diag) resourceUse() {
	if d.s.SocketsErr != nil {
		d.set(StatusUnknown, "could not read socket tables: "+d.s.SocketsErr.Error())
		return
	}
	k := d.s.Sockets
	st := StatusPass
	var parts []string
	if k.PortsUnknown != "" {
		parts = append(parts, "ephemeral ports: unknown ("+k.PortsUnknown+")")
		st = worse(st, StatusUnknown)
	} else if span := k.EphemeralHigh - k.EphemeralLow + 1; k.EphemeralLow > 0 && span > 0 {
		tcp, udp := k.TCPEphemeralInUse, k.UDPEphemeralInUse
		counted := "in use"
		if tcp < 0 || udp < 0 {
			tcp, udp, counted = k.TCPEphemeralBound, k.UDPEphemeralBound, "at most in use"
		}
		used := max(tcp, udp)
		pct := 100 * used / span
		tcpText := fmt.Sprintf("TCP %d", tcp)
		if k.TCPBusiestPeer.IsValid() && tcp > 0 {
			tcpText = fmt.Sprintf("TCP %d toward %s", tcp, k.TCPBusiestPeer)
		}
		detail := fmt.Sprintf("%s, UDP %d %s of %d-%d; %d TCP sockets, %d in TIME_WAIT", tcpText, udp, counted, k.EphemeralLow, k.EphemeralHigh, k.TCPSockets, k.TCPTimeWait)
		if k.TopProcess != "" {
			detail += fmt.Sprintf("; most held by %s (pid %d, %d sockets)", k.TopProcess, k.TopProcessPID, k.TopProcessSockets)
		}
		parts = append(parts, "ephemeral ports: "+detail)
		args := Args{ArgCount: fmt.Sprintf("%d of %d", used, span), ArgPct: strconv.Itoa(pct), ArgDetail: detail}
		// A count is no proof that this start's connections fail: the
		// sockets may be another user's, toward endpoints the start never
		// uses. Only a connect that failed for want of a local port is.
		switch {
		case d.probeErr(netstate.ClassAddrNotAvail):
			d.add(PortsExhausted, args, detail, "a probe's connect failed with EADDRNOTAVAIL: no local port was left for it")
			st = StatusFail
		case pct >= 70:
			d.add(PortsHigh, args, detail)
			st = worse(st, StatusWarn)
		}
	}
	if k.SystemFilesMax > 0 {
		parts = append(parts, fmt.Sprintf("file handles %d of %d", k.SystemFiles, k.SystemFilesMax))
		if k.SystemFiles*10 >= k.SystemFilesMax*9 || d.probeErr(netstate.ClassTooManyFiles) {
			used := fmt.Sprintf("%d of %d system file handles are in use", k.SystemFiles, k.SystemFilesMax)
			ev := []string{used}
			if d.probeErr(netstate.ClassTooManyFiles) {
				ev = append(ev, "a probe failed with EMFILE/ENFILE")
			}
			d.add(FilesExhausted, Args{ArgDetail: used}, ev...)
			st = StatusFail
		}
	}
	if k.OpenFilesLimit > 0 {
		parts = append(parts, fmt.Sprintf("open-file limit %d", k.OpenFilesLimit))
		if k.OpenFilesLimit < 1024 {
			d.add(FilesLimitLow, Args{ArgCount: strconv.Itoa(k.OpenFilesLimit)}, fmt.Sprintf("RLIMIT_NOFILE soft limit %d", k.OpenFilesLimit))
		}
	}
	if len(parts) == 0 {
		d.set(StatusUnknown, "no socket statistics on this OS: "+strings.Join(k.Unknown, "; "))
		return
	}
	d.set(st, strings.Join(parts, "; "))
}

// probeErr: some probe failed with this class of error.
func (d *diag) probeErr(c netstate.ErrClass) bool {
	for _, f := range d.families() {
		ts := f.External
		if f.GatewayProbe != nil {
			ts = append(slices.Clone(ts), *f.GatewayProbe)
		}
		for _, t := range ts {
			if netstate.Classify(t.ICMP.Err) == c || netstate.Classify(t.TCP.Err) == c {
				return true
			}
		}
	}
	return false
}

func statusOf(s Severity) Status {
	switch s {
	case SevError:
		return StatusFail
	case SevWarning:
		return StatusWarn
	}
	return StatusPass
}

var statusRank = map[Status]int{StatusPass: 0, StatusSkip: 0, StatusUnknown: 1, StatusWarn: 2, StatusFail: 3}

func worse(a, b Status) Status {
	if statusRank[b] > statusRank[a] {
		return b
	}
	return a
}

// finish hides findings explained by a root cause, orders them by the
// catalog, and turns failed checks that follow a failed one into "skip".
func (d *diag) finish() Diagnosis {
	present := map[string]bool{}
	for _, f := range d.findings {
		if f.Severity != SevInfo {
			present[f.ID] = true
		}
	}
	var kept []Finding
	for _, f := range d.findings {
		def, _ := Lookup(f.ID)
		hidden := false
		for _, dep := range def.DependsOn {
			if present[dep.ID] {
				hidden = true
				break
			}
		}
		if !hidden {
			kept = append(kept, f)
		}
	}
	order := catalogRank()
	slices.SortStableFunc(kept, func(a, b Finding) int { return order[a.ID] - order[b.ID] })

	var out []CheckResult
	failedBefore := ""
	for _, chk := range Checks {
		c := *d.checks[chk]
		c.DurationMS = DurMS(d.s.Took[chk.ID])
		if chk.Chained && c.Status == StatusFail {
			if failedBefore != "" {
				c.Status = StatusSkip
				c.Detail = fmt.Sprintf("because %s failed (%s)", failedBefore, c.Detail)
			} else {
				failedBefore = chk.ID
			}
		}
		out = append(out, c)
	}
	if kept == nil {
		kept = []Finding{}
	}
	return Diagnosis{Checks: out, Findings: kept}
}

func DurMS(d time.Duration) float64 {
	return float64(d.Microseconds()/100) / 10
}

// Verdict is the outcome of a run.
type Verdict string

const (
	Healthy   Verdict = "healthy"   // every check passed
	Degraded  Verdict = "degraded"  // something is off; the start may go on
	Repaired  Verdict = "repaired"  // broken, repaired, and verified
	Unhealthy Verdict = "unhealthy" // broken and not repaired: do not start
)

// OK reports whether a start may go on.
func (v Verdict) OK() bool { return v != Unhealthy }

// Verdict is the run's outcome before any repair: Unhealthy with an error
// finding, Degraded with a warning, else Healthy.
func (d Diagnosis) Verdict() Verdict {
	v := Healthy
	for _, f := range d.Findings {
		switch f.Severity {
		case SevError:
			return Unhealthy
		case SevWarning:
			v = Degraded
		}
	}
	return v
}

// Summary is the root cause in one line: the first error finding, else
// the first warning, since findings come in root-cause order.
func (d Diagnosis) Summary() string {
	var root *Finding
	for i := range d.Findings {
		f := &d.Findings[i]
		switch f.Severity {
		case SevError:
			if root == nil || root.Severity != SevError {
				root = f
			}
		case SevWarning:
			if root == nil {
				root = f
			}
		}
	}
	if root == nil {
		return "network stack healthy"
	}
	return root.Summary
}

// ManualSteps are the steps of the error findings, then of the warnings,
// each step once, for goos with the managers in charge. An unhealthy
// diagnosis always gets a step, so a failed start never leaves the user
// with nothing to do.
func (d Diagnosis) ManualSteps(goos string) []string {
	steps := []string{}
	for _, sev := range []Severity{SevError, SevWarning} {
		for _, f := range d.Findings {
			if f.Severity != sev {
				continue
			}
			for _, step := range f.ManualStepsFor(goos, d.Managers) {
				if !slices.Contains(steps, step) {
					steps = append(steps, step)
				}
			}
		}
	}
	if len(steps) == 0 && d.Verdict() == Unhealthy {
		steps = append(steps, "run 'guard check -v' and read the failing checks above")
	}
	return steps
}
