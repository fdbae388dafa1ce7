package checks

// The byte-level half of the macOS OS layer: routing messages (the sysctl
// NET_RT_DUMP / NET_RT_FLAGS dumps and routing-socket RTM_GET replies) and
// the net.inet.{tcp,udp}.pcblist_n socket lists, parsed into netguard's
// types. Pure functions over []byte without a build tag, so they are unit
// tested and fuzzed on Linux CI (darwin_rib_test.go, darwin_rib_fuzz_test.go);
// system_darwin.go only fetches the bytes.
//
// Layouts are xnu-11417 (macOS 15) headers: bsd/net/route.h, bsd/net/if_dl.h,
// bsd/netinet/in_pcb.h, bsd/sys/socketvar.h, bsd/netinet/tcp_var.h. macOS
// runs only on little-endian 64-bit CPUs (arm64, amd64), so host-order fields
// are read as little endian; ports and addresses are network order.
//
// We parse ourselves instead of using golang.org/x/net/route because its
// darwin parser has a history of failing on real kernel messages:
//   - a netmask's sa_family is meaningless on XNU (rtm_scrub trims the mask
//     and leaves family 0 or garbage); the family is the destination's
//     (golang/go#71578, x/net PR 232);
//   - masks and zero addresses come with sa_len 0, which still occupies 4
//     bytes (ROUNDUP32(0) == 4), and truncated lengths (a /16 mask is
//     "06 02 00 00 ff ff") (golang/go#44740, x/net PR 220);
//   - out-of-range slicing on such messages panicked (golang/go#70528,
//     #71557); every read here is bounds-checked and fuzzed;
//   - a message's last sockaddr may miss its alignment padding
//     (golang/go#44740): accepted here;
//   - link-local IPv6 addresses carry the KAME embedded interface index in
//     bytes 2-3 of the address: cleared here, used as the scope.
// We also need what it does not expose: rmx_expire (static vs dynamic ARP
// entries) and rtm_pid/rtm_seq/rtm_errno to match our RTM_GET reply.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"
)

// XNU constants. golang.org/x/sys/unix defines them only when GOOS=darwin,
// and this file must build everywhere.
const (
	darwinAFInet  = 2
	darwinAFInet6 = 30
	darwinAFLink  = 18

	darwinRTMVersion = 5
	darwinRTMDelete  = 0x2
	darwinRTMGet     = 0x4
	darwinRTMGet2    = 0x14 // NET_RT_DUMP2: rt_msghdr2, same size and offsets we read

	// rtm_addrs bits, in the order the sockaddrs follow the header.
	darwinRTADst     = 0x1
	darwinRTAGateway = 0x2
	darwinRTANetmask = 0x4
	darwinRTAIfp     = 0x10
	darwinRTAIfa     = 0x20
	darwinRTAXMax    = 8

	darwinRTFUp        = 0x1
	darwinRTFGateway   = 0x2
	darwinRTFHost      = 0x4
	darwinRTFReject    = 0x8
	darwinRTFLLInfo    = 0x400
	darwinRTFBlackhole = 0x1000
	darwinRTFWasCloned = 0x20000
	darwinRTFLocal     = 0x200000
	darwinRTFBroadcast = 0x400000
	darwinRTFMulticast = 0x800000
	darwinRTFIfScope   = 0x1000000
	darwinRTFRouter    = 0x10000000

	// struct rt_msghdr (and rt_msghdr2): 36 bytes of header, then struct
	// rt_metrics (56 bytes) whose rmx_expire is at +12.
	//   0 u16 msglen  2 u8 version  3 u8 type  4 u16 index  8 i32 flags
	//  12 i32 addrs  16 i32 pid  20 i32 seq  24 i32 errno  28 i32 use
	//  32 u32 inits  36 rt_metrics{locks, mtu, hopcount, expire, ...}
	darwinSizeofRtMsghdr = 92
	darwinRtmExpireOff   = 48

	// sockaddr sizes and address offsets.
	darwinSizeofSockaddrIn  = 16 // len fam port[2] addr[4] zero[8]
	darwinSizeofSockaddrIn6 = 28 // len fam port[2] flow[4] addr[16] scope[4]
	darwinSizeofSockaddrDl  = 20 // len fam index[2] type nlen alen slen data[12]
)

// darwinRtMsg is one routing message, decoded. Only the sockaddrs netguard
// needs are kept.
type darwinRtMsg struct {
	Type     uint8
	Index    int // rtm_index: the route's interface
	Flags    uint32
	Pid, Seq int32 // zero for RTM_GET2
	Errno    int32
	Expire   int32 // rmx_expire: 0 = never (static), else calendar seconds

	Dst, Gateway, Ifa netip.Addr // invalid when absent or not inet
	// DstScope is the KAME scope embedded in a link-local Dst.
	DstScope int
	MaskBits int          // -1: no netmask (a host route)
	GwLink   *darwinLLink // the gateway when it is AF_LINK (on-link, ARP/NDP)
	Ifp      *darwinLLink // RTA_IFP: the interface, with its name
}

// darwinLLink is a sockaddr_dl.
type darwinLLink struct {
	Index int
	Name  string
	Addr  net.HardwareAddr // nil when sdl_alen == 0 (unresolved)
}

var errDarwinShort = errors.New("truncated routing message")

// darwinRoundup is XNU's ROUNDUP32: sockaddrs in routing messages are
// padded to 4 bytes on every architecture, and sa_len 0 still takes 4.
func darwinRoundup(n int) int {
	if n == 0 {
		return 4
	}
	return 1 + ((n - 1) | 3)
}

// darwinParseRtMsgs decodes every route message in b. Messages of other
// kinds (interface and address announcements on a routing socket) are
// skipped by their length. A framing error (a length that does not fit, a
// version other than 5) or a sockaddr overrunning its message is an error:
// the rest of the buffer cannot be trusted.
func darwinParseRtMsgs(b []byte) ([]darwinRtMsg, error) {
	var out []darwinRtMsg
	for off := 0; off < len(b); {
		if len(b)-off < 4 {
			return out, fmt.Errorf("message at %d: %w", off, errDarwinShort)
		}
		n := int(binary.LittleEndian.Uint16(b[off:]))
		if n < 4 || n > len(b)-off {
			return out, fmt.Errorf("message at %d: length %d of %d: %w", off, n, len(b)-off, errDarwinShort)
		}
		m := b[off : off+n]
		off += n
		if m[2] != darwinRTMVersion {
			return out, fmt.Errorf("message at %d: version %d, want %d", off-n, m[2], darwinRTMVersion)
		}
		switch t := m[3]; {
		case t >= 0x1 && t <= 0xb, t == darwinRTMGet2: // rt_msghdr layouts
		default:
			continue
		}
		rm, err := darwinParseRtMsg(m)
		if err != nil {
			return out, fmt.Errorf("message at %d: %w", off-n, err)
		}
		out = append(out, rm)
	}
	return out, nil
}

func darwinParseRtMsg(m []byte) (darwinRtMsg, error) {
	le := binary.LittleEndian
	if len(m) < darwinSizeofRtMsghdr {
		return darwinRtMsg{}, fmt.Errorf("%d-byte header: %w", len(m), errDarwinShort)
	}
	rm := darwinRtMsg{
		Type:     m[3],
		Index:    int(le.Uint16(m[4:])),
		Flags:    le.Uint32(m[8:]),
		Expire:   int32(le.Uint32(m[darwinRtmExpireOff:])),
		MaskBits: -1,
	}
	if rm.Type != darwinRTMGet2 { // rt_msghdr2 has refcnt/parentflags here
		rm.Pid, rm.Seq, rm.Errno = int32(le.Uint32(m[16:])), int32(le.Uint32(m[20:])), int32(le.Uint32(m[24:]))
	}
	addrs := le.Uint32(m[12:])
	b := m[darwinSizeofRtMsghdr:]
	var sas [darwinRTAXMax][]byte
	for i := 0; i < darwinRTAXMax; i++ {
		if addrs&(1<<i) == 0 {
			continue
		}
		if len(b) == 0 {
			return rm, fmt.Errorf("sockaddr %d missing: %w", i, errDarwinShort)
		}
		l := int(b[0])
		if l > len(b) {
			return rm, fmt.Errorf("sockaddr %d: length %d of %d: %w", i, l, len(b), errDarwinShort)
		}
		sas[i] = b[:l]
		// The last sockaddr may lack its padding (golang/go#44740).
		b = b[min(darwinRoundup(l), len(b)):]
	}

	fam := 0
	if sa := sas[0]; len(sa) >= 2 {
		fam = int(sa[1])
		rm.Dst, rm.DstScope = darwinInetAddr(fam, sa)
	}
	if sa := sas[1]; len(sa) >= 2 {
		switch sa[1] {
		case darwinAFInet, darwinAFInet6:
			rm.Gateway, _ = darwinInetAddr(int(sa[1]), sa)
		case darwinAFLink:
			l, err := darwinParseLink(sa)
			if err != nil {
				return rm, fmt.Errorf("gateway: %w", err)
			}
			rm.GwLink = l
		}
	}
	if sas[2] != nil { // sa_len 0 is a /0 mask, not an absent one
		rm.MaskBits = darwinMaskBits(fam, sas[2])
	}
	if sa := sas[4]; len(sa) >= 2 && sa[1] == darwinAFLink {
		l, err := darwinParseLink(sa)
		if err != nil {
			return rm, fmt.Errorf("ifp: %w", err)
		}
		rm.Ifp = l
	}
	if sa := sas[5]; len(sa) >= 2 {
		rm.Ifa, _ = darwinInetAddr(int(sa[1]), sa)
	}
	return rm, nil
}

// darwinInetAddr reads the address of a sockaddr_in/in6 that may be
// shorter than the struct (bytes past sa_len are zero). It strips the KAME
// embedded scope of link-local addresses and returns it.
func darwinInetAddr(fam int, sa []byte) (netip.Addr, int) {
	var off, n int
	switch fam {
	case darwinAFInet:
		off, n = 4, 4
	case darwinAFInet6:
		off, n = 8, 16
	default:
		return netip.Addr{}, 0
	}
	var a [16]byte
	if len(sa) > off {
		copy(a[:n], sa[off:min(len(sa), off+n)])
	}
	if fam == darwinAFInet {
		return netip.AddrFrom4([4]byte(a[:4])), 0
	}
	scope := 0
	ip := netip.AddrFrom16(a)
	if ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() {
		scope = int(binary.BigEndian.Uint16(a[2:4]))
		a[2], a[3] = 0, 0
		ip = netip.AddrFrom16(a)
	}
	if scope == 0 && len(sa) >= darwinSizeofSockaddrIn6 {
		scope = int(binary.LittleEndian.Uint32(sa[24:28])) // sin6_scope_id
	}
	return ip, scope
}

// darwinMaskBits counts the prefix length of a netmask sockaddr. Its family
// byte is ignored (see the file comment): fam is the destination's. A mask
// of sa_len 0 is /0; non-contiguous masks (never produced for IP routes)
// count their leading ones.
func darwinMaskBits(fam int, sa []byte) int {
	var off, n int
	switch fam {
	case darwinAFInet:
		off, n = 4, 4
	case darwinAFInet6:
		off, n = 8, 16
	default:
		return -1
	}
	bits := 0
	for i := 0; i < n; i++ {
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

// darwinParseLink decodes a sockaddr_dl: name and link-layer address follow
// each other in sdl_data. sdl_len may be shorter than the 20-byte struct.
func darwinParseLink(sa []byte) (*darwinLLink, error) {
	if len(sa) < 8 {
		return nil, fmt.Errorf("sockaddr_dl of %d bytes: %w", len(sa), errDarwinShort)
	}
	nlen, alen := int(sa[5]), int(sa[6])
	if 8+nlen+alen > len(sa) {
		return nil, fmt.Errorf("sockaddr_dl name %d + address %d > %d: %w", nlen, alen, len(sa)-8, errDarwinShort)
	}
	l := &darwinLLink{Index: int(binary.LittleEndian.Uint16(sa[2:])), Name: string(sa[8 : 8+nlen])}
	if alen > 0 {
		l.Addr = append(net.HardwareAddr(nil), sa[8+nlen:8+nlen+alen]...)
	}
	return l, nil
}

// darwinRoute turns a route message into a Route. Unless all is set (an
// RTM_GET reply: whatever entry the kernel matched is its answer, an ARP
// entry for an on-link destination included), ok is false for what Routes
// leaves out: ARP/NDP entries (RTF_LLINFO), local, broadcast and multicast
// entries, clones (RTF_WASCLONED: per-destination cache entries copied from
// a parent that is itself in the table), and routes not up.
func darwinRoute(m darwinRtMsg, all bool) (Route, bool) {
	const skip = darwinRTFLLInfo | darwinRTFWasCloned | darwinRTFLocal | darwinRTFBroadcast | darwinRTFMulticast
	if !m.Dst.IsValid() || !all && (m.Flags&skip != 0 || m.Flags&darwinRTFUp == 0) {
		return Route{}, false
	}
	bits := m.MaskBits
	if bits < 0 || bits > m.Dst.BitLen() {
		bits = m.Dst.BitLen() // no mask: a host route
	}
	r := Route{
		Dst:     netip.PrefixFrom(m.Dst, bits).Masked(),
		Gateway: m.Gateway,
		IfIndex: m.Index,
		Src:     m.Ifa,
		Scoped:  m.Flags&darwinRTFIfScope != 0,
	}
	if m.Flags&darwinRTFGateway == 0 {
		// On-link routes name the interface (sockaddr_dl) or one of our
		// own addresses as "gateway": there is no next hop.
		r.Gateway = netip.Addr{}
	}
	if r.IfIndex == 0 && m.GwLink != nil {
		r.IfIndex = m.GwLink.Index
	}
	if m.Ifp != nil {
		r.IfName = m.Ifp.Name
	}
	switch {
	case m.Flags&darwinRTFBlackhole != 0:
		r.Type = RouteBlackhole
	case m.Flags&darwinRTFReject != 0:
		r.Type = RouteUnreachable
	}
	return r, true
}

// darwinParseRoutes decodes a NET_RT_DUMP buffer. Unscoped routes come
// first: macOS has no route metric, and among several default routes (one
// per service, the non-primary ones RTF_IFSCOPE) the unscoped one is the
// one unbound sockets use. The engine takes the first of equal metrics.
func darwinParseRoutes(b []byte) ([]Route, error) {
	msgs, err := darwinParseRtMsgs(b)
	if err != nil {
		return nil, err
	}
	var scoped, rs []Route
	for _, m := range msgs {
		r, ok := darwinRoute(m, false)
		switch {
		case !ok:
		case r.Scoped:
			scoped = append(scoped, r)
		default:
			rs = append(rs, r)
		}
	}
	return append(rs, scoped...), nil
}

// darwinNeighbor turns an RTF_LLINFO host entry into a Neighbor. ok is false
// for entries that are not neighbors: our own addresses (RTF_LOCAL),
// broadcast and multicast mappings, anything with a gateway.
//
// ARP entries (XNU bsd/netinet/in_arp.c) have no state beyond this: a
// link-layer address or not; RTF_REJECT once arp_maxtries requests went
// unanswered (the "failed" state); rmx_expire 0 for static entries (arp -s),
// else the calendar second the entry expires (arp -a prints "expired" after
// it: it is idle and re-confirmed on next use, Linux's STALE).
//
// NDP entries keep their state and lifetime in llinfo_nd6, not in the
// route: their rmx_expire is always 0. So IPv6 entries are never marked
// Permanent here; system_darwin.go asks SIOCGNBRINFO_IN6 for the real state
// (darwinApplyND6).
func darwinNeighbor(m darwinRtMsg, now time.Time) (Neighbor, bool) {
	if m.Flags&darwinRTFLLInfo == 0 || m.Flags&(darwinRTFGateway|darwinRTFLocal|darwinRTFBroadcast|darwinRTFMulticast) != 0 ||
		m.GwLink == nil || !m.Dst.IsValid() || m.Dst.IsMulticast() || m.Dst.IsUnspecified() {
		return Neighbor{}, false
	}
	n := Neighbor{
		IfIndex: m.GwLink.Index,
		IfName:  m.GwLink.Name,
		IP:      m.Dst,
		MAC:     m.GwLink.Addr,
		Router:  m.Flags&darwinRTFRouter != 0,
	}
	if n.IfIndex == 0 {
		n.IfIndex = m.Index
	}
	if n.IfIndex == 0 {
		n.IfIndex = m.DstScope
	}
	v4 := m.Dst.Is4()
	n.Permanent = v4 && m.Expire == 0
	switch {
	case len(n.MAC) == 0 && m.Flags&darwinRTFReject != 0:
		n.State = NeighFailed
	case len(n.MAC) == 0:
		n.State = NeighIncomplete
	case n.Permanent:
		n.State = NeighPermanent
	case v4 && int64(m.Expire) <= now.Unix():
		n.State = NeighStale
	default:
		n.State = NeighReachable
	}
	return n, true
}

// darwinParseNeighbors decodes a NET_RT_FLAGS/RTF_LLINFO buffer (ARP or
// NDP). Every interface-scoped copy is kept: macOS holds one entry per
// interface scope for the same IP, and each must be seen (and deleted) on
// its own.
func darwinParseNeighbors(b []byte, now time.Time) ([]Neighbor, error) {
	msgs, err := darwinParseRtMsgs(b)
	if err != nil {
		return nil, err
	}
	var ns []Neighbor
	for _, m := range msgs {
		if n, ok := darwinNeighbor(m, now); ok {
			ns = append(ns, n)
		}
	}
	return ns, nil
}

// XNU nd6.h ND6_LLINFO_* states, as SIOCGNBRINFO_IN6 reports them.
const (
	darwinND6Purge      = -3
	darwinND6NoState    = -2
	darwinND6Incomplete = 0
	darwinND6Reachable  = 1
	darwinND6Stale      = 2
	darwinND6Delay      = 3
	darwinND6Probe      = 4
)

// darwinApplyND6 refines an NDP entry with the kernel's neighbor info
// (struct in6_nbrinfo: state, isrouter, expire). Permanent follows XNU's
// ND6_LLINFO_PERMANENT: no expiry and past INCOMPLETE. An entry without a
// link-layer address keeps its incomplete/failed state whatever the info.
func darwinApplyND6(n *Neighbor, state, isRouter, expire int32) {
	n.Router = n.Router || isRouter != 0
	if len(n.MAC) == 0 {
		return
	}
	if expire == 0 && state > darwinND6Incomplete {
		n.Permanent, n.State = true, NeighPermanent
		return
	}
	switch state {
	case darwinND6Reachable:
		n.State = NeighReachable
	case darwinND6Stale:
		n.State = NeighStale
	case darwinND6Delay:
		n.State = NeighDelay
	case darwinND6Probe:
		n.State = NeighProbe
	case darwinND6Purge:
		n.State = NeighFailed
	case darwinND6NoState:
		n.State = NeighUnknown
	}
}

// darwinBuildRtMsg builds a request for a routing socket: an rt_msghdr,
// the destination and, for RTM_GET, an empty sockaddr_dl asking the kernel
// to name the interface (RTA_IFP; it then also returns the source address,
// RTA_IFA). scoped sets RTF_IFSCOPE with rtm_index = ifIndex, the only way
// to reach one of several per-interface copies of an entry. A link-local
// IPv6 destination carries ifIndex the KAME way (embedded in bytes 2-3,
// sin6_scope_id 0), scoped or not, as ndp(8) sends it: every XNU accepts it
// (newer ones move it to sin6_scope_id themselves in route_output).
func darwinBuildRtMsg(typ uint8, flags uint32, ifIndex int, scoped bool, seq int32, dst netip.Addr) []byte {
	le := binary.LittleEndian
	b := make([]byte, darwinSizeofRtMsghdr, darwinSizeofRtMsghdr+darwinSizeofSockaddrIn6+darwinSizeofSockaddrDl)
	addrs := uint32(darwinRTADst)
	if scoped && ifIndex > 0 {
		flags |= darwinRTFIfScope
		le.PutUint16(b[4:], uint16(ifIndex))
	}
	dst = dst.WithZone("")
	if dst.Is4() {
		a := dst.As4()
		sa := make([]byte, darwinSizeofSockaddrIn)
		sa[0], sa[1] = darwinSizeofSockaddrIn, darwinAFInet
		copy(sa[4:], a[:])
		b = append(b, sa...)
	} else {
		a := dst.As16()
		if ifIndex > 0 && (dst.IsLinkLocalUnicast() || dst.IsLinkLocalMulticast()) {
			binary.BigEndian.PutUint16(a[2:], uint16(ifIndex))
		}
		sa := make([]byte, darwinSizeofSockaddrIn6)
		sa[0], sa[1] = darwinSizeofSockaddrIn6, darwinAFInet6
		copy(sa[8:], a[:])
		b = append(b, sa...)
	}
	if typ == darwinRTMGet {
		addrs |= darwinRTAIfp
		sa := make([]byte, darwinSizeofSockaddrDl)
		sa[0], sa[1] = darwinSizeofSockaddrDl, darwinAFLink
		b = append(b, sa...)
	}
	le.PutUint16(b[0:], uint16(len(b)))
	b[2], b[3] = darwinRTMVersion, typ
	le.PutUint32(b[8:], flags)
	le.PutUint32(b[12:], addrs)
	le.PutUint32(b[20:], uint32(seq))
	return b
}

// pcblist_n (XNU bsd/netinet/in_pcblist.c get_pcblist_n): a struct xinpgen,
// then per socket a run of items, each starting {u32 len; u32 kind} and
// padded to 8 bytes (ROUNDUP64): xinpcb_n, xsocket_n, two xsockbuf_n,
// xsockstat_n and, for TCP, xtcpcb_n; then a closing xinpgen. The structs
// are #pragma pack(4). Offsets we read:
//
//	xinpgen   (24): 0 u32 len, 4 u32 count, 8 u64 gen, 16 u64 sogen
//	xinpcb_n (104): 18 u16 lport (network order), 28 u64 gencnt
//	xsocket_n(104): 36 i32 protocol, 40 i32 family, 68 pid last_pid,
//	                72 pid e_pid
//	xtcpcb_n      : 36 i32 t_state
//
// Items are found by kind, not by position, the way netstat(1) walks them,
// so a grown struct (a longer len) does not shift what we read.
const (
	darwinXSOSocket = 0x001
	darwinXSOInpcb  = 0x010
	darwinXSOTcpcb  = 0x020
	darwinXSOAllInp = 0x01f // socket, rcvbuf, sndbuf, stats, inpcb
	darwinXSOAllTCP = 0x03f // plus tcpcb

	darwinSizeofXinpgen = 24
	darwinTCPSListen    = 1
	darwinTCPSTimeWait  = 10
	darwinTCPNStates    = 11
)

// darwinPcbStats is what one pcblist_n says.
type darwinPcbStats struct {
	Sockets        int
	EphemeralInUse int         // sockets (not listening) bound to a port in [lo, hi]
	TimeWait       int         // TCP only
	ByPID          map[int]int // sockets per owning process (e_pid, else last_pid)
}

// darwinParsePcblist decodes net.inet.{tcp,udp}.pcblist_n for proto (6 or
// 17). Records of another protocol are skipped, as netstat does, and PCBs
// freed during the copy (gencnt newer than the list's) are ignored. If no
// record at all carries the expected protocol, the layout is not the one we
// know and that is an error rather than a silent zero.
func darwinParsePcblist(b []byte, proto, lo, hi int) (darwinPcbStats, error) {
	le := binary.LittleEndian
	st := darwinPcbStats{ByPID: map[int]int{}}
	if len(b) < darwinSizeofXinpgen {
		return st, fmt.Errorf("pcblist of %d bytes: %w", len(b), errDarwinShort)
	}
	gen := le.Uint64(b[8:])
	want := darwinXSOAllInp
	if proto == 6 {
		want = darwinXSOAllTCP
	}
	var inp, so, tp []byte
	which, records, matched := 0, 0, 0
	for off := darwinRoundup64(int(le.Uint32(b))); off < len(b); {
		if len(b)-off < 8 {
			return st, fmt.Errorf("pcblist item at %d: %w", off, errDarwinShort)
		}
		n, kind := int(le.Uint32(b[off:])), int(le.Uint32(b[off+4:]))
		if n <= darwinSizeofXinpgen { // the closing xinpgen
			break
		}
		if n > len(b)-off {
			return st, fmt.Errorf("pcblist item at %d: length %d of %d: %w", off, n, len(b)-off, errDarwinShort)
		}
		item := b[off : off+n]
		off += darwinRoundup64(n)
		if which&kind != 0 {
			continue // a kind twice in one record: ignore, as netstat does
		}
		which |= kind
		switch kind {
		case darwinXSOInpcb:
			inp = item
		case darwinXSOSocket:
			so = item
		case darwinXSOTcpcb:
			tp = item
		}
		if which&want != want {
			continue
		}
		which = 0
		records++
		if len(inp) < 36 || len(so) < 76 || (proto == 6 && len(tp) < 40) {
			return st, fmt.Errorf("pcblist record %d: items shorter than xnu's: %w", records, errDarwinShort)
		}
		if int(int32(le.Uint32(so[36:]))) != proto || le.Uint64(inp[28:]) > gen {
			continue
		}
		matched++
		st.Sockets++
		port := int(binary.BigEndian.Uint16(inp[18:]))
		listen := false
		if proto == 6 {
			state := int32(le.Uint32(tp[36:]))
			if state < 0 || state >= darwinTCPNStates {
				return st, fmt.Errorf("pcblist record %d: TCP state %d out of range", records, state)
			}
			listen = state == darwinTCPSListen
			if state == darwinTCPSTimeWait {
				st.TimeWait++
			}
		}
		if !listen && port != 0 && lo > 0 && port >= lo && port <= hi {
			st.EphemeralInUse++
		}
		pid := int(int32(le.Uint32(so[72:]))) // e_pid: the app a daemon acts for
		if pid <= 0 {
			pid = int(int32(le.Uint32(so[68:])))
		}
		if pid > 0 {
			st.ByPID[pid]++
		}
	}
	if records > 0 && matched == 0 {
		return st, fmt.Errorf("pcblist: none of %d records is protocol %d: layout not recognised", records, proto)
	}
	return st, nil
}

func darwinRoundup64(n int) int {
	if n <= 0 {
		return 8
	}
	return 1 + ((n - 1) | 7)
}
