package sys

// The byte-level half of the macOS OS layer: routing messages (the sysctl
// NET_RT_DUMP / NET_RT_FLAGS dumps and routing-socket RTM_GET replies) and
// the net.inet.{tcp,udp}.pcblist_n socket lists, parsed into netguard's
// types. Pure functions over []byte without a build tag, so they are unit
// tested and fuzzed on Linux CI (darwin_rib_test.go, darwin_rib_fuzz_test.go);
// system_darwin.go only fetches the bytes.
//
// Routing messages are decoded by checks/internal/xnu (headers, sockaddrs,
// addresses, masks, link-layer sockaddrs; shared with checks/watch); this
// file maps them to Routes and Neighbors. The package comment of xnu says
// why golang.org/x/net/route is not used: its darwin parser still rejects
// the unpadded notifications rt_msg1 writes and reads rtm_errno from the
// wrong offset. We also need what it does not expose: rmx_expire (static
// vs dynamic ARP entries) and rtm_pid/rtm_seq/rtm_errno to match our
// RTM_GET reply.
//
// pcblist layouts are xnu-11417 (macOS 15) headers: bsd/netinet/in_pcb.h,
// bsd/sys/socketvar.h, bsd/netinet/tcp_var.h. macOS runs only on
// little-endian 64-bit CPUs (arm64, amd64), so host-order fields are read
// as little endian; ports and addresses are network order.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"syscall"
	"time"

	"github.com/netguard/netguard/checks/internal/xnu"
	"github.com/netguard/netguard/checks/netstate"
)

// darwinRtMsg is one routing message, decoded. Only the sockaddrs netguard
// needs are kept.
type darwinRtMsg struct {
	xnu.RtMsghdr

	Dst, Gateway, Ifa netip.Addr // invalid when absent or not inet
	// DstScope is the KAME scope embedded in a link-local Dst.
	DstScope int
	MaskBits int       // -1: no netmask (a host route)
	GwLink   *xnu.Link // the gateway when it is AF_LINK (on-link, ARP/NDP)
	Ifp      *xnu.Link // RTA_IFP: the interface, with its name
}

// darwinParseRtMsgs decodes every route message in b. Messages of other
// kinds (interface and address announcements on a routing socket) are
// skipped by their length. A framing error (a length that does not fit, a
// version other than 5) or a sockaddr overrunning its message is an error:
// the rest of the buffer cannot be trusted.
func darwinParseRtMsgs(b []byte) ([]darwinRtMsg, error) {
	var out []darwinRtMsg
	for off := 0; off < len(b); {
		m, _, err := xnu.Split(b[off:])
		if err != nil {
			return out, fmt.Errorf("message at %d: %w", off, err)
		}
		at := off
		off += len(m)
		if m[2] != xnu.RTMVersion {
			return out, fmt.Errorf("message at %d: version %d, want %d", at, m[2], xnu.RTMVersion)
		}
		if !xnu.IsRtMsg(m[3]) {
			continue
		}
		rm, err := darwinParseRtMsg(m)
		if err != nil {
			return out, fmt.Errorf("message at %d: %w", at, err)
		}
		out = append(out, rm)
	}
	return out, nil
}

func darwinParseRtMsg(m []byte) (darwinRtMsg, error) {
	h, err := xnu.ParseRtMsghdr(m)
	if err != nil {
		return darwinRtMsg{}, err
	}
	sas, err := xnu.SplitSockaddrs(h.Addrs, m[xnu.SizeofRtMsghdr:])
	if err != nil {
		return darwinRtMsg{}, err
	}
	rm := darwinRtMsg{RtMsghdr: h, MaskBits: -1}
	rm.Dst, rm.DstScope = xnu.Inet(sas[xnu.RTAXDst])
	rm.Gateway, _ = xnu.Inet(sas[xnu.RTAXGateway])
	if rm.GwLink, err = darwinLink(sas[xnu.RTAXGateway]); err != nil {
		return rm, fmt.Errorf("gateway: %w", err)
	}
	if sas[xnu.RTAXNetmask] != nil { // sa_len 0 is a /0 mask, not an absent one
		rm.MaskBits = xnu.MaskBits(rm.Dst, sas[xnu.RTAXNetmask])
	}
	if rm.Ifp, err = darwinLink(sas[xnu.RTAXIfp]); err != nil {
		return rm, fmt.Errorf("ifp: %w", err)
	}
	rm.Ifa, _ = xnu.Inet(sas[xnu.RTAXIfa])
	return rm, nil
}

// darwinLink decodes sa if it is a sockaddr_dl; nil if it is absent or of
// another family.
func darwinLink(sa []byte) (*xnu.Link, error) {
	if xnu.Family(sa) != xnu.AFLink {
		return nil, nil
	}
	l, err := xnu.ParseLink(sa)
	if err != nil {
		return nil, err
	}
	return &l, nil
}

// darwinRoute turns a route message into a Route. Unless all is set (an
// RTM_GET reply: whatever entry the kernel matched is its answer, an ARP
// entry for an on-link destination included), ok is false for what Routes
// leaves out: ARP/NDP entries (RTF_LLINFO), local, broadcast and multicast
// entries, clones (RTF_WASCLONED: per-destination cache entries copied from
// a parent that is itself in the table), and routes not up.
func darwinRoute(m darwinRtMsg, all bool) (netstate.Route, bool) {
	const skip = xnu.RTFLLInfo | xnu.RTFWasCloned | xnu.RTFLocal | xnu.RTFBroadcast | xnu.RTFMulticast
	if !m.Dst.IsValid() || !all && (m.Flags&skip != 0 || m.Flags&xnu.RTFUp == 0) {
		return netstate.Route{}, false
	}
	bits := m.MaskBits
	if bits < 0 || bits > m.Dst.BitLen() {
		bits = m.Dst.BitLen() // no mask: a host route
	}
	r := netstate.Route{
		Dst:     netip.PrefixFrom(m.Dst, bits).Masked(),
		Gateway: m.Gateway,
		IfIndex: m.Index,
		Src:     m.Ifa,
		Scoped:  m.Flags&xnu.RTFIfScope != 0,
	}
	if m.Flags&xnu.RTFGateway == 0 {
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
	case m.Flags&xnu.RTFBlackhole != 0:
		r.Type = netstate.RouteBlackhole
	case m.Flags&xnu.RTFReject != 0:
		r.Type = netstate.RouteUnreachable
	}
	return r, true
}

// darwinParseRoutes decodes a NET_RT_DUMP buffer. Unscoped routes come
// first: macOS has no route metric, and among several default routes (one
// per service, the non-primary ones RTF_IFSCOPE) the unscoped one is the
// one unbound sockets use. The engine takes the first of equal metrics.
func darwinParseRoutes(b []byte) ([]netstate.Route, error) {
	msgs, err := darwinParseRtMsgs(b)
	if err != nil {
		return nil, err
	}
	var scoped, rs []netstate.Route
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
// link-layer address or not; RTF_REJECT once resolution failed; rmx_expire
// 0 for static entries (arp -s), else the calendar second the entry
// expires (arp -a prints "expired" after it: it is idle and re-confirmed
// on next use, Linux's STALE). RTF_REJECT means failed whatever the MAC:
// when the re-resolution of an expired entry goes unanswered, in_arp.c
// sets RTF_REJECT and extends the expiry by arpt_down (20 s) first, and
// arptfree clears the MAC only later; until then the old MAC is still in
// the entry and the kernel refuses traffic to it (EHOSTDOWN). A static
// entry made with `arp -s IP MAC reject` is failed for the same reason.
//
// NDP entries keep their state and lifetime in llinfo_nd6, not in the
// route: their rmx_expire is always 0. So IPv6 entries are never marked
// Permanent here; system_darwin.go asks SIOCGNBRINFO_IN6 for the real state
// (darwinApplyND6).
func darwinNeighbor(m darwinRtMsg, now time.Time) (netstate.Neighbor, bool) {
	if m.Flags&xnu.RTFLLInfo == 0 || m.Flags&(xnu.RTFGateway|xnu.RTFLocal|xnu.RTFBroadcast|xnu.RTFMulticast) != 0 ||
		m.GwLink == nil || !m.Dst.IsValid() || m.Dst.IsMulticast() || m.Dst.IsUnspecified() {
		return netstate.Neighbor{}, false
	}
	n := netstate.Neighbor{
		IfIndex: m.GwLink.Index,
		IfName:  m.GwLink.Name,
		IP:      m.Dst,
		MAC:     m.GwLink.Addr,
		Router:  m.Flags&xnu.RTFRouter != 0,
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
	case m.Flags&xnu.RTFReject != 0:
		n.State, n.MAC = netstate.NeighFailed, nil // the contract: no MAC while failed
	case len(n.MAC) == 0:
		n.State = netstate.NeighIncomplete
	case n.Permanent:
		n.State = netstate.NeighPermanent
	case v4 && int64(m.Expire) <= now.Unix():
		n.State = netstate.NeighStale
	default:
		n.State = netstate.NeighReachable
	}
	return n, true
}

// DarwinNeighborMsg decodes one macOS routing message (a notification or
// an RTM_GET reply) about an ARP/NDP entry into a Neighbor, the way the OS
// layer reads the tables, so checks/watch judges a notified entry exactly
// as a check would. ok is false for messages that are not neighbor
// entries or do not parse.
func DarwinNeighborMsg(msg []byte, now time.Time) (netstate.Neighbor, bool) {
	m, err := darwinParseRtMsg(msg)
	if err != nil {
		return netstate.Neighbor{}, false
	}
	return darwinNeighbor(m, now)
}

// darwinParseNeighbors decodes a NET_RT_FLAGS/RTF_LLINFO buffer (ARP or
// NDP). Every interface-scoped copy is kept: macOS holds one entry per
// interface scope for the same IP, and each must be seen (and deleted) on
// its own.
func darwinParseNeighbors(b []byte, now time.Time) ([]netstate.Neighbor, error) {
	msgs, err := darwinParseRtMsgs(b)
	if err != nil {
		return nil, err
	}
	var ns []netstate.Neighbor
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
func darwinApplyND6(n *netstate.Neighbor, state, isRouter, expire int32) {
	n.Router = n.Router || isRouter != 0
	if len(n.MAC) == 0 {
		return
	}
	if expire == 0 && state > darwinND6Incomplete {
		n.Permanent, n.State = true, netstate.NeighPermanent
		return
	}
	switch state {
	case darwinND6Reachable:
		n.State = netstate.NeighReachable
	case darwinND6Stale:
		n.State = netstate.NeighStale
	case darwinND6Delay:
		n.State = netstate.NeighDelay
	case darwinND6Probe:
		n.State = netstate.NeighProbe
	case darwinND6Purge:
		n.State = netstate.NeighFailed
	case darwinND6NoState:
		n.State = netstate.NeighUnknown
	}
}

// darwinReply looks for the kernel's answer to our routing-socket request
// (type typ, our pid, sequence number seq) in one read. Every routing
// socket also hears other processes' messages; one read is one message,
// and one that does not parse is not ours: ok is false for both. err is the
// answer's rtm_errno as a syscall.Errno (ESRCH: nothing matched), which
// x/net/route cannot give (it reads rtm_use).
func darwinReply(b []byte, typ uint8, pid, seq int32) (m darwinRtMsg, ok bool, err error) {
	msgs, perr := darwinParseRtMsgs(b)
	if perr != nil {
		return darwinRtMsg{}, false, nil
	}
	for _, m := range msgs {
		if m.Type == typ && m.Pid == pid && m.Seq == seq {
			if m.Errno != 0 {
				return m, true, syscall.Errno(m.Errno)
			}
			return m, true, nil
		}
	}
	return darwinRtMsg{}, false, nil
}

// darwinCarrier decides carrier from what SIOCGIFMEDIA returned for an
// interface (ifmr, a struct ifmediareq, or mediaErr). IFF_RUNNING is not
// carrier on XNU: it means "resources allocated" (bsd/net/if.h), and a real
// ifconfig shows interfaces RUNNING with "status: inactive". Carrier is
// IFM_ACTIVE, valid only with IFM_AVALID. Interfaces without media (lo0,
// utun, gif, stf: the ioctl fails with EINVAL/EOPNOTSUPP) or whose driver
// reports no link state fall back to IFF_RUNNING, which for those is set
// while the device is open.
func darwinCarrier(running bool, ifmr []byte, mediaErr error) bool {
	if mediaErr != nil {
		return running
	}
	active, valid, err := xnu.MediaCarrier(ifmr)
	if err != nil || !valid {
		return running
	}
	return active
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
	b := make([]byte, xnu.SizeofRtMsghdr, xnu.SizeofRtMsghdr+xnu.SizeofSockaddrIn6+xnu.SizeofSockaddrDl)
	addrs := uint32(xnu.RTADst)
	if scoped && ifIndex > 0 {
		flags |= xnu.RTFIfScope
		le.PutUint16(b[4:], uint16(ifIndex))
	}
	dst = dst.WithZone("")
	if dst.Is4() {
		a := dst.As4()
		sa := make([]byte, xnu.SizeofSockaddrIn)
		sa[0], sa[1] = xnu.SizeofSockaddrIn, xnu.AFInet
		copy(sa[4:], a[:])
		b = append(b, sa...)
	} else {
		a := dst.As16()
		if ifIndex > 0 && (dst.IsLinkLocalUnicast() || dst.IsLinkLocalMulticast()) {
			binary.BigEndian.PutUint16(a[2:], uint16(ifIndex))
		}
		sa := make([]byte, xnu.SizeofSockaddrIn6)
		sa[0], sa[1] = xnu.SizeofSockaddrIn6, xnu.AFInet6
		copy(sa[8:], a[:])
		b = append(b, sa...)
	}
	if typ == xnu.RTMGet {
		addrs |= xnu.RTAIfp
		sa := make([]byte, xnu.SizeofSockaddrDl)
		sa[0], sa[1] = xnu.SizeofSockaddrDl, xnu.AFLink
		b = append(b, sa...)
	}
	le.PutUint16(b[0:], uint16(len(b)))
	b[2], b[3] = xnu.RTMVersion, typ
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
	// Listed is the number of PCBs the kernel counted (xig_count, the
	// smaller of the opening and closing headers'); Records the records
	// the list actually held, of any protocol and generation.
	Listed, Records int
	Sockets         int
	EphemeralInUse  int         // sockets (not listening) bound to a port in [lo, hi]
	TimeWait        int         // TCP only
	ByPID           map[int]int // sockets per owning process (e_pid, else last_pid)
	// Listeners maps each listening TCP port to its owning process (the first
	// listener seen, e_pid else last_pid), for naming a taken port.
	Listeners map[int]int
}

// errDarwinPcblistShort means the list holds far fewer records than the
// kernel counted. A process with an ad-hoc-signed ancestor (go run, mage, a
// Homebrew-installed hook) reportedly gets only the headers and its own
// sockets, without an error (juspay/osfacts, macOS 27; third-party). Its
// counts would say "0 in use" while the ports are gone.
var errDarwinPcblistShort = errors.New("socket list incomplete")

// darwinPcblistShort reports whether records parsed out of listed are too
// few to be trusted. Sockets opened and closed during the copy make a small
// difference either way; a shortfall of at most 8 cannot hide an
// exhaustion of thousands of ports.
func darwinPcblistShort(listed, records int) bool {
	return listed-records > max(8, listed/2)
}

// darwinParsePcblist decodes net.inet.{tcp,udp}.pcblist_n for proto (6 or
// 17). Records of another protocol are skipped, as netstat does, and PCBs
// freed during the copy (gencnt newer than the list's) are ignored. If no
// record at all carries the expected protocol, the layout is not the one we
// know and that is an error rather than a silent zero; so is a list far
// shorter than its xig_count (errDarwinPcblistShort).
func darwinParsePcblist(b []byte, proto, lo, hi int) (darwinPcbStats, error) {
	le := binary.LittleEndian
	st := darwinPcbStats{ByPID: map[int]int{}, Listeners: map[int]int{}}
	if len(b) < darwinSizeofXinpgen {
		return st, fmt.Errorf("pcblist of %d bytes: %w", len(b), xnu.ErrTruncated)
	}
	gen := le.Uint64(b[8:])
	st.Listed = int(le.Uint32(b[4:]))
	want := darwinXSOAllInp
	if proto == 6 {
		want = darwinXSOAllTCP
	}
	var inp, so, tp []byte
	which, records, matched := 0, 0, 0
	for off := darwinRoundup64(int(le.Uint32(b))); off < len(b); {
		if len(b)-off < 8 {
			return st, fmt.Errorf("pcblist item at %d: %w", off, xnu.ErrTruncated)
		}
		n, kind := int(le.Uint32(b[off:])), int(le.Uint32(b[off+4:]))
		if n <= darwinSizeofXinpgen { // the closing xinpgen, with the count at the end
			st.Listed = min(st.Listed, int(le.Uint32(b[off+4:])))
			break
		}
		if n > len(b)-off {
			return st, fmt.Errorf("pcblist item at %d: length %d of %d: %w", off, n, len(b)-off, xnu.ErrTruncated)
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
			return st, fmt.Errorf("pcblist record %d: items shorter than xnu's: %w", records, xnu.ErrTruncated)
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
			if _, seen := st.Listeners[port]; listen && !seen {
				st.Listeners[port] = pid
			}
		}
	}
	st.Records = records
	if records > 0 && matched == 0 {
		return st, fmt.Errorf("pcblist: none of %d records is protocol %d: layout not recognised", records, proto)
	}
	if darwinPcblistShort(st.Listed, records) {
		return st, fmt.Errorf("pcblist holds %d of the %d sockets the kernel counts (xig_count); macOS withholds the others from some processes (an ad-hoc-signed parent such as go run or mage): %w", records, st.Listed, errDarwinPcblistShort)
	}
	return st, nil
}

func darwinRoundup64(n int) int {
	if n <= 0 {
		return 8
	}
	return 1 + ((n - 1) | 7)
}
