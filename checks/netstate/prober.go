package netstate

import (
	"context"
	"net/netip"
)

// Prober sends the reachability and DNS probes. The engine owns deadlines:
// a probe runs until it has an answer or ctx is done, and reports what it
// saw; it decides nothing. Fakes in checkstest replace it in tests.
type Prober interface {
	ICMP(ctx context.Context, dst netip.Addr, privileged bool) ProbeResult
	TCP(ctx context.Context, dst netip.Addr, ports []uint16) ProbeResult
	DNS(ctx context.Context, name string) DNSResult
	// Via probes dst through one interface only, whatever route the
	// kernel prefers (SO_BINDTODEVICE, IP_BOUND_IF, IP_UNICAST_IF): both
	// kinds in parallel, ICMP where the OS lets a socket be bound without
	// privilege. A kind the OS cannot bind is reported not Ran.
	Via(ctx context.Context, dst netip.Addr, ports []uint16, l Link, privileged bool) (icmp, tcp ProbeResult)
	// LargeEcho sends echo requests of size bytes (IP header included)
	// with don't-fragment set (path MTU). Where the OS cannot set it the
	// result is not Ran.
	LargeEcho(ctx context.Context, dst netip.Addr, size int, privileged bool) ProbeResult
}

// NameServerLister is a Prober that can tell, before asking, which name
// servers its DNS probe will ask. checks/probe's NetProber implements it
// on every OS (from resolv.conf, or the Windows adapters); the test fakes
// do not. The engine uses it to trace the routes to those servers while
// the probes run; without it the path tracing leaves the name servers out
// and the DNS probe waits for its answers or its deadline.
type NameServerLister interface {
	// NameServers lists the servers the DNS probe asks for name.
	NameServers(name string) (servers []netip.AddrPort, listed bool)
}
