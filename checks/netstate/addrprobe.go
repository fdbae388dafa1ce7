package netstate

import (
	"context"
	"net/netip"
)

// An address conflict shows in the tables only for IPv6, whose duplicate
// address detection the kernel runs and records (Link.DADFailed). For
// IPv4 the kernel does none: as root the engine asks the link itself, with
// an ARP probe whose sender address is 0.0.0.0 (RFC 5227), which no host
// learns anything from, so the check changes no cache on the LAN.

// AddrProbe is one RFC 5227 probe of an address this host holds.
type AddrProbe struct {
	IfIndex int
	IfName  string
	Addr    netip.Addr
	// Answers are the MACs that claimed Addr while the probe ran (an ARP
	// reply to the probe, or any ARP sent from Addr by another MAC), one
	// per MAC.
	Answers []NeighborAnswer
	Err     error
}

// AddressProber is implemented by OS layers that can probe whether
// another host on the link uses one of this host's IPv4 addresses: Linux
// (a packet socket, mdlayher/arp) and macOS (a BPF device), both as root,
// and checkstest's fake. An error wrapping EPERM or EACCES means nothing
// was sent.
type AddressProber interface {
	// ProbeAddress sends ARP probes for a (sender 0.0.0.0, target a) on l
	// a few times and gathers every claim of a by a MAC other than l's
	// until ctx ends. It blocks until ctx ends. The error is for a socket
	// that could not be used; what was gathered before it is returned
	// too.
	ProbeAddress(ctx context.Context, l Link, a netip.Addr) ([]NeighborAnswer, error)
}
