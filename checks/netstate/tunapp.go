package netstate

import (
	"context"
	"net/netip"
	"time"
)

// TunHolder is a process that holds a TUN device open.
type TunHolder struct {
	PID     int
	Command string
}

// TunAppState is what was learnt about the tunnel device that owns the
// IPv4 default route (a default or 0.0.0.0/1 + 128.0.0.0/1): who holds it
// and whether connections through it get past it. Checked is false when
// no tunnel owns the default route.
type TunAppState struct {
	Checked bool
	Iface   string
	// Holders are the processes that hold the device open, where the OS
	// tells; HoldersErr says why none could be named (another user's
	// processes without root, no API on this OS).
	Holders    []TunHolder
	HoldersErr error
	// Hello is a first request sent through the device to the first
	// external target.
	Hello StreamResult
}

// StreamResult is a connection that sends a first request (a TLS
// ClientHello on 443, an HTTP request on 80) and reads the first bytes
// back: what a connect-only probe cannot tell, a tunnel that accepts every
// connection and then drops it because its own upstream is gone.
type StreamResult struct {
	Ran    bool
	Target netip.AddrPort
	// Connected: the connection was accepted.
	Connected bool
	// Replied: bytes came back (a ServerHello, an alert, an HTTP status).
	Replied bool
	// Reset: accepted, then reset or closed before any byte came back.
	Reset bool
	RTT   time.Duration
	// Err is the connect or read error, errno kept; nil when Replied.
	Err error
}

// TunHolderFinder is implemented by OS layers that can name the process
// holding a TUN device: Linux (/proc/PID/fd and fdinfo's iff line) and
// macOS (a utun is a kernel-control socket, whose pids the kernel's
// kernel-control socket list carries). Windows' wintun devices are held
// through an API that does not tell.
type TunHolderFinder interface {
	// TunHolders lists the processes holding the TUN device iface. An
	// error says why some or all could not be read; it never means none.
	TunHolders(ctx context.Context, iface string) ([]TunHolder, error)
}

// StreamProber is a Prober that can send a first request and read the
// first bytes back (checks/probe's NetProber); the test fakes may not.
type StreamProber interface {
	// Hello connects to dst, sends a TLS ClientHello (port 443) or an HTTP
	// HEAD request (any other port) and reads the first bytes of the
	// answer, until ctx is done.
	Hello(ctx context.Context, dst netip.AddrPort) StreamResult
	// Connect sends an HTTP CONNECT for target to the proxy, with
	// Proxy-Authorization when auth is not empty, and reads the proxy's
	// status and headers (bounded), until ctx is done. Nothing is sent
	// once the tunnel is up.
	Connect(ctx context.Context, proxy, target netip.AddrPort, auth string) ProxyConnect
}

// FakeIPRange is where Clash, Surge, sing-box and mihomo hand out fake
// addresses (RFC 2544's benchmarking range).
var FakeIPRange = netip.MustParsePrefix("198.18.0.0/15")

// FakeIPs are the addresses the DNS probe got in FakeIPRange that are on
// no local interface's network: addresses on one are real (labs and
// benchmarks use this range). A tunnel's network as wide as the pool
// (/16 or wider) does not count: Clash gives its TUN device an address
// with the whole pool as its network (198.18.0.1/16).
func (s *State) FakeIPs() []netip.Addr {
	var out []netip.Addr
	for _, a := range s.DNS.Addrs {
		if !a.Is4() || !FakeIPRange.Contains(a) {
			continue
		}
		onLink := false
		for _, l := range s.Links {
			for _, p := range l.Addrs {
				if p.Masked().Contains(a) && !(l.Tunnel && p.Bits() <= 16) {
					onLink = true
				}
			}
		}
		if !onLink {
			out = append(out, a)
		}
	}
	return out
}
