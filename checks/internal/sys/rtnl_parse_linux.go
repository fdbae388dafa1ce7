//go:build linux

package sys

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"

	"github.com/netguard/netguard/checks/internal/nlattr"
	"github.com/netguard/netguard/checks/netstate"
	"golang.org/x/sys/unix"
)

// The parsers below turn one rtnetlink message body (the fixed header
// after nlmsghdr, then attributes) into the checks types. They return
// exactly the fields the vishvananda/netlink path returned (the comments
// name its quirks kept on purpose) and never panic on malformed input:
// short bodies and broken attributes are errors.

// errMalformed wraps every parse failure; EINVAL like the library's.
func errMalformed(what string) error {
	return fmt.Errorf("malformed rtnetlink %s: %w", what, unix.EINVAL)
}

func u32(v []byte) (uint32, bool) {
	if len(v) < 4 {
		return 0, false
	}
	return binary.NativeEndian.Uint32(v), true
}

// cString reads a NUL-terminated attribute (the library dropped the last
// byte, which the kernel always sends as NUL).
func cString(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// prefixOf reads a prefix as vishvananda/netlink's net.IPNet{IP: ip, Mask:
// CIDRMask(bits, 8*len(ip))} does, so both clients agree: a length longer
// than the address reads /0 (CIDRMask returns nil), an address of another
// size is invalid.
func prefixOf(ip []byte, bits int) netip.Prefix {
	if bits > 8*len(ip) {
		bits = 0
	}
	a, _ := netip.AddrFromSlice(ip)
	return netip.PrefixFrom(a.Unmap(), bits)
}

func unmapped(b []byte) (netip.Addr, bool) {
	a, ok := netip.AddrFromSlice(b)
	return a.Unmap(), ok
}

// parseLink reads an RTM_NEWLINK body: everything of netstate.Link but Addrs.
func parseLink(b []byte) (netstate.Link, error) {
	if len(b) < unix.SizeofIfInfomsg {
		return netstate.Link{}, errMalformed("link message")
	}
	ne := binary.NativeEndian
	flags := ne.Uint32(b[8:12])
	l := netstate.Link{
		Index:    int(int32(ne.Uint32(b[4:8]))),
		AdminUp:  flags&unix.IFF_UP != 0,
		Carrier:  flags&unix.IFF_LOWER_UP != 0,
		Loopback: flags&unix.IFF_LOOPBACK != 0,
	}
	kind, hasKind := "", false
	err := nlattr.Each(b[unix.SizeofIfInfomsg:], func(typ uint16, v []byte) error {
		switch typ {
		case unix.IFLA_IFNAME:
			l.Name = cString(v)
		case unix.IFLA_MTU:
			if m, ok := u32(v); ok {
				l.MTU = int(m)
			}
		case unix.IFLA_ADDRESS:
			// An all-zero address (loopback) reads as none.
			for _, c := range v {
				if c != 0 {
					l.MAC = net.HardwareAddr(append([]byte(nil), v...))
					break
				}
			}
		case unix.IFLA_LINKINFO:
			return nlattr.Each(v, func(typ uint16, v []byte) error {
				if typ == unix.IFLA_INFO_KIND {
					kind, hasKind = cString(v), true
				}
				return nil
			})
		}
		return nil
	})
	if err != nil {
		return netstate.Link{}, err
	}
	t := linkType(kind, hasKind)
	l.Tunnel = isTunnel(t, flags)
	l.Kind = linuxLinkKind(t, flags)
	return l, nil
}

// linkType names a link the way vishvananda's Link.Type() did, which the
// kind tables below were written against: no IFLA_INFO_KIND is a plain
// "device", the kernel's "tun" is "tuntap", every other kind is its own
// name. (The library also swapped gre/ip6gre, gretap/ip6gretap and
// vti/vti6 by the tunnel's local address; each pair is in the same class
// below, so the swap changed nothing.)
func linkType(kind string, hasKind bool) string {
	switch {
	case !hasKind:
		return "device"
	case kind == "tun":
		return "tuntap"
	}
	return kind
}

// linuxLinkKind maps the link type to a LinkKind. A plain NIC has no kind
// ("device").
func linuxLinkKind(t string, flags uint32) netstate.LinkKind {
	switch {
	case flags&unix.IFF_LOOPBACK != 0:
		return netstate.LinkLoopback
	case isTunnel(t, flags):
		return netstate.LinkTunnel
	}
	switch t {
	case "bridge", "openvswitch":
		return netstate.LinkBridge
	case "veth", "netkit":
		return netstate.LinkVeth
	case "vxlan", "geneve", "gretap", "ip6gretap", "bareudp":
		return netstate.LinkTunnel
	case "device", "bond", "team", "vlan", "macsec":
		return netstate.LinkPhysical
	}
	return netstate.LinkVirtual
}

func isTunnel(t string, flags uint32) bool {
	switch t {
	case "tuntap", "wireguard", "ipip", "gre", "ip6tnl", "sit", "vti", "vti6", "ppp", "ip6gre", "xfrm":
		return true
	}
	return flags&unix.IFF_POINTOPOINT != 0
}

// parseAddr reads an RTM_NEWADDR body; ok is false for a message without
// a usable address. As the library did: IFA_LOCAL is the address (whole,
// /32 or /128) when it differs from IFA_ADDRESS (a point-to-point peer),
// otherwise IFA_ADDRESS with the message's prefix length.
func parseAddr(b []byte) (ifIndex int, p netip.Prefix, ok bool, err error) {
	if len(b) < unix.SizeofIfAddrmsg {
		return 0, netip.Prefix{}, false, errMalformed("address message")
	}
	fam, plen := b[0], int(b[1])
	ifIndex = int(int32(binary.NativeEndian.Uint32(b[4:8])))
	var local, addr []byte
	err = nlattr.Each(b[unix.SizeofIfAddrmsg:], func(typ uint16, v []byte) error {
		switch typ {
		case unix.IFA_ADDRESS:
			addr = v
		case unix.IFA_LOCAL:
			local = v
		}
		return nil
	})
	if err != nil {
		return 0, netip.Prefix{}, false, err
	}
	ip, bits := addr, plen
	if local != nil && (fam != unix.AF_INET || addr == nil || !net.IP(local).Equal(addr)) {
		ip, bits = local, 8*len(local)
	}
	if ip == nil {
		return ifIndex, netip.Prefix{}, false, nil
	}
	if _, valid := netip.AddrFromSlice(ip); !valid {
		return ifIndex, netip.Prefix{}, false, nil
	}
	return ifIndex, prefixOf(ip, bits), true, nil
}

// addrDADFailed reports whether an RTM_NEWADDR body carries
// IFA_F_DADFAILED: duplicate address detection found the address in use by
// another host. The flag is in ifa_flags and, since Linux 3.14, in the
// 32-bit IFA_FLAGS attribute, which wins when present.
func addrDADFailed(b []byte) bool {
	if len(b) < unix.SizeofIfAddrmsg {
		return false
	}
	flags := uint32(b[2])
	_ = nlattr.Each(b[unix.SizeofIfAddrmsg:], func(typ uint16, v []byte) error {
		if typ == unix.IFA_FLAGS {
			if f, ok := u32(v); ok {
				flags = f
			}
		}
		return nil
	})
	return flags&unix.IFA_F_DADFAILED != 0
}

// parseRoute reads an RTM_NEWROUTE body into one Route per next hop. keep
// is false for what Routes leaves out: other families, cloned entries
// (the kernel's per-destination cache), the local table and the types
// checks ignore. forLookup keeps them all (RouteTo's answer: an unknown
// type reads unicast).
func parseRoute(b []byte, forLookup bool) (out []netstate.Route, keep bool, err error) {
	if len(b) < unix.SizeofRtMsg {
		return nil, false, errMalformed("route message")
	}
	ne := binary.NativeEndian
	fam, dstLen, table, rtype := b[0], int(b[1]), int(b[4]), int(b[7])
	flags := ne.Uint32(b[8:12])
	if !forLookup && (fam != unix.AF_INET && fam != unix.AF_INET6 || flags&unix.RTM_F_CLONED != 0) {
		return nil, false, nil
	}
	var dst, gw, src []byte
	oif, metric := 0, 0
	var hops []netstate.Route // IfIndex and Gateway of each next hop
	err = nlattr.Each(b[unix.SizeofRtMsg:], func(typ uint16, v []byte) error {
		switch typ {
		case unix.RTA_DST:
			dst = v
		case unix.RTA_GATEWAY:
			gw = v
		case unix.RTA_PREFSRC:
			src = v
		case unix.RTA_OIF:
			if x, ok := u32(v); ok {
				oif = int(x)
			}
		case unix.RTA_PRIORITY:
			if x, ok := u32(v); ok {
				metric = int(x)
			}
		case unix.RTA_TABLE:
			if x, ok := u32(v); ok {
				table = int(x)
			}
		case unix.RTA_MULTIPATH:
			var err error
			hops, err = parseNextHops(v)
			return err
		}
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	t, ok := RouteTypeFromRTN(rtype)
	if !forLookup && (!ok || table == unix.RT_TABLE_LOCAL) {
		return nil, false, nil
	}
	if !ok {
		t = netstate.RouteUnicast
	}
	base := netstate.Route{Type: t, Metric: metric, Table: table}
	switch {
	case dst != nil:
		base.Dst = prefixOf(dst, dstLen)
	case fam == unix.AF_INET6:
		base.Dst = netip.PrefixFrom(netip.IPv6Unspecified(), 0)
	default:
		base.Dst = netip.PrefixFrom(netip.IPv4Unspecified(), 0)
	}
	if a, ok := unmapped(src); ok {
		base.Src = a
	}
	if len(hops) == 0 {
		base.IfIndex = oif
		if a, ok := unmapped(gw); ok {
			base.Gateway = a
		}
		return []netstate.Route{base}, true, nil
	}
	out = make([]netstate.Route, 0, len(hops))
	for _, h := range hops {
		x := base
		x.IfIndex, x.Gateway = h.IfIndex, h.Gateway
		out = append(out, x)
	}
	return out, true, nil
}

// parseNextHops reads RTA_MULTIPATH: a run of struct rtnexthop (length,
// flags, hops, ifindex), each followed by its own attributes.
func parseNextHops(b []byte) ([]netstate.Route, error) {
	const sizeofRtNexthop = 8
	var out []netstate.Route
	for len(b) > 0 {
		if len(b) < sizeofRtNexthop {
			return nil, errMalformed("next hop")
		}
		l := int(binary.NativeEndian.Uint16(b[0:2]))
		if l < sizeofRtNexthop || l > len(b) {
			return nil, errMalformed("next hop")
		}
		h := netstate.Route{IfIndex: int(int32(binary.NativeEndian.Uint32(b[4:8])))}
		err := nlattr.Each(b[sizeofRtNexthop:l], func(typ uint16, v []byte) error {
			if typ == unix.RTA_GATEWAY {
				if a, ok := unmapped(v); ok {
					h.Gateway = a
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		out = append(out, h)
		b = b[l:]
	}
	return out, nil
}

// neighMsg is one parsed RTM_NEWNEIGH; lladdr16 marks a 16-byte link-layer
// address, which is an IPv6 tunnel endpoint rather than a MAC when the
// link is an ip6tnl (ARPHRD_TUNNEL6): Neighbors asks the link's type then.
type neighMsg struct {
	n        netstate.Neighbor
	lladdr16 []byte
}

// parseNeigh reads an RTM_NEWNEIGH body; ok is false for an entry without
// an IP address (bridge forwarding entries, proxies).
func parseNeigh(b []byte) (m neighMsg, ok bool, err error) {
	if len(b) < unix.SizeofNdMsg {
		return neighMsg{}, false, errMalformed("neighbor message")
	}
	ne := binary.NativeEndian
	fam := b[0]
	state, flags := ne.Uint16(b[8:10]), b[10]
	m.n = netstate.Neighbor{
		IfIndex:   int(int32(ne.Uint32(b[4:8]))),
		State:     NeighStateFromNUD(int(state)),
		Permanent: state&unix.NUD_PERMANENT != 0,
		Router:    flags&unix.NTF_ROUTER != 0,
	}
	var ip []byte
	err = nlattr.Each(b[unix.SizeofNdMsg:], func(typ uint16, v []byte) error {
		switch typ {
		case unix.NDA_DST:
			ip = v
		case unix.NDA_LLADDR:
			switch len(v) {
			case 4: // an IPv4 tunnel's endpoint, not a MAC
			case 16:
				m.lladdr16 = append([]byte(nil), v...)
				m.n.MAC = net.HardwareAddr(m.lladdr16)
			default:
				// Non-nil even when empty (NOARP devices send a
				// zero-length address), as the library returned it.
				m.n.MAC = net.HardwareAddr(append(make([]byte, 0, len(v)), v...))
			}
		}
		return nil
	})
	if err != nil {
		return neighMsg{}, false, err
	}
	if fam != unix.AF_INET && fam != unix.AF_INET6 {
		return neighMsg{}, false, nil
	}
	a, valid := unmapped(ip)
	if !valid {
		return neighMsg{}, false, nil
	}
	m.n.IP = a
	return m, true, nil
}
