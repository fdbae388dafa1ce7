package netstate

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"runtime"
	"time"
)

// System is all the engine needs from the operating system: its tables and
// the few narrow mutations the repair ladder may make. One implementation per
// OS in checks/internal/sys (sys.New); checkstest.FakeSystem for tests.
//
// Every method must honour ctx and return promptly once it is done. Errors
// are wrapped with the operation (fmt.Errorf("dump neighbors: %w", err)) and
// keep the errno so the engine can decide with errors.Is.
type System interface {
	// Links returns every interface with its flags and addresses.
	Links(ctx context.Context) ([]Link, error)
	// Routes returns the unicast and reject-type routes of the main table(s)
	// for both families. Local, broadcast and multicast routes are left out.
	Routes(ctx context.Context) ([]Route, error)
	// RouteTo asks the kernel which route it would use for dst (Linux
	// RTM_GETROUTE, macOS RTM_GET). Failures keep the kernel's errno:
	// ENETUNREACH (no route), EHOSTUNREACH (unreachable route), EACCES
	// (prohibit), EINVAL (blackhole on Linux), ESRCH (macOS: no route now).
	RouteTo(ctx context.Context, dst netip.Addr) (Route, error)
	// Neighbors returns the whole ARP and NDP tables, one entry per
	// interface scope (macOS keeps interface-scoped duplicates).
	Neighbors(ctx context.Context) ([]Neighbor, error)
	// Sockets reports socket and port use against the OS's limits. Fields
	// the OS cannot tell are left zero and named in SocketStats.Unknown.
	Sockets(ctx context.Context) (SocketStats, error)

	// DeleteNeighbor removes exactly one entry, keyed by interface, IP and
	// family, permanent ones included. An entry that is already gone is not
	// an error (returns nil).
	DeleteNeighbor(ctx context.Context, n Neighbor) error
	// SetLinkUp brings an administratively down interface up. It must never
	// touch an interface that is already up.
	SetLinkUp(ctx context.Context, ifIndex int) error
	// FlushDNSCache asks the OS resolver cache to forget what it holds
	// (systemd-resolved, mDNSResponder, the Windows DNS client). Returns
	// ErrUnsupported when there is no cache to flush.
	FlushDNSCache(ctx context.Context) error
	// ReapplyInterface asks the network manager that owns ifName to apply
	// its configuration again. Returns ErrUnsupported when none owns it.
	ReapplyInterface(ctx context.Context, ifName string) error
}

// NeighborLooker is implemented by OS layers whose change notifications
// miss the neighbor cache: on macOS the kernel resolves, refreshes and
// expires ARP/NDP entries without a routing message (bsd/netinet/in_arp.c,
// nd6.c), and Windows has no neighbor-change callback. checks/watch then
// reads the gateways' own entries every couple of seconds, one entry
// lookup each (RTM_GET, GetIpNetEntry2), not a full check. Linux
// announces every neighbor change over netlink and does not implement it.
type NeighborLooker interface {
	// LookupNeighbor reads the entry for ip on ifIndex without starting
	// resolution; found is false when there is none. It must return
	// promptly once ctx is done.
	LookupNeighbor(ctx context.Context, ifIndex int, ip netip.Addr) (n Neighbor, found bool, err error)
}

// LocalSystem is the part of the OS layer that reads the machine's local
// configuration a start depends on: who holds a port, the hosts file, the
// system proxy and the clock. Every OS layer in checks/internal/sys and
// checkstest's fake implement it; without it the local checks say "skip".
// Probes and bind tests stay outside: they are the same on every OS.
type LocalSystem interface {
	// PortOwner names the process listening on TCP port (either family).
	// An error says why it could not be told (another user's process,
	// no API on this OS); it never means the port is free.
	PortOwner(ctx context.Context, port uint16) (PortOwner, error)
	// HostsFile returns the path and content of the hosts file.
	HostsFile() (path string, data []byte, err error)
	// SystemProxy returns the proxies the OS keeps outside the
	// environment (macOS network settings, Windows WinHTTP and Internet
	// settings). Nil with a nil error: none set.
	SystemProxy() ([]ProxySetting, error)
	// Clock reports whether the kernel considers its clock synchronised.
	Clock() ClockState
}

// NSSReader is implemented by OS layers whose resolver goes through a
// configurable module list (glibc's NSS: Linux). When the hosts file does
// not map localhost and the resolver cannot answer it either, the engine
// asks which module of the hosts line answers localhost by itself
// (myhostname, resolve): that tells a hosts file that relies on such a
// module from one that breaks localhost. macOS and Windows do not
// implement it; HostsState.NSSModule then stays empty.
type NSSReader interface {
	// LocalhostNSSModule returns that module, or "" when none is listed
	// or the configuration cannot be read.
	LocalhostNSSModule() string
}

// NeighborSetter is implemented by OS layers that can put a static
// (permanent) neighbor entry back: Linux (netlink RTM_NEWNEIGH with
// NUD_PERMANENT) and checkstest's fake. The ladder deletes a permanent
// gateway entry only when it can be undone, so without it (macOS,
// Windows today) the delete-neighbor rung skips permanent entries and the
// finding keeps its manual steps; Repair cannot restore one either and
// says so.
type NeighborSetter interface {
	// SetNeighbor adds n as a permanent entry, replacing one for the same
	// interface, IP and family.
	SetNeighbor(ctx context.Context, n Neighbor) error
}

// LinkDowner is implemented by OS layers that can take an interface down
// again: Linux (netlink) and checkstest's fake. It is used only to undo a
// link-up that did not bring the default route back, so an interface an
// administrator disabled is not left up for nothing.
type LinkDowner interface {
	// SetLinkDown clears IFF_UP on the interface.
	SetLinkDown(ctx context.Context, ifIndex int) error
}

// NeighborSoliciter is implemented by OS layers that can ask a neighbor's
// hardware address directly with ARP requests or neighbor solicitations:
// Linux (mdlayher/arp and ndp, which need root), macOS (ARP through a BPF
// device, as root; IPv4 only: an IPv6 address gets ErrUnsupported at once)
// and checkstest's fake. The engine uses it, when privileged, as one half
// of the proof that a permanent gateway entry is wrong (the other half is
// traffic through it failing). Without it (Windows, an IPv6 gateway on
// macOS, or not root) a wrong entry shows only as a gateway that stays
// silent.
type NeighborSoliciter interface {
	// Solicit sends an ARP request (IPv4) or neighbor solicitation (IPv6)
	// for ip on l, repeated a few times, and gathers every answer
	// addressed to this host until ctx ends, one per MAC (AddAnswer). It
	// blocks until ctx ends and never returns early on an answer: a
	// second MAC may still come. The error is for a socket that could
	// not be used; what was gathered before it is returned too.
	Solicit(ctx context.Context, l Link, ip netip.Addr) ([]NeighborAnswer, error)
}

// ErrUnsupported is returned by System methods the OS cannot do.
var ErrUnsupported = errors.New("not supported on " + runtime.GOOS + "/" + runtime.GOARCH)

// Link is one network interface.
type Link struct {
	Index    int
	Name     string
	MAC      net.HardwareAddr
	AdminUp  bool // IFF_UP: the administrator (or network manager) enabled it
	Carrier  bool // IFF_RUNNING / lower-layer up: a cable, an association, a peer
	Loopback bool
	// Tunnel is true for point-to-point and virtual tunnel devices (tun, wg,
	// utun, ppp, ipsec): a default route there means a VPN owns it. The
	// same as Kind == LinkTunnel where the OS layer sets Kind.
	Tunnel bool
	Addrs  []netip.Prefix
	// Kind is what the interface is, from the kernel's own type (netlink
	// IFLA_INFO_KIND, the macOS interface families, the Windows IfType),
	// never guessed by Diagnose from the name. Empty: the OS layer did
	// not say (old data, fakes); KindOf then falls back to the flags.
	Kind LinkKind
	// MTU is the interface's MTU in bytes; 0 when the OS did not say.
	MTU int
	// DADFailed are the addresses of Addrs that duplicate address
	// detection found in use by another host on the link (Linux
	// IFA_F_DADFAILED, macOS IN6_IFF_DUPLICATED, Windows
	// IpDadStateDuplicate): the kernel keeps them but sends nothing from
	// them.
	DADFailed []netip.Addr
	// Description is the driver's description of the adapter where the
	// OS keeps one (Windows: "WireGuard Tunnel" for WireGuard-NT,
	// "Wintun Userspace Tunnel"): which VPN a tunnel device belongs to.
	Description string
}

// LinkKind names what an interface is: which network it leads to decides
// whether a route into it can carry the start's traffic.
type LinkKind string

const (
	LinkPhysical LinkKind = "physical" // Ethernet, Wi-Fi, and bonds/VLANs over them
	LinkBridge   LinkKind = "bridge"   // a software switch: docker0, br-…, virbr0, bridge100, vEthernet
	LinkVeth     LinkKind = "veth"     // one end of a virtual cable into a container or VM
	LinkTunnel   LinkKind = "tunnel"   // a VPN or overlay: tun, wireguard, utun, ppp, ipsec, vxlan
	LinkLoopback LinkKind = "loopback"
	LinkVirtual  LinkKind = "virtual" // anything else made in software (dummy, macvlan, awdl…)
)

// KindOf returns l's kind, deriving it from the flags when the OS layer
// left Kind empty.
func (l *Link) KindOf() LinkKind {
	switch {
	case l.Kind != "":
		return l.Kind
	case l.Loopback:
		return LinkLoopback
	case l.Tunnel:
		return LinkTunnel
	}
	return LinkPhysical
}

// Local reports whether the interface leads only to containers or VMs on
// this machine (a bridge or a veth): nothing on the internet is behind it.
func (k LinkKind) Local() bool { return k == LinkBridge || k == LinkVeth }

// RouteType says what the kernel does with a packet matching the route.
type RouteType int

const (
	RouteUnicast     RouteType = iota
	RouteUnreachable           // answers EHOSTUNREACH
	RouteProhibit              // answers EACCES
	RouteBlackhole             // drops silently (EINVAL on Linux lookups)
	RouteThrow                 // policy routing: continue with the next table
)

func (t RouteType) String() string {
	switch t {
	case RouteUnicast:
		return "unicast"
	case RouteUnreachable:
		return "unreachable"
	case RouteProhibit:
		return "prohibit"
	case RouteBlackhole:
		return "blackhole"
	case RouteThrow:
		return "throw"
	}
	return fmt.Sprintf("route-type(%d)", int(t))
}

// Route is one routing table entry, or the kernel's answer to RouteTo.
type Route struct {
	Dst     netip.Prefix // 0.0.0.0/0 or ::/0 for a default route
	Gateway netip.Addr   // invalid for on-link routes
	IfIndex int
	IfName  string
	Src     netip.Addr // preferred source, when the kernel says
	Type    RouteType
	Metric  int
	Table   int
	// Scoped is macOS RTF_IFSCOPE: the route applies only to sockets bound
	// to IfIndex.
	Scoped bool
}

// IsDefault reports whether r is a default route.
func (r Route) IsDefault() bool { return r.Dst.IsValid() && r.Dst.Bits() == 0 }

// NeighState is the kernel's state of an ARP/NDP entry, normalised across
// OSes.
type NeighState int

const (
	NeighUnknown    NeighState = iota
	NeighIncomplete            // resolution in progress, no MAC yet
	NeighReachable             // confirmed recently
	NeighStale                 // the normal idle state of a good entry
	NeighDelay
	NeighProbe
	NeighFailed    // resolution failed: the host did not answer ARP/NDP
	NeighNoARP     // no resolution needed (point-to-point)
	NeighPermanent // static entry set by an administrator or tool
)

func (s NeighState) String() string {
	switch s {
	case NeighIncomplete:
		return "incomplete"
	case NeighReachable:
		return "reachable"
	case NeighStale:
		return "stale"
	case NeighDelay:
		return "delay"
	case NeighProbe:
		return "probe"
	case NeighFailed:
		return "failed"
	case NeighNoARP:
		return "noarp"
	case NeighPermanent:
		return "permanent"
	}
	return "unknown"
}

// Neighbor is one ARP (IPv4) or NDP (IPv6) entry.
type Neighbor struct {
	IfIndex int
	IfName  string
	IP      netip.Addr
	MAC     net.HardwareAddr // nil while incomplete or failed
	State   NeighState
	// Permanent is true for static entries (Linux NUD_PERMANENT, macOS
	// entries without expiry, Windows NlnsPermanent). A flush leaves them.
	Permanent bool
	Router    bool
}

// Resolved reports whether the entry holds a MAC the kernel will use.
func (n Neighbor) Resolved() bool {
	switch n.State {
	case NeighReachable, NeighStale, NeighDelay, NeighProbe, NeighPermanent, NeighNoARP:
		return len(n.MAC) > 0 || n.State == NeighNoARP
	}
	return false
}

// SocketStats is the machine's socket and port use against its limits.
type SocketStats struct {
	// Ephemeral port range the kernel picks local ports from.
	EphemeralLow, EphemeralHigh int
	// Local ports inside the ephemeral range held by TCP and UDP sockets;
	// -1 when not counted one by one because the Bound fields already
	// prove use is low (counting costs milliseconds on Linux). For TCP on
	// Linux, the most toward one remote endpoint from one local address,
	// TCPBusiestPeer: the kernel reuses a local port for every other
	// destination, so those are the ports that run out together. Where
	// the OS gives only a total (macOS, Windows), the total: an upper
	// bound.
	TCPEphemeralInUse, UDPEphemeralInUse int
	TCPBusiestPeer                       netip.AddrPort
	// Upper bounds on ephemeral use (all sockets of the protocol), used
	// when the exact counts are -1.
	TCPEphemeralBound, UDPEphemeralBound int
	TCPSockets, UDPSockets               int
	TCPTimeWait                          int
	// This process's open-file limit and use; a child started by guard run
	// inherits the limit.
	OpenFiles, OpenFilesLimit int
	// System-wide file handles, where the OS tells (Linux file-nr).
	SystemFiles, SystemFilesMax int
	// TopProcess holds the most sockets, where the OS tells (and we may
	// read other processes); empty otherwise.
	TopProcess        string
	TopProcessPID     int
	TopProcessSockets int
	// Unknown names the fields that could not be read and why.
	Unknown []string
	// PortsUnknown says why the ephemeral-port counts above cannot be
	// trusted (a socket list that could not be read, or came back far
	// shorter than the kernel's own count); empty when they can. The
	// resources check is then unknown, never "0 in use".
	PortsUnknown string
}

// ValidIfName accepts interface names of Linux, macOS and Windows aliases
// without anything a shell or a flag parser could read as syntax.
func ValidIfName(s string) bool {
	if s == "" || len(s) > 64 || s[0] == '-' {
		return false
	}
	for _, c := range s {
		ok := c == '_' || c == '.' || c == ':' || c == '@' || c == '-' || c == ' ' ||
			(c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
		if !ok {
			return false
		}
	}
	return true
}

// MACText is m as colon-separated lowercase hex, or "no MAC" for an
// entry the kernel holds without one (incomplete, failed).
func MACText(m []byte) string {
	if len(m) == 0 {
		return "no MAC"
	}
	return net.HardwareAddr(m).String()
}

// NeighborAnswer is one hardware address that answered address resolution
// for the asked address, addressed to this host.
type NeighborAnswer struct {
	MAC net.HardwareAddr
	// RTT is the time from the first request to this MAC's first answer.
	RTT time.Duration
}
