package checks

import (
	"net/netip"
	"slices"

	"github.com/netguard/netguard/checks/netstate"
)

// probePlan is what a run probes, decided from the tables and the options
// alone, so that what is sent is tested without a prober or goroutines;
// Engine.collect only runs it under the probe window.
type probePlan struct {
	// families are IPv4 then IPv6, in the order their probes start.
	families [2]familyPlan
	// dnsName is the name the DNS probe resolves: the name servers whose
	// routes are traced are the ones the resolver uses for it (a
	// per-domain resolver's when one covers it).
	dnsName string
}

// familyPlan is one address family's share of the plan.
type familyPlan struct {
	// gateway is the next hop probed on gatewayPorts: the --gateway
	// option when it is of this family, else the default route's; invalid
	// when there is none.
	gateway netip.Addr
	// external are the family's targets in the order given.
	external []plannedTarget
	// pmtu is the path-MTU probe: one per run, to the first family's first
	// target, sized to the egress MTU.
	pmtu *netstate.PMTUResult
	// uplinks are the other default routes the first target is probed
	// through when the family's own targets stay silent.
	uplinks []netstate.Route
}

// plannedTarget is one external target with its own port, or nil ports for
// the default ones.
type plannedTarget struct {
	addr  netip.Addr
	ports []uint16
}

// planProbes decides the probes for s, whose default routes are chosen.
func planProbes(s *netstate.State, o Options) probePlan {
	p := probePlan{dnsName: o.DNSName}
	pmtuPlanned := false
	for i, f := range s.Families() {
		fp := &p.families[i]
		switch {
		case o.Gateway.IsValid() && (o.Gateway.Is4() == (f.Family == 4)):
			fp.gateway = o.Gateway
		case f.Default != nil:
			fp.gateway = f.Default.Gateway
		}
		for _, t := range o.External {
			if t.Addr().Is4() != (f.Family == 4) {
				continue
			}
			var ports []uint16
			if t.Port() != 0 {
				ports = []uint16{t.Port()}
			}
			fp.external = append(fp.external, plannedTarget{addr: t.Addr(), ports: ports})
		}
		if len(fp.external) == 0 {
			continue
		}
		if !pmtuPlanned {
			if l := linkOf(s.Links, defaultIf(f)); l != nil && l.MTU >= 576 {
				pmtuPlanned = true
				fp.pmtu = &netstate.PMTUResult{Target: fp.external[0].addr, Size: l.MTU, Iface: l.Name}
			}
		}
		fp.uplinks = otherDefaults(s.Routes, f)
	}
	return p
}

func defaultIf(f *netstate.FamilyState) int {
	if f.Default == nil {
		return 0
	}
	return f.Default.IfIndex
}

// otherDefaults are f's unicast default routes through other interfaces
// than the one in use, one per interface (the lowest metric).
func otherDefaults(rs []netstate.Route, f *netstate.FamilyState) []netstate.Route {
	if f.Default == nil {
		return nil
	}
	var out []netstate.Route
	for _, r := range rs {
		if !r.IsDefault() || r.Type != netstate.RouteUnicast || r.Dst.Addr().Is4() != (f.Family == 4) || r.IfIndex == f.Default.IfIndex || r.IfIndex == 0 {
			continue
		}
		if i := slices.IndexFunc(out, func(x netstate.Route) bool { return x.IfIndex == r.IfIndex }); i >= 0 {
			if r.Metric < out[i].Metric {
				out[i] = r
			}
			continue
		}
		out = append(out, r)
	}
	return out
}

func linkOf(ls []netstate.Link, idx int) *netstate.Link {
	for i := range ls {
		if ls[i].Index == idx {
			return &ls[i]
		}
	}
	return nil
}

// mainTable is Linux's RT_TABLE_MAIN; other OSes report table 0.
const mainTable = 254

// pickDefault returns the unicast default route of a family's uplink: the
// main table's with the lowest metric, else (no default in main) the
// lowest metric of any table; a macOS interface-scoped default (used only
// by sockets bound to its interface) only when no unscoped one exists. Metrics of different tables never compete:
// a policy rule picks the table first, and the route a target actually
// takes is the kernel's own lookup (TargetResult.Route).
func pickDefault(rs []netstate.Route, fam int) *netstate.Route {
	var best *netstate.Route
	for i := range rs {
		r := &rs[i]
		if !r.IsDefault() || r.Type != netstate.RouteUnicast || r.Dst.Addr().Is4() != (fam == 4) {
			continue
		}
		if best == nil || defaultRank(r) < defaultRank(best) || (defaultRank(r) == defaultRank(best) && r.Metric < best.Metric) {
			best = r
		}
	}
	if best == nil {
		return nil
	}
	c := *best
	return &c
}

// defaultRank orders default routes by who uses them: an unscoped route
// of the main table (0: OSes without policy tables), then one of another
// table, then an interface-scoped one.
func defaultRank(r *netstate.Route) int {
	switch {
	case r.Scoped:
		return 2
	case r.Table == mainTable || r.Table == 0:
		return 0
	}
	return 1
}
