package netstate

import (
	"bytes"
	"net"
	"time"
)

// Faster proof as root: an ARP request or neighbor solicitation to the
// gateway shows whether the MAC a permanent entry pins is the one the
// gateway answers from. Anyone on the LAN can answer too, so the answers
// are evidence, never a verdict by themselves: a pin is judged wrong only
// when traffic through it fails as well, and a second MAC answering makes
// the whole solicitation ambiguous.

// SolicitResult is what answered one solicitation of the gateway.
type SolicitResult struct {
	// Entry is the neighbor entry the answers were compared with.
	Entry Neighbor
	// Answers holds one answer per MAC, in the order they came, gathered
	// for the whole time the solicitation ran.
	Answers []NeighborAnswer
	Err     error
}

// Answered reports whether anything answered.
func (r *SolicitResult) Answered() bool { return r != nil && len(r.Answers) > 0 }

// Ambiguous reports whether several MACs answered for the gateway's
// address: an address conflict or someone spoofing it. No answer can then
// be trusted to judge the entry.
func (r *SolicitResult) Ambiguous() bool { return r != nil && len(r.Answers) > 1 }

// Contradicts reports whether exactly one MAC answered and it is not the
// entry's: together with traffic through the entry failing, the entry is
// proven wrong.
func (r *SolicitResult) Contradicts() bool {
	return r != nil && len(r.Answers) == 1 && !bytes.Equal(r.Answers[0].MAC, r.Entry.MAC)
}

// Confirms reports whether exactly one MAC answered and it is the entry's.
func (r *SolicitResult) Confirms() bool {
	return r != nil && len(r.Answers) == 1 && bytes.Equal(r.Answers[0].MAC, r.Entry.MAC)
}

// AddAnswer records mac answering rtt after the first request, unless that
// MAC answered already: a repeated answer is the same evidence, and its
// first time is the round trip. It returns the answers, one per MAC.
func AddAnswer(as []NeighborAnswer, mac net.HardwareAddr, rtt time.Duration) []NeighborAnswer {
	for _, a := range as {
		if bytes.Equal(a.MAC, mac) {
			return as
		}
	}
	return append(as, NeighborAnswer{MAC: bytes.Clone(mac), RTT: rtt})
}
