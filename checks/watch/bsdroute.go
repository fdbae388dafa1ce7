package watch

// Routing-socket notifications as macOS (XNU) writes them, decoded into
// Changes. A pure function without a build tag, so it is unit tested on
// Linux; events_darwin.go only reads the socket. The messages' headers,
// sockaddrs, addresses, masks and link-layer sockaddrs are decoded by
// checks/internal/xnu, shared with checks/darwin_rib.go (it also tells why
// we do not use golang.org/x/net/route, whose darwin parser has failed and
// panicked on real kernel messages); this file maps them to Changes.

import (
	"fmt"
	"net/netip"

	"github.com/netguard/netguard/checks"
	"github.com/netguard/netguard/checks/internal/xnu"
)

// parseRouteSocket decodes the messages of one read from a routing socket.
// Messages we do not use (RTM_GET answers to any process's lookups,
// RTM_MISS, RTM_LOSING, multicast memberships, per-destination clones) are
// skipped; a framing error ends the buffer.
func parseRouteSocket(b []byte) []Change {
	var out []Change
	for len(b) > 0 {
		m, rest, err := xnu.Split(b)
		if err != nil {
			break
		}
		b = rest
		if m[2] != xnu.RTMVersion {
			continue
		}
		var c Change
		var ok bool
		switch m[3] {
		case xnu.RTMAdd, xnu.RTMDelete, xnu.RTMChange:
			c, ok = routeChange(m)
		case xnu.RTMNewAddr, xnu.RTMDelAddr:
			c, ok = addrChange(m)
		case xnu.RTMIfInfo:
			c, ok = linkChange(m)
		}
		if ok {
			out = append(out, c)
		}
	}
	return out
}

// prefixOf is a with the prefix length of its netmask sockaddr, a host
// prefix when there is none.
func prefixOf(a netip.Addr, mask []byte) netip.Prefix {
	bits := a.BitLen()
	if mask != nil {
		bits = xnu.MaskBits(a, mask)
	}
	return netip.PrefixFrom(a, bits)
}

func routeChange(m []byte) (Change, bool) {
	h, err := xnu.ParseRtMsghdr(m)
	if err != nil || h.Flags&(xnu.RTFLocal|xnu.RTFBroadcast|xnu.RTFMulticast) != 0 {
		return Change{}, false
	}
	sas, err := xnu.SplitSockaddrs(h.Addrs, m[xnu.SizeofRtMsghdr:])
	if err != nil {
		return Change{}, false
	}
	del := h.Type == xnu.RTMDelete
	dst, _ := xnu.Inet(sas[xnu.RTAXDst])
	if h.Flags&xnu.RTFLLInfo != 0 {
		// An ARP/NDP entry: XNU keeps the neighbor cache in the routing
		// table, one host route per neighbor with the MAC as gateway.
		l, err := xnu.ParseLink(sas[xnu.RTAXGateway])
		if err != nil || !dst.IsValid() || dst.IsMulticast() {
			return Change{}, false
		}
		lidx, mac := l.Index, l.Addr
		if lidx == 0 {
			lidx = h.Index
		}
		n := checks.Neighbor{IfIndex: lidx, IP: dst, MAC: mac}
		n.Permanent = dst.Is4() && h.Expire == 0 && len(mac) > 0
		switch {
		case len(mac) == 0 && h.Flags&xnu.RTFReject != 0:
			n.State = checks.NeighFailed // ARP gave up: XNU marks the entry reject
		case len(mac) == 0:
			n.State = checks.NeighIncomplete
		case n.Permanent:
			n.State = checks.NeighPermanent
		default:
			n.State = checks.NeighReachable // XNU has no NUD states for ARP
		}
		d := fmt.Sprintf("neighbor %s %s %s", verb(del), dst, n.State)
		if mac != nil {
			d += " " + mac.String()
		}
		return Change{Kind: KindNeigh, Deleted: del, IfIndex: lidx, Neigh: n, Detail: d}, true
	}
	// Clones are XNU's per-destination cache (one for every host a socket
	// talked to), added and expired all the time: not configuration.
	if h.Flags&xnu.RTFWasCloned != 0 {
		return Change{}, false
	}
	d := fmt.Sprintf("route %s", verb(del))
	if h.Type == xnu.RTMChange {
		d = "route change"
	}
	if dst.IsValid() {
		d += " " + prefixOf(dst, sas[xnu.RTAXNetmask]).String()
	}
	if gw, _ := xnu.Inet(sas[xnu.RTAXGateway]); gw.IsValid() {
		d += " via " + gw.String()
	}
	return Change{Kind: KindRoute, Deleted: del, IfIndex: h.Index, Detail: d}, true
}

func addrChange(m []byte) (Change, bool) {
	h, err := xnu.ParseIfaMsghdr(m)
	if err != nil {
		return Change{}, false
	}
	del, idx := h.Type == xnu.RTMDelAddr, h.Index
	c := Change{Kind: KindAddr, Deleted: del, IfIndex: idx, Detail: fmt.Sprintf("address %s on %d", verb(del), idx)}
	sas, err := xnu.SplitSockaddrs(h.Addrs, m[xnu.SizeofIfaMsghdr:])
	if err != nil {
		return c, true
	}
	if a, _ := xnu.Inet(sas[xnu.RTAXIfa]); a.IsValid() {
		c.Addr = prefixOf(a, sas[xnu.RTAXNetmask])
		c.Detail = fmt.Sprintf("address %s %s on %d", verb(del), c.Addr, idx)
	}
	return c, true
}

func linkChange(m []byte) (Change, bool) {
	h, err := xnu.ParseIfMsghdr(m)
	if err != nil {
		return Change{}, false
	}
	state := "down"
	switch {
	case h.Flags&xnu.IFFUp != 0 && h.Flags&xnu.IFFRunning != 0:
		state = "up"
	case h.Flags&xnu.IFFUp != 0:
		state = "no-carrier"
	}
	return Change{Kind: KindLink, IfIndex: h.Index, Detail: fmt.Sprintf("link %d %s", h.Index, state)}, true
}
