package diagnose

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/netguard/netguard/checks/netstate"
)

// Path tracing in Diagnose: every address the start depends
// on is judged by the kernel's route to it, with the same tracePath the
// engine used to decide which probes to skip.

// trace judges the route to a within family f.
func (d *diag) trace(f *netstate.FamilyState, a netip.Addr, r netstate.Route, err error) netstate.PathTrace {
	return netstate.TracePath(d.s.Links, d.s.Routes, f.Default, a, r, err)
}

// notProbed: the engine skipped both probes because the tables decided.
func notProbed(t *netstate.TargetResult) bool { return !t.ICMP.Ran && !t.TCP.Ran }

// pathArgs are the arguments every diverted-route finding names.
func pathArgs(f *netstate.FamilyState, tr netstate.PathTrace) Args {
	ifName := tr.Cover.IfName
	if tr.Link != nil {
		ifName = tr.Link.Name
	}
	return Args{
		ArgLink:    netstate.HopText(tr, ifName),
		ArgIface:   ifName,
		ArgPrefix:  tr.Cover.Dst.String(),
		ArgDefault: f.Default.IfName,
	}
}

// pathText is one line of evidence: "203.0.113.5: route 203.0.113.0/24
// dev br0 (bridge br0, no carrier)".
func pathText(a netip.Addr, tr netstate.PathTrace) string {
	return fmt.Sprintf("%s: route %s into %s", a, tr.Cover.Dst, netstate.HopText(tr, tr.Cover.IfName))
}

// divertedGroup collects the addresses one covering route takes away.
type divertedGroup struct {
	fam   *netstate.FamilyState
	tr    netstate.PathTrace
	addrs []string
	ev    []string
}

func groupDiverted(groups []*divertedGroup, f *netstate.FamilyState, tr netstate.PathTrace, a netip.Addr) []*divertedGroup {
	for _, g := range groups {
		if g.tr.Cover.Dst == tr.Cover.Dst && g.tr.Cover.IfIndex == tr.Cover.IfIndex {
			g.addrs = append(g.addrs, a.String())
			g.ev = append(g.ev, pathText(a, tr))
			return groups
		}
	}
	return append(groups, &divertedGroup{fam: f, tr: tr, addrs: []string{a.String()}, ev: []string{pathText(a, tr)}})
}

// tracePaths adds the findings of path tracing and returns the route
// check's status for them.
func (d *diag) tracePaths() Status {
	st := StatusPass
	for _, f := range d.usedFamilies() {
		if g := f.GatewayProbe; g != nil {
			tr := d.trace(f, g.Addr, g.Route, g.RouteErr)
			// A tunnel taking the gateway has its own finding
			// (tunnel-covers-gateway, in route()).
			if tr.Diverted && tr.Link != nil && tr.Link.KindOf() != netstate.LinkTunnel {
				a := pathArgs(f, tr)
				a[ArgGateway] = g.Addr.String()
				fd := d.add(GatewayRouteDiverted, a, pathText(g.Addr, tr), "default route: dev "+f.Default.IfName)
				st = worse(st, statusOf(fd.Severity))
			}
		}
		var groups []*divertedGroup
		for i := range f.External {
			t := &f.External[i]
			tr := d.trace(f, t.Addr, t.Route, t.RouteErr)
			// A split tunnel or a second uplink that answers is a
			// choice, not a fault.
			if !tr.Diverted || (!tr.Dead() && t.Reachable()) {
				continue
			}
			groups = groupDiverted(groups, f, tr, t.Addr)
		}
		for _, g := range groups {
			a := pathArgs(f, g.tr)
			a[ArgTargets], a[ArgTarget] = strings.Join(g.addrs, ListSep), g.addrs[0]
			fd := d.add(TargetRouteDiverted, a, append(g.ev, "default route: dev "+f.Default.IfName)...)
			if !d.inetReach {
				fd.Severity = SevError
			}
			st = worse(st, statusOf(fd.Severity))
		}
	}
	var groups []*divertedGroup
	for _, nr := range d.s.NameServerRoutes {
		f := d.s.Family(netstate.FamilyOf(nr.Addr))
		if f.Default == nil {
			continue
		}
		tr := d.trace(f, nr.Addr, nr.Route, nr.RouteErr)
		if !tr.Diverted || d.serverAnswered(nr.Addr) {
			continue
		}
		// One finding per server: {server} names one in each step.
		groups = append(groups, &divertedGroup{fam: f, tr: tr, addrs: []string{nr.Addr.String()}, ev: []string{pathText(nr.Addr, tr)}})
	}
	dnsFailed := d.s.DNS.Ran && d.s.DNS.Err != nil
	for _, g := range groups {
		f := g.fam
		a := pathArgs(f, g.tr)
		a[ArgServer] = g.addrs[0]
		fd := d.add(NameServerRouteDiverted, a, append(g.ev, "default route: dev "+f.Default.IfName)...)
		if dnsFailed {
			fd.Severity = SevError
		}
		st = worse(st, statusOf(fd.Severity))
	}
	return st
}

// serverAnswered: the name server at a answered a direct query.
func (d *diag) serverAnswered(a netip.Addr) bool {
	return slices.ContainsFunc(d.s.DNS.Servers, func(s netstate.DNSServerResult) bool {
		return s.Server.Addr() == a && s.Answered
	})
}

// nameServersDead reports whether the tables proved every traced name
// server unreachable (the engine then called the DNS probe off), with one
// evidence line per server.
func (d *diag) nameServersDead() (bool, []string) {
	if len(d.s.NameServerRoutes) == 0 {
		return false, nil
	}
	var ev []string
	for _, nr := range d.s.NameServerRoutes {
		f := d.s.Family(netstate.FamilyOf(nr.Addr))
		tr := d.trace(f, nr.Addr, nr.Route, nr.RouteErr)
		if !tr.Dead() {
			return false, nil
		}
		switch tr.Proof {
		case netstate.PathNoRoute:
			ev = append(ev, nr.Addr.String()+": no route")
		case netstate.PathRejected:
			ev = append(ev, fmt.Sprintf("%s: %s route %s", nr.Addr, d.rejectArgs(nr.Addr, nr.Route, nr.RouteErr)[ArgType], tr.Cover.Dst))
		default:
			ev = append(ev, pathText(nr.Addr, tr))
		}
	}
	return true, ev
}

// gatewayPathLine explains a gateway the engine did not probe, or one the
// kernel routes away from the default route's interface; "" otherwise.
func (d *diag) gatewayPathLine(f *netstate.FamilyState, g *netstate.TargetResult) string {
	tr := d.trace(f, g.Addr, g.Route, g.RouteErr)
	switch {
	case tr.Diverted && tr.Link != nil:
		return fmt.Sprintf("%s: not judged, the kernel routes it into %s (route %s)", g.Addr, netstate.LinkText(tr.Link, tr.Cover.IfName), tr.Cover.Dst)
	case notProbed(g) && tr.Proof == netstate.PathNoRoute:
		return g.Addr.String() + ": not probed, no route"
	case notProbed(g) && tr.Proof == netstate.PathRejected:
		return fmt.Sprintf("%s: not probed, %s route %s", g.Addr, d.rejectArgs(g.Addr, g.Route, g.RouteErr)[ArgType], tr.Cover.Dst)
	case notProbed(g) && tr.Proof == netstate.PathLinkDown:
		return fmt.Sprintf("%s: not probed, route into %s", g.Addr, netstate.LinkText(tr.Link, tr.Cover.IfName))
	}
	return ""
}

// uplinks: when none of a family's targets answers through the default
// route in use, but one answers through another default route's
// interface, the preferred uplink is the dead one (several default
// routes).
func (d *diag) uplinks(f *netstate.FamilyState) Status {
	if f.Default == nil || len(f.Uplinks) == 0 || slices.ContainsFunc(f.External, func(t netstate.TargetResult) bool { return t.Reachable() }) {
		return StatusPass
	}
	for i := range f.Uplinks {
		u := &f.Uplinks[i]
		if !u.Probe.Reachable() {
			continue
		}
		a := Args{
			ArgFamily: famName(f.Family), ArgIface: f.Default.IfName, ArgGateway: addrOrOnLink(f.Default.Gateway), ArgMetric: fmt.Sprint(f.Default.Metric),
			ArgAltIface: u.Route.IfName, ArgAltGateway: addrOrOnLink(u.Route.Gateway), ArgAltMetric: fmt.Sprint(u.Route.Metric),
			ArgTarget: u.Probe.Addr.String(),
		}
		ev := []string{
			fmt.Sprintf("through %s: %s", f.Default.IfName, d.familyTargetsText(f)),
			fmt.Sprintf("bound to %s: %s: %s, %s", u.Route.IfName, u.Probe.Addr, probeText(u.Probe.ICMP), probeText(u.Probe.TCP)),
		}
		fd := d.add(DefaultRouteDead, a, ev...)
		return statusOf(fd.Severity)
	}
	return StatusPass
}

func addrOrOnLink(a netip.Addr) string {
	if !a.IsValid() {
		return "none, on-link"
	}
	return a.String()
}

// familyTargetsText is one line on what f's targets did.
func (d *diag) familyTargetsText(f *netstate.FamilyState) string {
	var ls []string
	for i := range f.External {
		t := &f.External[i]
		if notProbed(t) {
			ls = append(ls, d.unprobedText(f, t))
			continue
		}
		ls = append(ls, fmt.Sprintf("%s: %s, %s", t.Addr, probeText(t.ICMP), probeText(t.TCP)))
	}
	return strings.Join(ls, "; ")
}

// famReach reports whether any of f's external targets answered.
func famReach(f *netstate.FamilyState) bool {
	return slices.ContainsFunc(f.External, func(t netstate.TargetResult) bool { return t.Reachable() })
}

// blackholedFamily is a family whose every target stays silent (or is
// proven dead) through its own default route while the other family
// works; nil if none.
func (d *diag) blackholedFamily() (bad, good *netstate.FamilyState) {
	for _, f := range d.usedFamilies() {
		o := d.s.Family(10 - f.Family)
		if len(f.External) > 0 && !famReach(f) && famReach(o) {
			return f, o
		}
	}
	return nil, nil
}

// familyUnreachable adds the family-unreachable warning; it returns the
// check status for it.
func (d *diag) familyUnreachable() Status {
	f, o := d.blackholedFamily()
	if f == nil {
		return StatusPass
	}
	var addrs []string
	for _, t := range f.External {
		addrs = append(addrs, t.Addr.String())
	}
	a := Args{ArgFamily: famName(f.Family), ArgOther: famName(o.Family), ArgIface: f.Default.IfName, ArgTargets: strings.Join(addrs, ListSep), ArgTarget: addrs[0]}
	fd := d.add(FamilyUnreachable, a, d.familyTargetsText(f), famName(o.Family)+": "+d.familyTargetsText(o))
	return statusOf(fd.Severity)
}

// pathMTU: the don't-fragment probe of the egress MTU was lost while the
// same target answered a small echo.
func (d *diag) pathMTU() Status {
	st := StatusPass
	for _, f := range d.usedFamilies() {
		m := f.PMTU
		if m == nil || !m.Probe.Ran || m.Probe.Answered || m.Probe.NoPermission || m.FragNeeded() {
			continue
		}
		i := slices.IndexFunc(f.External, func(t netstate.TargetResult) bool { return t.Addr == m.Target })
		if i < 0 || !f.External[i].ICMP.Answered {
			continue // no small echo answered either: nothing to compare
		}
		a := Args{ArgSize: fmt.Sprint(m.Size), ArgTarget: m.Target.String(), ArgIface: m.Iface, ArgMTU: fmt.Sprint(m.Size)}
		fd := d.add(PathMTUBlackhole, a,
			fmt.Sprintf("%s: %d-byte echo with don't-fragment: %s (%d sent)", m.Target, m.Size, netstate.ErrText(m.Probe.Err), m.Probe.Attempts),
			fmt.Sprintf("%s: small echo answered in %s", m.Target, ms(f.External[i].ICMP.RTT)))
		st = worse(st, statusOf(fd.Severity))
	}
	return st
}

// linkMTUs: a container or VM bridge in use whose MTU exceeds the MTU of
// the interface that carries the default route (a VPN tunnel, PPPoE):
// what is behind it sends packets the uplink cannot carry.
func (d *diag) linkMTUs() Status {
	var egress *netstate.Link
	for _, f := range d.usedFamilies() {
		if egress = d.linkByIndex(f.Default.IfIndex); egress != nil {
			break
		}
	}
	if egress == nil || egress.MTU <= 0 {
		return StatusPass
	}
	st := StatusPass
	for i := range d.s.Links {
		l := &d.s.Links[i]
		if l.Index == egress.Index || l.KindOf() != netstate.LinkBridge || !l.AdminUp || l.MTU <= egress.MTU || !hasFamilyAddr(l, 4) && !hasFamilyAddr(l, 6) {
			continue
		}
		a := Args{ArgLink: netstate.LinkText(l, l.Name), ArgIface: l.Name, ArgMTU: fmt.Sprint(l.MTU), ArgDefault: netstate.LinkText(egress, egress.Name), ArgEgressMTU: fmt.Sprint(egress.MTU)}
		fd := d.add(LinkMTUExceedsEgress, a, fmt.Sprintf("%s mtu %d; default route through %s mtu %d", l.Name, l.MTU, egress.Name, egress.MTU))
		st = worse(st, statusOf(fd.Severity))
	}
	return st
}
