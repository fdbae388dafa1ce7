package probe

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"runtime"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/netguard/netguard/checks/netstate"
	probing "github.com/prometheus-community/pro-bing"
)

// NetProber is the real Prober.
type NetProber struct {
	// Interval between attempts of one probe. Loss is normal: a few
	// attempts tens of milliseconds apart, and any answer counts.
	Interval time.Duration
	// Attempts bounds how many echo requests / connects one probe sends.
	Attempts int
	// ResolvConf lists the name servers to ask directly; swapped in tests.
	ResolvConf string
	// ResolverDir holds the per-domain resolver files (macOS
	// /etc/resolver, man 5 resolver); empty where the OS has none.
	// Swapped in tests.
	ResolverDir string
	// resolv shares one read of the resolver configuration between the
	// route tracing and the DNS probe of a run.
	resolv resolverCache
}

// Default returns the prober the CLI uses.
func Default() *NetProber {
	p := &NetProber{Interval: 40 * time.Millisecond, Attempts: 8, ResolvConf: "/etc/resolv.conf"}
	if runtime.GOOS == "darwin" {
		p.ResolverDir = "/etc/resolver"
	}
	return p
}

// ICMP sends echo requests until one is answered or ctx is done. It tries an
// unprivileged ICMP socket first (Linux ping_group_range, macOS), then a raw
// one; when the OS allows neither it reports NoPermission, which means "not
// measured", never "unreachable".
func (p *NetProber) ICMP(ctx context.Context, dst netip.Addr, privileged bool) netstate.ProbeResult {
	return p.icmp(ctx, dst, privileged)
}

func (p *NetProber) icmp(ctx context.Context, dst netip.Addr, privileged bool, opts ...func(*probing.Pinger)) netstate.ProbeResult {
	res := netstate.ProbeResult{Kind: netstate.ProbeICMP, Target: netip.AddrPortFrom(dst, 0), Ran: true}
	modes := icmpModes(privileged)
	for i, priv := range modes {
		r, listenErr := p.ping(ctx, dst, priv, opts...)
		if listenErr != nil && isPermission(listenErr) && i < len(modes)-1 {
			continue
		}
		if listenErr != nil {
			r.Err = listenErr
			r.NoPermission = isPermission(listenErr)
		}
		return r
	}
	return res
}

// ping runs one pro-bing Pinger. The second return is set when the socket
// could not be opened at all.
func (p *NetProber) ping(ctx context.Context, dst netip.Addr, privileged bool, opts ...func(*probing.Pinger)) (netstate.ProbeResult, error) {
	res := netstate.ProbeResult{Kind: netstate.ProbeICMP, Target: netip.AddrPortFrom(dst, 0), Ran: true}
	// pro-bing makes tickers of Timeout and Interval, and a ticker of a
	// non-positive duration panics: a probe that starts at or after its
	// deadline (a short --timeout, a loaded machine) sent nothing and heard
	// nothing, which is "no reply", not a crash.
	timeout := time.Hour // the context is the deadline
	if dl, ok := ctx.Deadline(); ok {
		timeout = time.Until(dl)
	}
	if timeout <= 0 || ctx.Err() != nil {
		res.Err = netstate.ErrNoReply
		return res, nil
	}
	pg := probing.New(dst.String())
	for _, o := range opts {
		o(pg)
	}
	pg.SetIPAddr(&net.IPAddr{IP: dst.AsSlice(), Zone: dst.Zone()})
	pg.SetPrivileged(privileged)
	pg.SetLogger(probing.NoopLogger{})
	pg.Count = max(p.Attempts, 1)
	pg.Interval = p.interval()
	pg.RecordRtts, pg.RecordTTLs = false, false
	pg.Timeout = timeout
	// The outcome is kept here, not read back from pg.Statistics: ping
	// returns without waiting for pro-bing to wind down (below), and its
	// callbacks may still run meanwhile.
	var (
		mu       sync.Mutex
		sendErr  error
		sent     int
		answered bool
		rtt      time.Duration
		started  = time.Now()
	)
	settled := make(chan struct{}) // an answer, or a send that can never succeed
	var settle sync.Once
	pg.OnSend = func(*probing.Packet) {
		mu.Lock()
		sent++
		mu.Unlock()
	}
	pg.OnRecv = func(pkt *probing.Packet) {
		mu.Lock()
		if !answered {
			answered, rtt = true, pkt.Rtt
		}
		mu.Unlock()
		settle.Do(func() { close(settled) })
		pg.Stop() // one answer is enough
	}
	pg.OnSendError = func(_ *probing.Packet, err error) {
		mu.Lock()
		sendErr = err
		mu.Unlock()
		if errors.Is(err, syscall.EMSGSIZE) {
			// A don't-fragment echo larger than the path MTU the
			// kernel knows: every further send fails the same way.
			settle.Do(func() { close(settled) })
			pg.Stop()
		}
	}
	// pro-bing's receiver polls with a read deadline that backs off to
	// about 100 ms and sees a Stop only when that deadline passes, so
	// waiting for Run to return after an answer or after the window closed
	// costs up to that long, and a silent gateway's verdict would come that
	// much after its window. ping returns at once instead; the Pinger closes
	// its socket and ends its goroutines on its own within that poll.
	runErr := make(chan error, 1)
	go func() { runErr <- pg.RunWithContext(ctx) }()
	var err error
	select {
	case err = <-runErr:
	case <-settled:
	case <-ctx.Done():
		select {
		case err = <-runErr: // already over: keep what it said
		default:
		}
	}
	mu.Lock()
	defer mu.Unlock()
	res.Attempts = sent
	if answered {
		res.Answered = true
		res.RTT = rtt
		if res.RTT <= 0 {
			res.RTT = time.Since(started)
		}
		return res, nil
	}
	switch {
	case sendErr != nil:
		res.Err = sendErr
	case err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded):
		if sent == 0 && !isRouteErr(err) {
			return res, err // the socket could not be opened
		}
		res.Err = err
	default:
		res.Err = netstate.ErrNoReply
	}
	return res, nil
}

// interval is p.Interval, or the default when it is not positive (a
// NetProber literal without one): every ticker needs a positive period.
func (p *NetProber) interval() time.Duration {
	if p.Interval <= 0 {
		return Default().Interval
	}
	return p.Interval
}

// TCP connects to each port in parallel, repeating the connects a few times
// so that one lost SYN does not wait for the kernel's 1 s retransmission.
// An accepted connection and a refusal both mean the host answered.
func (p *NetProber) TCP(ctx context.Context, dst netip.Addr, ports []uint16) netstate.ProbeResult {
	return p.tcp(ctx, dst, ports, nil)
}

// tcp is TCP with a dialer Control (a socket option set before connect).
func (p *NetProber) tcp(ctx context.Context, dst netip.Addr, ports []uint16, control func(network, address string, c syscall.RawConn) error) netstate.ProbeResult {
	res := netstate.ProbeResult{Kind: netstate.ProbeTCP, Ran: true}
	if len(ports) == 0 {
		ports = netstate.DefaultTCPPorts
	}
	res.Target = netip.AddrPortFrom(dst, ports[0])
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type answer struct {
		port uint16
		err  error
		rtt  time.Duration
	}
	rounds := 3
	ch := make(chan answer, rounds*len(ports))
	var wg sync.WaitGroup
	launch := func(ports []uint16) {
		for _, port := range ports {
			wg.Add(1)
			res.Attempts++
			go func() {
				defer wg.Done()
				t0 := time.Now()
				w := newRejectWatch()
				d := net.Dialer{Control: w.control(control)}
				c, err := d.DialContext(ctx, "tcp", netip.AddrPortFrom(dst, port).String())
				rtt := time.Since(t0)
				if c != nil {
					c.Close()
				}
				if cl := netstate.Classify(err); cl == netstate.ClassRefused || cl == netstate.ClassHostUnreach {
					// Refused by our own stack, not by the host: a local
					// firewall's reject is no answer from the target.
					if from, local := w.localSender(); local {
						err = &netstate.LocalRejectError{Err: err, From: from}
					}
				}
				w.close()
				ch <- answer{port, err, rtt}
			}()
		}
	}
	// The first port alone, the others an interval later if it has not
	// answered: a healthy host answers the first (accept or refusal), so a
	// healthy check makes one connection, not three.
	launch(ports[:1])
	spread := time.After(p.interval())
	if len(ports) == 1 {
		spread = nil
	}
	// Retry rounds are spaced wider than ICMP's: each one is a handful of
	// connects, and a refused port answers at once anyway.
	tick := time.NewTicker(5 * p.interval())
	defer tick.Stop()
	launched, pending := 1, 1
	for pending > 0 || spread != nil {
		select {
		case a := <-ch:
			pending--
			if a.err == nil || netstate.Classify(a.err) == netstate.ClassRefused {
				res.Answered, res.Refused = true, a.err != nil
				res.Target = netip.AddrPortFrom(dst, a.port)
				res.RTT, res.Err = a.rtt, nil
				cancel()
				wg.Wait()
				return res
			}
			if !isCancel(a.err) && betterErr(a.err, res.Err) {
				res.Err = a.err
			}
			if c := netstate.Classify(a.err); c != netstate.ClassTimeout && !isCancel(a.err) && !slices.ContainsFunc(res.PortFailures, func(f netstate.PortFailure) bool { return f.Port == a.port }) {
				res.PortFailures = append(res.PortFailures, netstate.PortFailure{Port: a.port, Err: a.err})
				if spread != nil {
					// The first port was rejected outright: the others
					// need not wait for the interval to tell a filter
					// from a dead host.
					spread = nil
					pending += len(ports) - 1
					launch(ports[1:])
				}
			}
		case <-spread:
			spread = nil
			pending += len(ports) - 1
			launch(ports[1:])
		case <-tick.C:
			if launched < rounds {
				launched++
				pending += len(ports)
				launch(ports)
			}
		case <-ctx.Done():
			pending, spread = 0, nil
		}
	}
	cancel()
	wg.Wait()
	if res.Err == nil {
		res.Err = netstate.ErrNoReply
	}
	return res
}

// betterErr prefers an errno (it tells why) over a bare timeout.
func betterErr(cand, cur error) bool {
	return cur == nil || (netstate.Classify(cur) == netstate.ClassTimeout && netstate.Classify(cand) != netstate.ClassTimeout)
}

func isCancel(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// isPermission reports whether the OS refused us this kind of socket or
// packet.
func isPermission(err error) bool {
	return netstate.Classify(err) == netstate.ClassPermission || errors.Is(err, syscall.EPROTONOSUPPORT)
}

// isRouteErr reports whether err is about the path, not the socket.
func isRouteErr(err error) bool {
	switch netstate.Classify(err) {
	case netstate.ClassHostUnreach, netstate.ClassNetUnreach, netstate.ClassNoBufs, netstate.ClassAddrNotAvail, netstate.ClassInvalid:
		return true
	}
	return false
}
