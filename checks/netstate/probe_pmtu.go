package netstate

import (
	"errors"
	"net/netip"
	"syscall"
)

// Path MTU: one don't-fragment echo of the egress MTU to an
// external target, in parallel with the other probes. A link on the way
// with a smaller MTU must answer "fragmentation needed" (ICMPv6 "packet
// too big"); when something drops those, small packets pass and large
// ones vanish: TLS handshakes and large downloads stall while pings and
// connects work.

// PMTUResult is the path-MTU probe of one family.
type PMTUResult struct {
	Target netip.Addr
	// Size is the IP packet size sent: the egress interface's MTU.
	Size  int
	Iface string
	Probe ProbeResult
}

// FragNeeded reports whether a send failed at once because the kernel
// had learnt a smaller path MTU (discovery works).
func (r *PMTUResult) FragNeeded() bool { return errors.Is(r.Probe.Err, syscall.EMSGSIZE) }
