package netstate

import (
	"net/netip"
	"time"
)

// Tri is a yes/no that can also be "not checked".
type Tri int

const (
	TriUnknown Tri = iota
	TriYes
	TriNo
)

// ProbeKind names the kind of a reachability probe.
type ProbeKind string

const (
	ProbeICMP ProbeKind = "icmp"
	ProbeTCP  ProbeKind = "tcp"
)

// ProbeResult is the outcome of one kind of probe to one host, over all its
// attempts.
type ProbeResult struct {
	Kind ProbeKind
	// Target is the address probed; the port is zero for ICMP. For TCP the
	// port that answered, else the first one tried.
	Target netip.AddrPort
	// Ran is false when the probe was not started (no target, or the
	// engine decided it could not help).
	Ran bool
	// Answered means the host itself answered: an echo reply, an accepted
	// connection, or a refusal (RST), which proves reachability as well.
	Answered bool
	Refused  bool
	RTT      time.Duration
	Attempts int
	// Err is the most telling error seen (errno kept), nil if answered.
	Err error
	// NoPermission: the OS did not let us send this kind of probe (EPERM or
	// EACCES opening the socket). The probe measured nothing.
	NoPermission bool
	// Cut: stopped early because the other kind had already answered and
	// this one did not within the grace period. Not a failure by itself.
	Cut bool
	// PortFailures are TCP ports that failed with an errno (a reject, not
	// silence) before the probe's verdict: 443 rejected while 80 answers
	// shows here, although the host answered.
	PortFailures []PortFailure
}

// String is the kind as evidence text names it.
func (k ProbeKind) String() string { return string(k) }
