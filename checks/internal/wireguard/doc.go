// Package wireguard reads a WireGuard tunnel's peers (endpoint, last
// handshake, byte counters; never keys) into a netstate.TunnelInfo: a
// Linux kernel device over generic netlink (wggenl_linux.go), a
// userspace device (wireguard-go on Linux and macOS) over its
// configuration socket, trusted only when root's (wireguard_uapi.go), and
// a WireGuard-NT adapter on Windows through the driver's WG_IOCTL_GET
// (wgnt.go). Each OS has one entry, Inspect, which the OS layer
// (checks/internal/sys) calls from its InspectTunnel method, handing it
// what only the OS layer holds: its generic netlink socket on Linux, the
// adapter's GUID on Windows.
//
// It is a package of its own because it speaks WireGuard's protocols, not
// the kernel's network tables: its decoders (the UAPI's key=value lines,
// WG_CMD_GET_DEVICE's attributes, WG_IOCTL_GET's structs) are tested, and
// WG_IOCTL_GET's fuzzed, on Linux, and none of them needs anything of sys.
package wireguard
