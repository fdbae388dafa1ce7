// Package sys holds the operating-system layers behind netstate.System: one
// per OS (system_linux.go over one rtnetlink socket, rtnl_linux.go, and
// /proc; system_darwin.go over the routing socket and sysctl;
// system_windows.go over the IP helper API; system_other.go refusing
// everything), with the parsers of their
// kernel formats (sockets_linux.go; darwin_rib.go and windows_iphlp.go are
// pure and carry no build tag, so the macOS and Windows parsers are unit
// tested on Linux too).
//
// Each layer also implements the optional capabilities declared next to
// netstate.System where its OS can: LocalSystem (hosts file, port owners,
// system proxy, clock) on every OS, NSSReader and NeighborSetter on
// Linux, NeighborSoliciter and AddressProber on Linux and macOS,
// NeighborLooker on macOS and Windows, FirewallReader and TunnelInspector
// on all three. The
// engine type-asserts on those interfaces and does without what is
// missing.
//
// The readers that are a job of their own live beside sys, and sys only
// calls them (readers_<os>.go), handing them its tables, sockets and
// process facts, so that the engine still finds every capability on the
// one value New returns: checks/internal/firewall reads the local packet
// filter, checks/internal/wireguard a WireGuard tunnel's peers, and
// checks/internal/neighprobe asks the link with ARP and NDP who holds an
// address.
//
// New returns this platform's layer; IsPrivileged, HostApp and
// LocalNetworkPrivacy are the process facts checks.New puts into the
// engine. RouteTypeFromRTN, NeighStateFromNUD and DarwinNeighborMsg are
// exported for checks/watch, which decodes the same kernel messages as
// change notifications and must judge them exactly as a check would.
package sys
