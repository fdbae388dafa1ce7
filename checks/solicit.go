package checks

import (
	"bytes"
	"net"
	"time"
)

// Faster proof as root (issue 13 §9): one ARP request or neighbor
// solicitation to the gateway shows in one round trip whether the MAC a
// permanent entry pins is the gateway's, instead of waiting for silence.

// SolicitResult is the gateway's own answer to address resolution.
type SolicitResult struct {
	// Entry is the neighbor entry the answer was compared with.
	Entry    Neighbor
	Answered bool
	MAC      net.HardwareAddr
	RTT      time.Duration
	Err      error
}

// Contradicts reports whether the gateway answered with another MAC than
// the entry holds: the entry is proven wrong.
func (r *SolicitResult) Contradicts() bool {
	return r != nil && r.Answered && !bytes.Equal(r.MAC, r.Entry.MAC)
}

// Confirms reports whether the gateway answered with the entry's MAC.
func (r *SolicitResult) Confirms() bool {
	return r != nil && r.Answered && bytes.Equal(r.MAC, r.Entry.MAC)
}

// solicitTarget returns the permanent entry for f's gateway on the
// default route's interface, the only kind worth soliciting: the kernel
// resolves dynamic entries by itself, and might update one from our
// answer, which a check must never cause.
func solicitTarget(s *State, f *FamilyState) (Neighbor, *Link, bool) {
	if f.Default == nil || !f.Gateway.IsValid() {
		return Neighbor{}, nil, false
	}
	l := linkOf(s.Links, f.Default.IfIndex)
	if l == nil || !l.AdminUp || !l.Carrier {
		return Neighbor{}, nil, false
	}
	for _, n := range s.Neighbors {
		if n.IP == f.Gateway && n.IfIndex == f.Default.IfIndex && n.Permanent && len(n.MAC) > 0 {
			return n, l, true
		}
	}
	return Neighbor{}, nil, false
}
