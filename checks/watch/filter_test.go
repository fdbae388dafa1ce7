package watch

import (
	"net"
	"net/netip"
	"testing"

	"github.com/netguard/netguard/checks/netstate"
)

var (
	gw     = netip.MustParseAddr("198.18.3.1")
	host   = netip.MustParseAddr("198.18.3.7")
	macA   = net.HardwareAddr{2, 0, 0, 0, 0, 0xa}
	macB   = net.HardwareAddr{2, 0, 0, 0, 0, 0xb}
	eth0Ad = netip.MustParsePrefix("198.18.3.2/24")
)

func nb(ip netip.Addr, st netstate.NeighState, mac net.HardwareAddr) netstate.Neighbor {
	return netstate.Neighbor{IfIndex: 2, IP: ip, State: st, MAC: mac, Permanent: st == netstate.NeighPermanent}
}

func neighChange(n netstate.Neighbor) Change {
	return Change{Kind: KindNeigh, IfIndex: n.IfIndex, Neigh: n}
}

func neighDel(n netstate.Neighbor) Change {
	c := neighChange(n)
	c.Deleted = true
	return c
}

func TestFilter(t *testing.T) {
	seeded := []netstate.Neighbor{
		nb(gw, netstate.NeighStale, macA),
		nb(host, netstate.NeighReachable, macB),
	}
	links := []netstate.Link{{Index: 2, Name: "eth0", Addrs: []netip.Prefix{eth0Ad}}}
	tests := []struct {
		name    string
		changes []Change // all but the last set the scene; the last is judged
		want    bool
	}{
		{"link of the default route", []Change{{Kind: KindLink, IfIndex: 2, Detail: "link eth0 down"}}, true},
		{"link without an index", []Change{{Kind: KindLink}}, true},
		{"another link (a container's veth)", []Change{{Kind: KindLink, IfIndex: 7, Detail: "link veth1 up"}}, false},
		{"address on another link", []Change{{Kind: KindAddr, IfIndex: 7, Addr: netip.MustParsePrefix("172.17.0.1/16")}}, false},
		{"route", []Change{{Kind: KindRoute, Deleted: true}}, true},
		{"resync", []Change{{Kind: KindResync}}, true},

		{"gateway stale to reachable, same MAC: churn", []Change{neighChange(nb(gw, netstate.NeighReachable, macA))}, false},
		{"gateway delay/probe/reachable cycle", []Change{
			neighChange(nb(gw, netstate.NeighDelay, macA)),
			neighChange(nb(gw, netstate.NeighProbe, macA)),
			neighChange(nb(gw, netstate.NeighReachable, macA))}, false},
		{"gateway MAC changes", []Change{neighChange(nb(gw, netstate.NeighReachable, macB))}, true},
		{"gateway made permanent with the same MAC", []Change{neighChange(nb(gw, netstate.NeighPermanent, macA))}, true},
		{"gateway made permanent with a wrong MAC", []Change{neighChange(nb(gw, netstate.NeighPermanent, macB))}, true},
		{"gateway goes FAILED", []Change{neighChange(nb(gw, netstate.NeighFailed, nil))}, true},
		{"gateway entry deleted", []Change{neighDel(nb(gw, netstate.NeighStale, macA))}, true},
		{"dead gateway re-probed: FAILED to INCOMPLETE", []Change{
			neighChange(nb(gw, netstate.NeighFailed, nil)),
			neighChange(nb(gw, netstate.NeighIncomplete, nil))}, false},
		{"dead gateway re-probed: INCOMPLETE to FAILED", []Change{
			neighChange(nb(gw, netstate.NeighFailed, nil)),
			neighChange(nb(gw, netstate.NeighIncomplete, nil)),
			neighChange(nb(gw, netstate.NeighFailed, nil))}, false},
		{"dead gateway's entry garbage-collected", []Change{
			neighChange(nb(gw, netstate.NeighFailed, nil)),
			neighDel(nb(gw, netstate.NeighFailed, nil))}, false},
		{"gateway answers again", []Change{
			neighChange(nb(gw, netstate.NeighFailed, nil)),
			neighChange(nb(gw, netstate.NeighReachable, macA))}, true},
		{"gateway re-learned after a repair deleted it", []Change{
			neighDel(nb(gw, netstate.NeighStale, macA)),
			neighChange(nb(gw, netstate.NeighIncomplete, nil)),
			neighChange(nb(gw, netstate.NeighReachable, macA))}, true},

		{"host stale", []Change{neighChange(nb(host, netstate.NeighStale, macB))}, false},
		{"host goes FAILED from resolved", []Change{neighChange(nb(host, netstate.NeighFailed, nil))}, true},
		{"host goes FAILED through probe", []Change{
			neighChange(nb(host, netstate.NeighProbe, macB)),
			neighChange(nb(host, netstate.NeighFailed, nil))}, true},
		{"host FAILED twice", []Change{
			neighChange(nb(host, netstate.NeighFailed, nil)),
			neighChange(nb(host, netstate.NeighFailed, nil))}, false},
		{"unknown host never answered", []Change{
			neighChange(nb(netip.MustParseAddr("198.18.3.99"), netstate.NeighIncomplete, nil)),
			neighChange(nb(netip.MustParseAddr("198.18.3.99"), netstate.NeighFailed, nil))}, false},
		{"host deleted", []Change{neighDel(nb(host, netstate.NeighStale, macB))}, false},
		{"new host learned", []Change{neighChange(nb(netip.MustParseAddr("198.18.3.50"), netstate.NeighReachable, macA))}, false},

		{"known address re-announced (RA lifetimes)", []Change{{Kind: KindAddr, IfIndex: 2, Addr: eth0Ad}}, false},
		{"new address", []Change{{Kind: KindAddr, IfIndex: 2, Addr: netip.MustParsePrefix("198.18.3.9/24")}}, true},
		{"address removed", []Change{{Kind: KindAddr, IfIndex: 2, Addr: eth0Ad, Deleted: true}}, true},
		{"address removed twice", []Change{
			{Kind: KindAddr, IfIndex: 2, Addr: eth0Ad, Deleted: true},
			{Kind: KindAddr, IfIndex: 2, Addr: eth0Ad, Deleted: true}}, false},
		{"address without a decoded prefix", []Change{{Kind: KindAddr, IfIndex: 2}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f Filter
			f.Seed([]netip.Addr{gw}, []int{2}, seeded, links)
			for _, c := range tt.changes[:len(tt.changes)-1] {
				f.Relevant(c)
			}
			if got := f.Relevant(tt.changes[len(tt.changes)-1]); got != tt.want {
				t.Errorf("Relevant = %v, want %v", got, tt.want)
			}
		})
	}
}

// An unseeded gateway entry (the watcher could not dump the table) is
// judged on what it says: a resolved or permanent entry is worth a check.
func TestFilterUnseeded(t *testing.T) {
	var f Filter
	if f.Relevant(neighChange(nb(gw, netstate.NeighReachable, macA))) {
		t.Error("no gateway known, yet a neighbor change was relevant")
	}
	f.Seed([]netip.Addr{gw}, nil, nil, nil)
	if !f.Relevant(neighChange(nb(gw, netstate.NeighPermanent, macB))) {
		t.Error("a new permanent gateway entry was not relevant")
	}
	if !f.Relevant(Change{Kind: KindLink, IfIndex: 7}) {
		t.Error("no default route known, yet a link change was not relevant")
	}
	if f.Relevant(neighChange(nb(gw, netstate.NeighPermanent, macB))) {
		t.Error("the same entry again was relevant")
	}
}

// The filter's memory is bounded on a huge neighbor table.
func TestFilterBounded(t *testing.T) {
	var f Filter
	f.Seed([]netip.Addr{gw}, nil, nil, nil)
	for i := range 3 * maxTracked {
		a := netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
		f.Relevant(neighChange(nb(a, netstate.NeighReachable, macA)))
	}
	if len(f.neigh) > maxTracked {
		t.Errorf("%d entries tracked, want at most %d", len(f.neigh), maxTracked)
	}
}
