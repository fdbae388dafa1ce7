package diagnose

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/netguard/netguard/checks/netstate"
)

// Path tracing: every address the start depends on is judged by the
// kernel's route to it, with the same netstate.TracePath the engine uses to
// decide which probes to skip.

// trace judges the route to a within family f.
func (d *diag) trace(f *netstate.FamilyState, a netip.Addr, r netstate.Route, err error) netstate.PathTrace {
	return netstate.TracePath(d.s.Links, d.s.Routes, f.Default, a, r, err)
}

// notProbed reports whether the engine skipped both probes because the
// tables decided.
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
		// The table the route lives in: a route of a policy table is
		// deleted only with its table named.
		ArgTable: tableArg(tr.Cover.Table),
	}
}

// tableArg names a route's table for a Linux step; OSes without policy
// tables report 0, the main table.
func tableArg(t int) string {
	if t == 0 {
		t = netstate.TableMain
	}
	return netstate.TableName(t)
}

// pathText is one line of evidence: "203.0.113.5: route 203.0.113.0/24
// dev br0 (bridge br0, no carrier)".
func pathText(a netip.Addr, tr netstate.PathTrace) string {
	return fmt.Sprintf("%s: route %s into %s", a, tr.Cover.Dst, netstate.HopText(tr, tr.Cover.IfName))
}

// serverAnswered reports whether the name server at a answered a direct query.
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
		ev = append(ev, d.routeText(nr.Addr, nr.Route, nr.RouteErr, tr))
	}
	return true, ev
}

func addrOrOnLink(a netip.Addr) string {
	if !a.IsValid() {
		return "none, on-link"
	}
	return a.String()
}

// famReach reports whether any of f's external targets answered.
func famReach(f *netstate.FamilyState) bool {
	return slices.ContainsFunc(f.External, func(t netstate.TargetResult) bool { return t.Reachable() })
}

// gatewayRefusedLocally reports whether this host refused to send to the
// gateway at once (EHOSTUNREACH/EPERM from sendto or connect), rather than
// sending and hearing nothing.
func (d *diag) gatewayRefusedLocally(g *netstate.TargetResult) bool {
	local := func(p netstate.ProbeResult) bool {
		c := netstate.Classify(p.Err)
		return (p.Ran || errors.Is(p.Err, netstate.ErrFirewallDrops)) && !p.NoPermission && (c == netstate.ClassHostUnreach || c == netstate.ClassPermission)
	}
	return local(g.ICMP) || local(g.TCP)
}

// noGatewayReason says why there is no gateway to check (the neighbor and
// gateway checks then report skip).
func (d *diag) noGatewayReason() string {
	if len(d.usedFamilies()) == 0 {
		return "no default route"
	}
	return "no gateway (on-link default route)"
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

// familyTargetsText is one line on what f's targets did.
func (d *diag) familyTargetsText(f *netstate.FamilyState) string {
	var ls []string
	for i := range f.External {
		t := &f.External[i]
		if notProbed(t) {
			ls = append(ls, d.unprobedText(f, t))
			continue
		}
		ls = append(ls, targetText(t))
	}
	return strings.Join(ls, "; ")
}

// unprobedText says why the engine did not probe t: the route that
// decided.
func (d *diag) unprobedText(f *netstate.FamilyState, t *netstate.TargetResult) string {
	if errors.Is(t.TCP.Err, netstate.ErrFirewallDrops) {
		return t.Addr.String() + ": " + t.TCP.Err.Error()
	}
	return d.routeText(t.Addr, t.Route, t.RouteErr, d.trace(f, t.Addr, t.Route, t.RouteErr))
}

// routeText is one line of evidence on the route tr traced to a (the
// lookup's answer r, err): no route, a reject route, or where it leads.
func (d *diag) routeText(a netip.Addr, r netstate.Route, err error, tr netstate.PathTrace) string {
	switch tr.Proof {
	case netstate.PathNoRoute:
		return a.String() + ": no route"
	case netstate.PathRejected:
		return fmt.Sprintf("%s: %s route %s", a, d.rejectArgs(a, r, err)[ArgType], tr.Cover.Dst)
	}
	return pathText(a, tr)
}

// rejected reports whether the kernel's lookup answered with a reject route
// or its errno.
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
