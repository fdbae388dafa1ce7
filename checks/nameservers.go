package checks

import (
	"net/netip"
	"os"
)

// NameServers lists the servers DNS will ask directly, so the engine can
// trace their routes before the answers are due. listed is false when
// this OS keeps no resolver configuration the prober reads (Windows):
// no server listed then does not mean none is configured.
func (p *NetProber) NameServers() (servers []netip.AddrPort, listed bool) {
	if p.ResolvConf == "" {
		return nil, false
	}
	if _, err := os.Stat(p.ResolvConf); err != nil {
		return nil, false
	}
	return readNameservers(p.ResolvConf), true
}
