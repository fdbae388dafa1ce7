package watch

// Routing-socket notifications as macOS (XNU) writes them, decoded into
// Changes. A pure function without a build tag, so it is unit tested on
// Linux; events_darwin.go only reads the socket. Layouts are XNU's
// bsd/net/route.h and bsd/net/if.h; macOS runs on little-endian CPUs only.
// Like checks/darwin_rib.go, we parse ourselves rather than with
// golang.org/x/net/route, whose darwin parser has failed (and panicked) on
// real kernel messages (golang/go#44740, #70528, #71557, #71578); every read
// here is bounds-checked.

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"

	"github.com/netguard/netguard/checks"
)

const (
	xnuRTMVersion = 5

	xnuRTMAdd     = 0x1
	xnuRTMDelete  = 0x2
	xnuRTMChange  = 0x3
	xnuRTMNewAddr = 0xc
	xnuRTMDelAddr = 0xd
	xnuRTMIfInfo  = 0xe

	xnuRTFReject    = 0x8
	xnuRTFLLInfo    = 0x400
	xnuRTFWasCloned = 0x20000
	xnuRTFLocal     = 0x200000
	xnuRTFBroadcast = 0x400000
	xnuRTFMulticast = 0x800000

	xnuIFFUp      = 0x1
	xnuIFFRunning = 0x40

	xnuAFInet  = 2
	xnuAFInet6 = 30
	xnuAFLink  = 18

	xnuRTAXMax     = 8
	xnuRTAXDst     = 0
	xnuRTAXGateway = 1
	xnuRTAXNetmask = 2
	xnuRTAXIfa     = 5

	// struct rt_msghdr: 36 bytes, then struct rt_metrics (56), whose
	// rmx_expire is at +12.
	xnuSizeofRtMsghdr = 92
	xnuRtmExpireOff   = 48
	// struct ifa_msghdr: msglen, version, type, addrs@4, flags@8,
	// index@12, metric@16.
	xnuSizeofIfaMsghdr = 20
	// struct if_msghdr: addrs@4, flags@8, index@12, if_data@16.
	xnuIfmIndexOff = 12
)

// parseRouteSocket decodes the messages of one read from a routing socket.
// Messages we do not use (RTM_GET answers to any process's lookups,
// RTM_MISS, RTM_LOSING, multicast memberships, per-destination clones) are
// skipped; a framing error ends the buffer.
func parseRouteSocket(b []byte) []Change {
	le := binary.LittleEndian
	var out []Change
	for len(b) >= 4 {
		n := int(le.Uint16(b))
		if n < 4 || n > len(b) {
			break
		}
		m := b[:n]
		b = b[n:]
		if m[2] != xnuRTMVersion {
			continue
		}
		var c Change
		var ok bool
		switch m[3] {
		case xnuRTMAdd, xnuRTMDelete, xnuRTMChange:
			c, ok = xnuRouteMsg(m)
		case xnuRTMNewAddr, xnuRTMDelAddr:
			c, ok = xnuAddrMsg(m)
		case xnuRTMIfInfo:
			c, ok = xnuIfMsg(m)
		}
		if ok {
			out = append(out, c)
		}
	}
	return out
}

// xnuSockaddrs splits the sockaddrs that follow a header by the addrs
// bitmask. Each is padded to 4 bytes, and sa_len 0 still takes 4; the last
// one may miss its padding.
func xnuSockaddrs(addrs uint32, b []byte) (sas [xnuRTAXMax][]byte, ok bool) {
	for i := 0; i < xnuRTAXMax; i++ {
		if addrs&(1<<i) == 0 {
			continue
		}
		if len(b) == 0 {
			return sas, false
		}
		l := int(b[0])
		if l > len(b) {
			return sas, false
		}
		sas[i] = b[:l]
		r := 4
		if l > 0 {
			r = 1 + ((l - 1) | 3)
		}
		b = b[min(r, len(b)):]
	}
	return sas, true
}

// xnuInet reads a sockaddr_in/in6 that may be shorter than the struct, and
// clears the KAME scope XNU embeds in bytes 2-3 of link-local addresses.
func xnuInet(sa []byte) netip.Addr {
	if len(sa) < 2 {
		return netip.Addr{}
	}
	var off, n int
	switch sa[1] {
	case xnuAFInet:
		off, n = 4, 4
	case xnuAFInet6:
		off, n = 8, 16
	default:
		return netip.Addr{}
	}
	var a [16]byte
	if len(sa) > off {
		copy(a[:n], sa[off:min(len(sa), off+n)])
	}
	if n == 4 {
		return netip.AddrFrom4([4]byte(a[:4]))
	}
	ip := netip.AddrFrom16(a)
	if ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() {
		a[2], a[3] = 0, 0
		ip = netip.AddrFrom16(a)
	}
	return ip
}

// xnuMaskBits counts the leading ones of a netmask sockaddr for an address
// of bitLen bits: the mask's own family byte is meaningless on XNU.
func xnuMaskBits(bitLen int, sa []byte) int {
	off := 4
	if bitLen == 128 {
		off = 8
	}
	bits := 0
	for i := 0; i < bitLen/8; i++ {
		var c byte
		if off+i < len(sa) {
			c = sa[off+i]
		}
		for j := 7; j >= 0; j-- {
			if c&(1<<j) == 0 {
				return bits
			}
			bits++
		}
	}
	return bits
}

// xnuLinkAddr returns the interface index and link-layer address of a
// sockaddr_dl (nil address while unresolved).
func xnuLinkAddr(sa []byte) (int, net.HardwareAddr, bool) {
	if len(sa) < 8 || sa[1] != xnuAFLink {
		return 0, nil, false
	}
	nlen, alen := int(sa[5]), int(sa[6])
	if 8+nlen+alen > len(sa) {
		return 0, nil, false
	}
	idx := int(binary.LittleEndian.Uint16(sa[2:]))
	if alen == 0 {
		return idx, nil, true
	}
	return idx, append(net.HardwareAddr(nil), sa[8+nlen:8+nlen+alen]...), true
}

func xnuRouteMsg(m []byte) (Change, bool) {
	if len(m) < xnuSizeofRtMsghdr {
		return Change{}, false
	}
	le := binary.LittleEndian
	typ, idx := m[3], int(le.Uint16(m[4:]))
	flags, addrs := le.Uint32(m[8:]), le.Uint32(m[12:])
	expire := int32(le.Uint32(m[xnuRtmExpireOff:]))
	if flags&(xnuRTFLocal|xnuRTFBroadcast|xnuRTFMulticast) != 0 {
		return Change{}, false
	}
	sas, ok := xnuSockaddrs(addrs, m[xnuSizeofRtMsghdr:])
	if !ok {
		return Change{}, false
	}
	del := typ == xnuRTMDelete
	dst := xnuInet(sas[xnuRTAXDst])
	if flags&xnuRTFLLInfo != 0 {
		// An ARP/NDP entry: XNU keeps the neighbor cache in the routing
		// table, one host route per neighbor with the MAC as gateway.
		lidx, mac, ok := xnuLinkAddr(sas[xnuRTAXGateway])
		if !ok || !dst.IsValid() || dst.IsMulticast() {
			return Change{}, false
		}
		if lidx == 0 {
			lidx = idx
		}
		n := checks.Neighbor{IfIndex: lidx, IP: dst, MAC: mac}
		n.Permanent = dst.Is4() && expire == 0 && len(mac) > 0
		switch {
		case len(mac) == 0 && flags&xnuRTFReject != 0:
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
	if flags&xnuRTFWasCloned != 0 {
		return Change{}, false
	}
	d := fmt.Sprintf("route %s", verb(del))
	if typ == xnuRTMChange {
		d = "route change"
	}
	if dst.IsValid() {
		bits := dst.BitLen()
		if sas[xnuRTAXNetmask] != nil {
			bits = xnuMaskBits(dst.BitLen(), sas[xnuRTAXNetmask])
		}
		d += " " + netip.PrefixFrom(dst, bits).String()
	}
	if gw := xnuInet(sas[xnuRTAXGateway]); gw.IsValid() {
		d += " via " + gw.String()
	}
	return Change{Kind: KindRoute, Deleted: del, IfIndex: idx, Detail: d}, true
}

func xnuAddrMsg(m []byte) (Change, bool) {
	if len(m) < xnuSizeofIfaMsghdr {
		return Change{}, false
	}
	le := binary.LittleEndian
	del := m[3] == xnuRTMDelAddr
	addrs, idx := le.Uint32(m[4:]), int(le.Uint16(m[12:]))
	c := Change{Kind: KindAddr, Deleted: del, IfIndex: idx, Detail: fmt.Sprintf("address %s on %d", verb(del), idx)}
	sas, ok := xnuSockaddrs(addrs, m[xnuSizeofIfaMsghdr:])
	if !ok {
		return c, true
	}
	if a := xnuInet(sas[xnuRTAXIfa]); a.IsValid() {
		bits := a.BitLen()
		if sas[xnuRTAXNetmask] != nil {
			bits = xnuMaskBits(a.BitLen(), sas[xnuRTAXNetmask])
		}
		c.Addr = netip.PrefixFrom(a, bits)
		c.Detail = fmt.Sprintf("address %s %s on %d", verb(del), c.Addr, idx)
	}
	return c, true
}

func xnuIfMsg(m []byte) (Change, bool) {
	if len(m) < xnuIfmIndexOff+2 {
		return Change{}, false
	}
	le := binary.LittleEndian
	flags, idx := le.Uint32(m[8:]), int(le.Uint16(m[xnuIfmIndexOff:]))
	state := "down"
	switch {
	case flags&xnuIFFUp != 0 && flags&xnuIFFRunning != 0:
		state = "up"
	case flags&xnuIFFUp != 0:
		state = "no-carrier"
	}
	return Change{Kind: KindLink, IfIndex: idx, Detail: fmt.Sprintf("link %d %s", idx, state)}, true
}
