package probe

import (
	"net/netip"
	"slices"
)

// NameServers lists the servers DNS will ask directly for name (a
// per-domain resolver's, or the resolver's own, then the upstreams behind
// a local stub), so the engine can trace their
// routes before the answers are due. listed is false when the resolver
// configuration could not be read: no server listed then does not mean
// none is configured. The configuration read here is the one DNS uses.
func (p *NetProber) NameServers(name string) (servers []netip.AddrPort, listed bool) {
	c := p.resolverConfig()
	own, ups := c.ServersFor(name)
	return append(slices.Clone(own), ups...), c.Found && c.Err == nil
}
