package checks

import (
	"net/netip"

	"github.com/netguard/netguard/checks/netstate"
)

// probePlan is what a run probes, decided from the tables and the options
// alone, so that what is sent is tested without a prober or goroutines;
// Engine.collect only runs it under the probe window.
type probePlan struct {
	// families are IPv4 then IPv6, in the order their probes start.
	families [2]familyPlan
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
	var p probePlan
	pmtuPlanned := false
	for i, f := range []*netstate.FamilyState{&s.V4, &s.V6} {
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
