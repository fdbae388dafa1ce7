package watch

// Routing-socket notifications as macOS (XNU) writes them, decoded into
// Changes. A pure function without a build tag, so it is unit tested on
// Linux; events_darwin.go only reads the socket. The messages' headers,
// sockaddrs, addresses, masks and link-layer sockaddrs are decoded by
// checks/internal/xnu, shared with checks/internal/sys/darwin_rib.go (it also tells why
// we do not use golang.org/x/net/route, which still rejects the unpadded
// notifications rt_msg1 writes); this file maps them to Changes.

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/netguard/netguard/checks/internal/sys"
	"github.com/netguard/netguard/checks/internal/xnu"
)

// parseRouteSocket decodes the messages of one read from a routing socket,
// received at now. Messages we do not use (RTM_GET answers to any
// process's lookups, RTM_MISS, RTM_LOSING, multicast memberships,
// per-destination clones) are skipped; a framing error ends the buffer.
func parseRouteSocket(b []byte, now time.Time) []Change {
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
			c, ok = routeChange(m, now)
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

func routeChange(m []byte, now time.Time) (Change, bool) {
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
		// table, one host route per neighbor with the MAC as gateway. Only
		// writers through route_output (arp, ndp, our own repair) and
		// router/prefix changes announce them; the kernel resolves,
		// refreshes and expires entries silently (see gatewayPoll).
		n, ok := sys.DarwinNeighborMsg(m, now)
		if !ok {
			return Change{}, false
		}
		n.IfName = "" // as the other OSes' changes: the index identifies it
		d := fmt.Sprintf("neighbor %s %s %s", verb(del), n.IP, n.State)
		if n.MAC != nil {
			d += " " + n.MAC.String()
		}
		return Change{Kind: KindNeigh, Deleted: del, IfIndex: n.IfIndex, Neigh: n, Detail: d}, true
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

// linkChange reads an RTM_IFINFO. XNU posts one when IFF_UP, the MTU,
// promiscuous or all-multicast mode change (rt_ifmsg callers in
// bsd/net/if.c), never for carrier: IFF_RUNNING in it means "resources
// allocated", not a cable or an association, and carrier changes go to
// kernel events (KEV_DL_LINK_ON/OFF) instead. So the change says up or
// down only. A lost carrier reaches the watcher through what follows it:
// configd withdrawing the service's addresses and routes, and the
// gateway's entry failing (gatewayPoll).
func linkChange(m []byte) (Change, bool) {
	h, err := xnu.ParseIfMsghdr(m)
	if err != nil {
		return Change{}, false
	}
	state := "down"
	if h.Flags&xnu.IFFUp != 0 {
		state = "up"
	}
	return Change{Kind: KindLink, IfIndex: h.Index, Detail: fmt.Sprintf("link %d %s", h.Index, state)}, true
}
