package netstate

import (
	"net/netip"
)

// Path tracing: the kernel's own route lookup for every
// address a start depends on, compared with the default route. The engine
// uses it to skip probes the tables already decide; Diagnose uses the same
// function to name the route that decided, so both always agree.

// PathProof is what the tables alone prove about the path to one address.
type PathProof int

const (
	// PathOpen: the route leads somewhere that may answer; only probes can
	// tell.
	PathOpen PathProof = iota
	// PathNoRoute: the lookup failed with ENETUNREACH.
	PathNoRoute
	// PathRejected: a reject, prohibit or blackhole route (or its errno).
	PathRejected
	// PathLinkDown: the route leads into an interface that is down or has
	// no carrier: nothing can answer through it.
	PathLinkDown
	// PathLocal: the route leaves the default route's interface for a
	// bridge or veth, a container or VM network on this machine: an
	// internet host is not behind it.
	PathLocal
)

// AddrRoute is the kernel's route to one address.
type AddrRoute struct {
	Addr     netip.Addr
	Route    Route
	RouteErr error
}

// PathTrace is where one address's traffic goes, judged against the
// default route of its family.
type PathTrace struct {
	Proof PathProof
	// Diverted: the route leaves through another interface than the
	// default route's, or (OtherHop) through a more specific route to
	// another next hop on the same interface.
	Diverted bool
	OtherHop bool
	// Link is the route's interface, nil when unknown or on error.
	Link *Link
	// Cover is the table entry the lookup matched: the most specific
	// route of the table that contains the address through the same
	// interface (the lookup itself answers with a host route on Linux),
	// else the lookup's answer.
	Cover Route
}

// Dead reports whether the tables prove that nothing answers at the
// address through this path.
func (p PathTrace) Dead() bool { return p.Proof != PathOpen }

// tracePath judges the route r (or the lookup error err) to a against def,
// the default route of a's family (nil when there is none).
func TracePath(links []Link, routes []Route, def *Route, a netip.Addr, r Route, err error) PathTrace {
	if err != nil {
		switch Classify(err) {
		case ClassNetUnreach:
			return PathTrace{Proof: PathNoRoute}
		case ClassHostUnreach, ClassPermission, ClassInvalid:
			return PathTrace{Proof: PathRejected, Cover: coveringRoute(routes, a, r, false)}
		}
		return PathTrace{}
	}
	switch r.Type {
	case RouteUnreachable, RouteProhibit, RouteBlackhole:
		return PathTrace{Proof: PathRejected, Cover: coveringRoute(routes, a, r, false)}
	}
	t := PathTrace{Cover: coveringRoute(routes, a, r, true)}
	for i := range links {
		if links[i].Index == r.IfIndex {
			t.Link = &links[i]
		}
	}
	t.Diverted = def != nil && r.IfIndex != 0 && r.IfIndex != def.IfIndex && !a.IsLoopback()
	// Or the same interface, through a more specific route to another next
	// hop than the default route's: a stale static route, a VPN's leftover
	// host route, a second router on the LAN.
	if def != nil && !t.Diverted && r.IfIndex == def.IfIndex && !a.IsLoopback() &&
		t.Cover.Gateway.IsValid() && t.Cover.Gateway != def.Gateway && t.Cover.Dst.Bits() > 0 {
		t.Diverted, t.OtherHop = true, true
	}
	switch {
	case t.Link == nil || a.IsLoopback() || t.Link.KindOf() == LinkLoopback:
	case !t.Link.AdminUp || !t.Link.Carrier:
		t.Proof = PathLinkDown
	case t.Diverted && !t.OtherHop && t.Link.KindOf().Local():
		t.Proof = PathLocal
	}
	return t
}

// coveringRoute finds the table entry behind a lookup's answer: the most
// specific route containing a, through the answer's interface when
// unicast, of a reject type otherwise.
func coveringRoute(routes []Route, a netip.Addr, r Route, unicast bool) Route {
	var best *Route
	for i := range routes {
		x := &routes[i]
		if !x.Dst.Contains(a) || (x.Type == RouteUnicast) != unicast || x.Type == RouteThrow {
			continue
		}
		if unicast && x.IfIndex != r.IfIndex {
			continue
		}
		if best == nil || x.Dst.Bits() > best.Dst.Bits() || (x.Dst.Bits() == best.Dst.Bits() && x.Metric < best.Metric) {
			best = x
		}
	}
	if best == nil {
		return r
	}
	c := *best
	if c.IfName == "" {
		c.IfName = r.IfName
	}
	return c
}

// linkText says what a link is for a summary: "bridge br0", "tunnel wg0
// (no carrier)".
func LinkText(l *Link, ifName string) string {
	if l == nil {
		return "interface " + ifName
	}
	return kindText(l)
}

// hopText is linkText for a trace: the next hop too when that is what
// differs from the default route ("physical eth0 via 192.0.2.99").
func HopText(tr PathTrace, ifName string) string {
	s := LinkText(tr.Link, ifName)
	if tr.OtherHop {
		s += " via " + tr.Cover.Gateway.String()
	}
	return s
}

func kindText(l *Link) string {
	s := string(l.KindOf()) + " " + l.Name
	switch {
	case !l.AdminUp:
		s += " (down)"
	case !l.Carrier:
		s += " (no carrier)"
	}
	return s
}
