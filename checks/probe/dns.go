package probe

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/netguard/netguard/checks/netstate"
	"golang.org/x/net/dns/dnsmessage"
)

// DNS resolves name with the system resolver and, in parallel, asks each
// name server the resolver uses for name directly (a per-domain
// resolver's when one covers name; else the default ones and the
// upstreams behind a local stub), so the report can say which server answered and
// which failed, in the order the resolver tries them. The configuration is
// read once per run (shared with NameServers) and kept in the result.
func (p *NetProber) DNS(ctx context.Context, name string) netstate.DNSResult {
	res := netstate.DNSResult{Ran: true, Name: name, Resolver: p.resolverConfig()}
	var wg sync.WaitGroup
	own, ups := res.Resolver.ServersFor(name)
	res.Servers = make([]netstate.DNSServerResult, len(own)+len(ups))
	for i, s := range append(slices.Clone(own), ups...) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res.Servers[i] = p.queryServer(ctx, s, name)
			res.Servers[i].Upstream = i >= len(own)
		}()
	}
	t0 := time.Now()
	var sent atomic.Bool
	addrs, err := p.lookup(ctx, name, &sent)
	res.Duration = time.Since(t0)
	switch {
	case sent.Load():
		res.Sent = netstate.TriYes
	case goResolver:
		res.Sent = netstate.TriNo
	}
	for _, a := range addrs {
		res.Addrs = append(res.Addrs, a.Unmap())
	}
	if err != nil {
		var de *net.DNSError
		if errors.As(err, &de) && de.IsNotFound {
			res.NotFound = true
		} else {
			res.Err = fmt.Errorf("resolve %s: %w", name, err)
		}
	}
	wg.Wait()
	return res
}

// lookup asks the system resolver, starting a new lookup every few
// intervals (two) while none has answered: one lost reply must not wait for the
// resolver's own multi-second retry. The first answer wins, NXDOMAIN
// included. Each attempt uses its own net.Resolver: a Resolver shares
// concurrent lookups of one name (singleflight) and lets a shared lookup
// outlive its callers' contexts, so retries on one Resolver would only wait
// on the first, lost, attempt, and so would the check after a repair.
//
// sent is set when the resolver dials a name server: Go's resolver does so
// through Resolver.Dial, the OS's resolver (cgo, macOS, Windows) never.
func (p *NetProber) lookup(ctx context.Context, name string, sent *atomic.Bool) ([]netip.Addr, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type answer struct {
		addrs []netip.Addr
		err   error
	}
	// A new attempt every few intervals until the window closes, not
	// three early ones: under bursty loss the early attempts all fall in
	// one burst, and a lossy but working resolver read as down.
	// Bounded all the same: a window of 2 s holds at most this many.
	const attempts = 16
	ch := make(chan answer, attempts)
	start := func() {
		go func() {
			r := &net.Resolver{Dial: func(ctx context.Context, network, address string) (net.Conn, error) {
				sent.Store(true)
				var d net.Dialer
				return d.DialContext(ctx, network, address)
			}}
			a, err := r.LookupNetIP(ctx, "ip", name)
			ch <- answer{a, err}
		}()
	}
	start()
	started, pending := 1, 1
	tick := time.NewTicker(2 * p.interval())
	defer tick.Stop()
	var last answer
	for pending > 0 {
		select {
		case a := <-ch:
			pending--
			var de *net.DNSError
			if a.err == nil || (errors.As(a.err, &de) && de.IsNotFound) {
				return a.addrs, a.err
			}
			if last.err == nil || !isCancel(a.err) {
				last = a
			}
		case <-tick.C:
			if started < attempts {
				started++
				pending++
				start()
			}
		}
	}
	return last.addrs, last.err
}

// queryServer sends one A query to server over UDP, resending a few times,
// and reports the first response's rcode. Any response, NXDOMAIN included,
// means the server works.
func (p *NetProber) queryServer(ctx context.Context, server netip.AddrPort, name string) netstate.DNSServerResult {
	res := netstate.DNSServerResult{Server: server}
	q, id, err := buildQuery(name)
	if err != nil {
		res.Err = err
		return res
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, "udp", server.String())
	if err != nil {
		res.Err = fmt.Errorf("dns %s: %w", server, err)
		return res
	}
	defer c.Close()
	if dl, ok := ctx.Deadline(); ok {
		c.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(time.Now()) })
	defer stop()
	t0 := time.Now()
	// A send the kernel refuses (EPERM from a local firewall's drop) ends
	// the query at once with that errno: waiting would only turn it into
	// a timeout that blames the server.
	sendErr := make(chan error, 1)
	go func() {
		// Resends: 0, 2, 6, 14, 30 intervals (doubling); bounded by ctx.
		wait := p.Interval * 2
		for range 5 {
			if _, err := c.Write(q); err != nil {
				sendErr <- err
				c.SetReadDeadline(time.Now())
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
				wait *= 2
			}
		}
	}()
	buf := make([]byte, 1500)
	for {
		// A read error is final: a deadline, or ECONNREFUSED from an ICMP
		// port-unreachable (nothing listens on the server's port 53).
		n, err := c.Read(buf)
		if err != nil {
			select {
			case err = <-sendErr:
			default:
			}
			res.Err = fmt.Errorf("dns %s: %w", server, err)
			return res
		}
		var m dnsmessage.Message
		if m.Unpack(buf[:n]) != nil || !answers(&m, id, name) {
			continue
		}
		res.Answered, res.Err = true, nil
		res.RTT = time.Since(t0)
		res.Rcode = rcodeName(m.Header.RCode)
		return res
	}
}

// answers reports whether m is the response to our query: its ID, the
// response bit, and the one question asked. The kernel passes only
// datagrams from the server's address and port (a connected socket); the
// rest is what an off-path sender would have to guess.
func answers(m *dnsmessage.Message, id uint16, name string) bool {
	if m.Header.ID != id || !m.Header.Response || len(m.Questions) != 1 {
		return false
	}
	q := m.Questions[0]
	return q.Type == dnsmessage.TypeA && q.Class == dnsmessage.ClassINET &&
		strings.EqualFold(strings.TrimSuffix(q.Name.String(), "."), strings.TrimSuffix(name, "."))
}

func rcodeName(r dnsmessage.RCode) string {
	switch r {
	case dnsmessage.RCodeSuccess:
		return "NOERROR"
	case dnsmessage.RCodeFormatError:
		return "FORMERR"
	case dnsmessage.RCodeServerFailure:
		return "SERVFAIL"
	case dnsmessage.RCodeNameError:
		return "NXDOMAIN"
	case dnsmessage.RCodeNotImplemented:
		return "NOTIMP"
	case dnsmessage.RCodeRefused:
		return "REFUSED"
	}
	return fmt.Sprintf("RCODE%d", int(r))
}

func buildQuery(name string) ([]byte, uint16, error) {
	n, err := dnsmessage.NewName(strings.TrimSuffix(name, ".") + ".")
	if err != nil {
		return nil, 0, fmt.Errorf("dns name %q: %w", name, err)
	}
	id := uint16(rand.UintN(1 << 16))
	m := dnsmessage.Message{
		Header:    dnsmessage.Header{ID: id, RecursionDesired: true},
		Questions: []dnsmessage.Question{{Name: n, Type: dnsmessage.TypeA, Class: dnsmessage.ClassINET}},
	}
	b, err := m.Pack()
	return b, id, err
}
