// Package xnu decodes the byte level of macOS (XNU) routing-socket
// messages: the message headers (rt_msghdr, ifa_msghdr, if_msghdr), the
// sockaddrs that follow them, inet/inet6 addresses, netmasks and link-layer
// sockaddrs. It is what checks/internal/sys (the sysctl NET_RT_DUMP / NET_RT_FLAGS dumps
// and RTM_GET replies, darwin_rib.go) and checks/watch (change
// notifications, bsdroute.go) share; each maps the result to its own types.
// bpf.go holds the BPF device's ioctls and the records a read of it
// returns, for the ARP probes of checks/internal/neighprobe (bsd/net/bpf.h).
// Pure functions over []byte without a build tag, so they are unit tested
// and fuzzed on Linux CI; the one syscall, Ioctl (ioctl_darwin.go), is
// the pointer ioctl every macOS reader of these structs makes.
//
// Layouts are xnu-11417 (macOS 15) headers: bsd/net/route.h,
// bsd/net/if.h, bsd/net/if_dl.h, bsd/net/bpf.h. macOS runs only on
// little-endian 64-bit CPUs (arm64, amd64), so host-order fields are read
// as little endian; ports and addresses are network order.
//
// We parse ourselves instead of using golang.org/x/net/route (v0.62.0,
// the version go.mod pins and the newest) because its darwin parser still
// fails on messages real kernels send:
//   - notifications are built by rt_msg1 (bsd/net/rtsock.c), which pads
//     nothing after the last sockaddr and writes nothing at all for a last
//     sockaddr of sa_len 0; x/net rejects such messages ("message too
//     short": the RTM_DELMADDR of golang/go#44740, golang/go#74856, open).
//     RTM_GET replies and sysctl dumps come from rt_msg2 and are padded;
//   - RouteMessage.Err reads rtm_use (offset 28) instead of rtm_errno (24),
//     so valid dump entries carry bogus errors and a failed RTM_GET none
//     (golang/go#70528's echo; libp2p/go-netroute PR 20);
//   - rmx_expire, which tells static from dynamic ARP entries, is not
//     exposed.
//
// x/net has fixed what earlier versions of this note listed: sockaddrs of
// sa_len 0 (a /0 mask still takes ROUNDUP32(0) == 4 bytes; ebd23f8b, e9cd7169), the
// meaningless sa_family of netmasks (cd9d6616) and the KAME scope of
// link-local addresses (moved into ZoneID). The same rules are kept here:
// a netmask's family is the destination's (rtm_scrub trims masks and
// leaves family 0 or garbage), masks may be truncated ("06 02 00 00 ff ff"
// is a /16), every read is bounds-checked and fuzzed, the KAME index in
// bytes 2-3 of a link-local address is cleared and used as the scope.
package xnu

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
)

// XNU constants. golang.org/x/sys/unix defines them only when GOOS=darwin,
// and this package must build everywhere.
const (
	AFInet  = 2
	AFInet6 = 30
	AFLink  = 18
	AFRoute = 17

	RTMVersion = 5

	// Message types (rtm_type, ifam_type, ifm_type).
	RTMAdd     = 0x1
	RTMDelete  = 0x2
	RTMChange  = 0x3
	RTMGet     = 0x4
	RTMResolve = 0xb // the last type with an rt_msghdr below RTM_NEWADDR
	RTMNewAddr = 0xc
	RTMDelAddr = 0xd
	RTMIfInfo  = 0xe
	RTMGet2    = 0x14 // NET_RT_DUMP2: rt_msghdr2, same size and offsets we read

	// rtm_addrs / ifam_addrs bits, in the order the sockaddrs follow the
	// header, and their indexes (RTAX_*).
	RTADst     = 1 << RTAXDst
	RTAGateway = 1 << RTAXGateway
	RTANetmask = 1 << RTAXNetmask
	RTAIfp     = 1 << RTAXIfp
	RTAIfa     = 1 << RTAXIfa
	RTABrd     = 1 << RTAXBrd

	RTAXDst     = 0
	RTAXGateway = 1
	RTAXNetmask = 2
	RTAXIfp     = 4
	RTAXIfa     = 5
	RTAXBrd     = 7 // the peer of a point-to-point address
	RTAXMax     = 8

	// rtm_flags.
	RTFUp        = 0x1
	RTFGateway   = 0x2
	RTFHost      = 0x4
	RTFReject    = 0x8
	RTFLLInfo    = 0x400
	RTFBlackhole = 0x1000
	RTFWasCloned = 0x20000
	RTFLocal     = 0x200000
	RTFBroadcast = 0x400000
	RTFMulticast = 0x800000
	RTFIfScope   = 0x1000000
	RTFRouter    = 0x10000000

	// ifm_flags. IFF_RUNNING means "resources allocated" (bsd/net/if.h),
	// not carrier: see SIOCGIFMEDIA.
	IFFUp      = 0x1
	IFFRunning = 0x40

	// SIOCGIFMEDIA is _IOWR('i', 56, struct ifmediareq) as a 64-bit
	// process passes it: struct ifmediareq (bsd/net/if.h, #pragma pack(4))
	// is char ifm_name[16], int current, mask, status (@24), active,
	// count, int *ifm_ulist (@36): 44 bytes. Carrier is IFM_ACTIVE in
	// ifm_status, meaningful only with IFM_AVALID (bsd/net/if_media.h), as
	// ifconfig prints "status: active/inactive".
	SIOCGIFMEDIA     = 0xc02c6938
	SizeofIfmediareq = 44
	IfmediaStatusOff = 24
	IFMAvalid        = 0x1
	IFMActive        = 0x2

	// SIOCGIFAFLAG_IN6 is _IOWR('i', 73, struct in6_ifreq): struct
	// in6_ifreq (bsd/netinet6/in6_var.h) is char ifr_name[16] and a union
	// whose largest member, struct icmp6_ifstat, is 34 u_quad_t: 288
	// bytes. The request carries a struct sockaddr_in6 at 16; the answer
	// is int ifru_flags6 at the same place. A wrong size would not fail,
	// it would be another ioctl.
	SIOCGIFAFLAG_IN6 = 0xc1206949
	SizeofIn6Ifreq   = 288
	In6IfreqUnionOff = 16
	// IN6_IFF_TENTATIVE: duplicate address detection is still running;
	// IN6_IFF_DUPLICATED: it found the address in use elsewhere.
	IN6IFFTentative  = 0x2
	IN6IFFDuplicated = 0x4

	// struct rt_msghdr (and rt_msghdr2): 36 bytes of header, then struct
	// rt_metrics (56 bytes) whose rmx_expire is at +12.
	//   0 u16 msglen  2 u8 version  3 u8 type  4 u16 index  8 i32 flags
	//  12 i32 addrs  16 i32 pid  20 i32 seq  24 i32 errno  28 i32 use
	//  32 u32 inits  36 rt_metrics{locks, mtu, hopcount, expire, ...}
	SizeofRtMsghdr = 92
	RtmIndexOff    = 4
	RtmFlagsOff    = 8
	RtmAddrsOff    = 12
	RtmPidOff      = 16
	RtmSeqOff      = 20
	RtmErrnoOff    = 24
	RtmExpireOff   = 48

	// struct ifa_msghdr: msglen, version, type, addrs@4, flags@8,
	// index@12, metric@16.
	SizeofIfaMsghdr = 20
	IfamAddrsOff    = 4
	IfamFlagsOff    = 8
	IfamIndexOff    = 12

	// struct if_msghdr: addrs@4, flags@8, index@12, if_data@16.
	IfmFlagsOff = 8
	IfmIndexOff = 12

	// sockaddr sizes and address offsets.
	SizeofSockaddrIn  = 16 // len fam port[2] addr[4] zero[8]
	SizeofSockaddrIn6 = 28 // len fam port[2] flow[4] addr[16] scope[4]
	SizeofSockaddrDl  = 20 // len fam index[2] type nlen alen slen data[12]
	SinAddrOff        = 4
	Sin6AddrOff       = 8
	Sin6ScopeOff      = 24
	SdlIndexOff       = 2
	SdlNlenOff        = 5
	SdlAlenOff        = 6
	SdlDataOff        = 8
)

// ErrTruncated is wrapped by every error about bytes missing: a length
// that does not fit, a header or sockaddr cut short.
var ErrTruncated = errors.New("truncated routing message")

// Split cuts the first message off b. Every routing message starts with
// u16 msglen, u8 version, u8 type, so msg has at least those 4 bytes: its
// version is msg[2], its type msg[3]. A length that does not fit is an
// error, and the rest of the buffer cannot be trusted after it.
func Split(b []byte) (msg, rest []byte, err error) {
	if len(b) < 4 {
		return nil, b, ErrTruncated
	}
	n := int(binary.LittleEndian.Uint16(b))
	if n < 4 || n > len(b) {
		return nil, b, fmt.Errorf("length %d of %d: %w", n, len(b), ErrTruncated)
	}
	return b[:n], b[n:], nil
}

// IsRtMsg reports whether messages of type typ start with an rt_msghdr:
// RTM_ADD to RTM_RESOLVE, and RTM_GET2 (an rt_msghdr2). The others
// (interface and address announcements) have headers of their own.
func IsRtMsg(typ uint8) bool {
	return (typ >= RTMAdd && typ <= RTMResolve) || typ == RTMGet2
}

// RtMsghdr is what we read of a struct rt_msghdr (or rt_msghdr2).
type RtMsghdr struct {
	Type     uint8
	Index    int // rtm_index: the route's interface
	Flags    uint32
	Addrs    uint32 // RTA_* bits: the sockaddrs after the header
	Pid, Seq int32  // zero for RTM_GET2
	Errno    int32
	Expire   int32 // rmx_expire: 0 = never (static), else calendar seconds
}

// ParseRtMsghdr reads the header of a route message. Its sockaddrs follow
// at m[SizeofRtMsghdr:].
func ParseRtMsghdr(m []byte) (RtMsghdr, error) {
	le := binary.LittleEndian
	if len(m) < SizeofRtMsghdr {
		return RtMsghdr{}, fmt.Errorf("%d-byte header: %w", len(m), ErrTruncated)
	}
	h := RtMsghdr{
		Type:   m[3],
		Index:  int(le.Uint16(m[RtmIndexOff:])),
		Flags:  le.Uint32(m[RtmFlagsOff:]),
		Addrs:  le.Uint32(m[RtmAddrsOff:]),
		Expire: int32(le.Uint32(m[RtmExpireOff:])),
	}
	if h.Type != RTMGet2 { // rt_msghdr2 has refcnt/parentflags here
		h.Pid, h.Seq, h.Errno = int32(le.Uint32(m[RtmPidOff:])), int32(le.Uint32(m[RtmSeqOff:])), int32(le.Uint32(m[RtmErrnoOff:]))
	}
	return h, nil
}

// IfaMsghdr is what we read of a struct ifa_msghdr (RTM_NEWADDR,
// RTM_DELADDR).
type IfaMsghdr struct {
	Type  uint8
	Addrs uint32 // RTA_* bits: the sockaddrs after the header
	Flags uint32
	Index int
}

// ParseIfaMsghdr reads the header of an address message. Its sockaddrs
// follow at m[SizeofIfaMsghdr:].
func ParseIfaMsghdr(m []byte) (IfaMsghdr, error) {
	if len(m) < SizeofIfaMsghdr {
		return IfaMsghdr{}, fmt.Errorf("%d-byte header: %w", len(m), ErrTruncated)
	}
	le := binary.LittleEndian
	return IfaMsghdr{Type: m[3], Addrs: le.Uint32(m[IfamAddrsOff:]), Flags: le.Uint32(m[IfamFlagsOff:]), Index: int(le.Uint16(m[IfamIndexOff:]))}, nil
}

// IfMsghdr is what we read of a struct if_msghdr (RTM_IFINFO).
type IfMsghdr struct {
	Flags uint32 // IFF_*
	Index int
}

// ParseIfMsghdr reads the header of an interface message; only the fields
// up to ifm_index are required.
func ParseIfMsghdr(m []byte) (IfMsghdr, error) {
	if len(m) < IfmIndexOff+2 {
		return IfMsghdr{}, fmt.Errorf("%d-byte header: %w", len(m), ErrTruncated)
	}
	le := binary.LittleEndian
	return IfMsghdr{Flags: le.Uint32(m[IfmFlagsOff:]), Index: int(le.Uint16(m[IfmIndexOff:]))}, nil
}

// MediaCarrier reads ifm_status from a struct ifmediareq filled by
// SIOCGIFMEDIA. valid is false when the driver does not report link state
// (no IFM_AVALID).
func MediaCarrier(ifmr []byte) (carrier, valid bool, err error) {
	if len(ifmr) < IfmediaStatusOff+4 {
		return false, false, fmt.Errorf("ifmediareq of %d bytes: %w", len(ifmr), ErrTruncated)
	}
	st := binary.LittleEndian.Uint32(ifmr[IfmediaStatusOff:])
	return st&IFMActive != 0, st&IFMAvalid != 0, nil
}

// In6Ifreq builds the struct in6_ifreq SIOCGIFAFLAG_IN6 asks with: the
// interface's name and a as a sockaddr_in6 with scope (the interface
// index, for a link-local address).
func In6Ifreq(name string, a netip.Addr, scope uint32) [SizeofIn6Ifreq]byte {
	var b [SizeofIn6Ifreq]byte
	copy(b[:15], name)
	sa := b[In6IfreqUnionOff:]
	sa[0], sa[1] = SizeofSockaddrIn6, 30 // sin6_len, AF_INET6
	a16 := a.As16()
	copy(sa[8:24], a16[:])
	binary.LittleEndian.PutUint32(sa[24:28], scope)
	return b
}

// In6IfreqFlags reads ifru_flags6 from a struct in6_ifreq filled by
// SIOCGIFAFLAG_IN6.
func In6IfreqFlags(b []byte) (uint32, error) {
	if len(b) < In6IfreqUnionOff+4 {
		return 0, fmt.Errorf("in6_ifreq of %d bytes: %w", len(b), ErrTruncated)
	}
	return binary.LittleEndian.Uint32(b[In6IfreqUnionOff:]), nil
}

// Roundup is XNU's ROUNDUP32: sockaddrs in routing messages are padded to
// 4 bytes on every architecture, and sa_len 0 still takes 4.
func Roundup(n int) int {
	if n == 0 {
		return 4
	}
	return 1 + ((n - 1) | 3)
}

// Sockaddrs are the sockaddrs of a message by RTAX_* index, each cut to
// its sa_len; nil where the addrs bitmask has no bit. An empty, non-nil
// one is a sockaddr of sa_len 0: no address (a /0 netmask, an AF_UNSPEC
// RTA_BRD), not an absent one.
type Sockaddrs [RTAXMax][]byte

// SplitSockaddrs splits b, the bytes after a header, by its addrs bitmask.
// Sockaddrs whose bits are set but that are missing at the end of b are
// empty (sa_len 0): rt_msg1 (bsd/net/rtsock.c), which builds every
// notification, ends the message right after the last sockaddr's sa_len
// bytes, so a last sockaddr of sa_len 0 leaves nothing behind (IPv6
// addresses on utun and lo0 announce an AF_UNSPEC RTA_BRD so,
// bsd/netinet6/in6.c), and the last one has no padding. A sockaddr
// overrunning b is an error.
func SplitSockaddrs(addrs uint32, b []byte) (Sockaddrs, error) {
	var sas Sockaddrs
	for i := 0; i < RTAXMax; i++ {
		if addrs&(1<<i) == 0 {
			continue
		}
		if len(b) == 0 {
			sas[i] = []byte{}
			continue
		}
		l := int(b[0])
		if l > len(b) {
			return sas, fmt.Errorf("sockaddr %d: length %d of %d: %w", i, l, len(b), ErrTruncated)
		}
		sas[i] = b[:l]
		// The last sockaddr may lack its padding (golang/go#44740).
		b = b[min(Roundup(l), len(b)):]
	}
	return sas, nil
}

// Family is a sockaddr's sa_family, 0 when it is too short to have one.
func Family(sa []byte) int {
	if len(sa) < 2 {
		return 0
	}
	return int(sa[1])
}

// Inet reads the address of a sockaddr_in/in6 that may be shorter than the
// struct (bytes past sa_len are zero); it is invalid for other families.
// It strips the KAME embedded scope of link-local (and interface-local
// multicast) addresses and returns it, else the sin6_scope_id.
func Inet(sa []byte) (netip.Addr, int) {
	fam := Family(sa)
	var off, n int
	switch fam {
	case AFInet:
		off, n = SinAddrOff, 4
	case AFInet6:
		off, n = Sin6AddrOff, 16
	default:
		return netip.Addr{}, 0
	}
	var a [16]byte
	if len(sa) > off {
		copy(a[:n], sa[off:min(len(sa), off+n)])
	}
	if fam == AFInet {
		return netip.AddrFrom4([4]byte(a[:4])), 0
	}
	scope := 0
	ip := netip.AddrFrom16(a)
	if ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() {
		scope = int(binary.BigEndian.Uint16(a[2:4]))
		a[2], a[3] = 0, 0
		ip = netip.AddrFrom16(a)
	}
	if scope == 0 && len(sa) >= SizeofSockaddrIn6 {
		scope = int(binary.LittleEndian.Uint32(sa[Sin6ScopeOff:])) // sin6_scope_id
	}
	return ip, scope
}

// MaskBits counts the prefix length of a netmask sockaddr for addr, the
// address it masks (a route's destination, an interface address). The
// mask's own family byte is ignored (see the package comment): addr's
// decides, and -1 is returned when addr is not valid. A mask of sa_len 0
// is /0; non-contiguous masks (never produced for IP routes) count their
// leading ones.
func MaskBits(addr netip.Addr, sa []byte) int {
	if !addr.IsValid() {
		return -1
	}
	off := SinAddrOff
	if addr.Is6() {
		off = Sin6AddrOff
	}
	bits := 0
	for i := 0; i < addr.BitLen()/8; i++ {
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

// Link is a sockaddr_dl.
type Link struct {
	Index int
	Name  string
	Addr  net.HardwareAddr // nil when sdl_alen == 0 (unresolved)
}

// ParseLink decodes a sockaddr_dl: name and link-layer address follow
// each other in sdl_data. sdl_len may be shorter than the 20-byte struct.
func ParseLink(sa []byte) (Link, error) {
	const d = SdlDataOff
	if len(sa) < d {
		return Link{}, fmt.Errorf("sockaddr_dl of %d bytes: %w", len(sa), ErrTruncated)
	}
	if sa[1] != AFLink {
		return Link{}, fmt.Errorf("sockaddr family %d, want AF_LINK", sa[1])
	}
	nlen, alen := int(sa[SdlNlenOff]), int(sa[SdlAlenOff])
	if d+nlen+alen > len(sa) {
		return Link{}, fmt.Errorf("sockaddr_dl name %d + address %d > %d: %w", nlen, alen, len(sa)-d, ErrTruncated)
	}
	l := Link{Index: int(binary.LittleEndian.Uint16(sa[SdlIndexOff:])), Name: string(sa[d : d+nlen])}
	if alen > 0 {
		l.Addr = append(net.HardwareAddr(nil), sa[d+nlen:d+nlen+alen]...)
	}
	return l, nil
}
