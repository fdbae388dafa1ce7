package watch

import (
	"bytes"
	"net/netip"
	"slices"

	"github.com/netguard/netguard/checks/netstate"
)

// Filter decides which changes are worth a re-check. Route and resync
// changes always are. Link and address changes are when they concern an
// interface that carries a default route (or none is known): containers,
// VMs and macOS's AWDL bring other interfaces up and down all day, and an
// interface that takes over the default route announces it with a route
// change anyway. Neighbor tables churn all day (entries go
// REACHABLE → STALE → DELAY → REACHABLE as traffic flows, and every probe
// of ours refreshes the gateway's), so only these count:
//
//   - the gateway's entry changes MAC, becomes or stops being permanent,
//     or goes from resolved to unresolved (FAILED, INCOMPLETE, deleted) or
//     back;
//   - any other entry goes FAILED from a resolved state: a host on the
//     link that answered stopped answering.
//
// An entry going FAILED straight from INCOMPLETE (a host that never
// answered) does not count: traffic to a dead host repeats that cycle
// every few seconds, and our own probe of a dead gateway would re-trigger
// the check that sent it. Address changes count only when an address
// appears or disappears: IPv6 router advertisements re-announce every
// address with fresh lifetimes every few minutes.
//
// Seed gives the Filter the tables as they stand before a run; changes are
// then judged against them, so a change made while the run was going on is
// still seen, and one that happened before it is not counted twice.
// The zero value is ready to use: it knows no gateway and no entry.
type Filter struct {
	gateways   []netip.Addr
	defaultIfs []int // interfaces of the default routes
	neigh      map[neighKey]neighState
	addrs      map[addrKey]bool
}

type neighKey struct {
	ifIndex int
	ip      netip.Addr
}

type neighState struct {
	resolved  bool
	permanent bool
	failed    bool
	mac       []byte
}

type addrKey struct {
	ifIndex int
	prefix  netip.Prefix
}

// maxTracked bounds the memory of a Filter on a machine with a huge
// neighbor table (a router, a /16 flat network): beyond it entries are
// forgotten, which costs at most an extra re-check.
const maxTracked = 4096

// Seed replaces what the filter knows: the gateways (from the default
// routes and --gateway), the default routes' interfaces, the neighbor
// table and the links' addresses. A nil table (the OS could not tell)
// keeps what was known.
func (f *Filter) Seed(gateways []netip.Addr, defaultIfs []int, neighbors []netstate.Neighbor, links []netstate.Link) {
	f.gateways = slices.Clone(gateways)
	f.defaultIfs = slices.Clone(defaultIfs)
	if neighbors != nil {
		f.neigh = make(map[neighKey]neighState, len(neighbors))
		for _, n := range neighbors {
			f.remember(n)
		}
	}
	if links != nil {
		f.addrs = map[addrKey]bool{}
		for _, l := range links {
			for _, a := range l.Addrs {
				if len(f.addrs) < maxTracked {
					f.addrs[addrKey{l.Index, a}] = true
				}
			}
		}
	}
}

// IsGateway reports whether ip is one of the seeded gateways.
func (f *Filter) IsGateway(ip netip.Addr) bool {
	return slices.Contains(f.gateways, ip.Unmap())
}

func stateOf(n netstate.Neighbor) neighState {
	return neighState{
		resolved:  n.Resolved(),
		permanent: n.Permanent || n.State == netstate.NeighPermanent,
		failed:    n.State == netstate.NeighFailed,
		mac:       bytes.Clone(n.MAC),
	}
}

func (f *Filter) remember(n netstate.Neighbor) {
	if f.neigh == nil {
		f.neigh = map[neighKey]neighState{}
	}
	if len(f.neigh) >= maxTracked {
		clear(f.neigh)
	}
	f.neigh[neighKey{n.IfIndex, n.IP.Unmap()}] = stateOf(n)
}

// Relevant reports whether c should cause a re-check, and updates what the
// filter knows with it.
func (f *Filter) Relevant(c Change) bool {
	switch c.Kind {
	case KindNeigh:
		return f.neighbor(c)
	case KindAddr:
		return f.onDefaultIf(c) && f.address(c)
	case KindLink:
		return f.onDefaultIf(c)
	}
	return true
}

// onDefaultIf reports whether c concerns an interface of a default route,
// or may (no default route is known, or c names no interface).
func (f *Filter) onDefaultIf(c Change) bool {
	return len(f.defaultIfs) == 0 || c.IfIndex == 0 || slices.Contains(f.defaultIfs, c.IfIndex)
}

func (f *Filter) address(c Change) bool {
	if !c.Addr.IsValid() {
		return true
	}
	k := addrKey{c.IfIndex, c.Addr}
	known := f.addrs[k]
	if f.addrs == nil {
		f.addrs = map[addrKey]bool{}
	}
	if c.Deleted {
		delete(f.addrs, k)
		return known
	}
	if len(f.addrs) < maxTracked {
		f.addrs[k] = true
	}
	return !known
}

func (f *Filter) neighbor(c Change) bool {
	n := c.Neigh
	k := neighKey{n.IfIndex, n.IP.Unmap()}
	prev, known := f.neigh[k]
	if c.Deleted {
		delete(f.neigh, k)
	} else {
		f.remember(n)
	}
	cur := stateOf(n)
	if c.Deleted {
		cur = neighState{}
	}
	if f.IsGateway(n.IP) {
		if !known {
			// A gateway entry we had not seen: relevant once it is
			// resolved (a new MAC to check) or permanent (set by hand).
			return cur.resolved || cur.permanent
		}
		switch {
		case prev.resolved != cur.resolved, prev.permanent != cur.permanent:
			return true
		case cur.resolved && len(n.MAC) > 0 && !bytes.Equal(prev.mac, cur.mac):
			return true
		}
		return false
	}
	return !c.Deleted && cur.failed && known && prev.resolved
}
