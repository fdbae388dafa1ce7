package probe

import (
	"net/netip"
	"slices"
)

// NameServers lists the servers DNS will ask directly (the resolver's own,
// then the upstreams behind a local stub), so the engine can trace their
// routes before the answers are due. listed is false when the resolver
// configuration could not be read: no server listed then does not mean
// none is configured. The configuration read here is the one DNS uses.
func (p *NetProber) NameServers() (servers []netip.AddrPort, listed bool) {
	c := p.resolverConfig()
	return append(slices.Clone(c.Servers), c.Upstreams...), c.Found && c.Err == nil
}
