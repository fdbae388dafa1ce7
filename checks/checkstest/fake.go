// Package checkstest provides fakes of the checks OS layer and prober, as
// data plus function fields, for tests in any package.
package checkstest

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/netguard/netguard/checks/netstate"
)

// FakeSystem is a netstate.System over in-memory tables. Mutators change the
// tables, so a repair is visible to the next read, and are recorded in
// Calls.
type FakeSystem struct {
	mu           sync.Mutex
	LinkTable    []netstate.Link
	RouteTable   []netstate.Route
	NeighTable   []netstate.Neighbor
	SocketStats  netstate.SocketStats
	LinksErr     error
	RoutesErr    error
	NeighborsErr error
	SocketsErr   error
	// RouteToFunc answers RouteTo; nil means: the longest matching route
	// of RouteTable, ENETUNREACH when none.
	RouteToFunc func(dst netip.Addr) (netstate.Route, error)
	// SolicitFunc answers Solicit (an ARP/NDP request as root); nil
	// means nothing answers until ctx ends.
	SolicitFunc func(l netstate.Link, ip netip.Addr) (net.HardwareAddr, error)
	// SolicitAnswers, when set, are the answers a solicitation gathers
	// (several MACs, late ones) instead of SolicitFunc's one.
	SolicitAnswers func(l netstate.Link, ip netip.Addr) []netstate.NeighborAnswer
	// AddrClaims are the MACs an RFC 5227 probe of one of our own IPv4
	// addresses gathers (ProbeAddress, as root); nil: nobody claims it.
	AddrClaims func(l netstate.Link, a netip.Addr) []netstate.NeighborAnswer
	// DeleteNeighborFunc, when set, decides a delete's error.
	DeleteNeighborFunc func(n netstate.Neighbor) error
	// OnChange runs after every successful mutation (e.g. to make the
	// fake prober see the repaired network).
	OnChange func(f *FakeSystem)
	Calls    []string
	// Managers are the network managers the fake reports in charge
	// (netstate.ManagerReader); the zero value means unknown.
	Managers netstate.Managers
	// Unsupported are the rungs the fake says cannot run here
	// (netstate.RepairSupporter).
	Unsupported []netstate.Rung
	// Local is the machine's local configuration the fake reports
	// (netstate.LocalSystem); the zero value is a healthy machine.
	Local LocalConfig

	// RuleTable are the policy rules (netstate.RuleReader); TunnelTable
	// what each tunnel device says (netstate.TunnelInspector), by name;
	// TunnelReads the devices read, in order.
	RuleTable   []netstate.Rule
	TunnelTable map[string]netstate.TunnelInfo
	TunnelReads []string

	// AddrProbeErr is the error ProbeAddress returns at once instead of
	// probing (a socket or device root may not open).
	AddrProbeErr error
}

// LocalConfig is what FakeSystem answers as a netstate.LocalSystem and
// netstate.NSSReader. Its zero value is healthy: a hosts file that maps
// localhost to loopback, a synchronised clock, no system proxy.
type LocalConfig struct {
	// Hosts replaces the hosts file's content when non-nil.
	Hosts []byte
	// HostsErr fails the hosts file read.
	HostsErr error
	// Clock replaces the synchronised clock when Checked is set.
	Clock netstate.ClockState
	// Proxies are the system proxies.
	Proxies []netstate.ProxySetting
	// PortOwners name the process on a port; others answer an error.
	PortOwners map[uint16]netstate.PortOwner
	// NSSModule is the module that answers localhost by itself.
	NSSModule string
}

var (
	_ netstate.System            = (*FakeSystem)(nil)
	_ netstate.LocalSystem       = (*FakeSystem)(nil)
	_ netstate.NSSReader         = (*FakeSystem)(nil)
	_ netstate.NeighborSetter    = (*FakeSystem)(nil)
	_ netstate.LinkDowner        = (*FakeSystem)(nil)
	_ netstate.NeighborSoliciter = (*FakeSystem)(nil)
	_ netstate.AddressProber     = (*FakeSystem)(nil)
	_ netstate.ManagerReader     = (*FakeSystem)(nil)
	_ netstate.RepairSupporter   = (*FakeSystem)(nil)
)

// PortOwner names the owner of port from Local.PortOwners.
func (f *FakeSystem) PortOwner(_ context.Context, port uint16) (netstate.PortOwner, error) {
	if o, ok := f.Local.PortOwners[port]; ok {
		return o, nil
	}
	return netstate.PortOwner{}, fmt.Errorf("owner of port %d: %w", port, netstate.ErrUnsupported)
}

// HostsFile is Local.Hosts, else one that maps localhost to loopback.
func (f *FakeSystem) HostsFile() (string, []byte, error) {
	if f.Local.HostsErr != nil {
		return "/etc/hosts", nil, f.Local.HostsErr
	}
	if f.Local.Hosts != nil {
		return "/etc/hosts", f.Local.Hosts, nil
	}
	return "/etc/hosts", []byte("127.0.0.1 localhost\n::1 localhost\n"), nil
}

// SystemProxy is Local.Proxies.
func (f *FakeSystem) SystemProxy() ([]netstate.ProxySetting, error) { return f.Local.Proxies, nil }

// Clock is Local.Clock, else a synchronised clock.
func (f *FakeSystem) Clock() netstate.ClockState {
	if f.Local.Clock.Checked {
		return f.Local.Clock
	}
	return netstate.ClockState{Checked: true, Synced: netstate.TriYes}
}

// LocalhostNSSModule is Local.NSSModule.
func (f *FakeSystem) LocalhostNSSModule() string { return f.Local.NSSModule }

func (f *FakeSystem) Links(context.Context) ([]netstate.Link, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]netstate.Link(nil), f.LinkTable...), f.LinksErr
}

func (f *FakeSystem) Routes(context.Context) ([]netstate.Route, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]netstate.Route(nil), f.RouteTable...), f.RoutesErr
}

func (f *FakeSystem) RouteTo(_ context.Context, dst netip.Addr) (netstate.Route, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.RouteToFunc != nil {
		return f.RouteToFunc(dst)
	}
	var best *netstate.Route
	for i := range f.RouteTable {
		r := &f.RouteTable[i]
		if r.Dst.Contains(dst) && (best == nil || r.Dst.Bits() > best.Dst.Bits() || r.Metric < best.Metric && r.Dst.Bits() == best.Dst.Bits()) {
			best = r
		}
	}
	if best == nil {
		return netstate.Route{}, ENETUNREACH
	}
	switch best.Type {
	case netstate.RouteUnreachable:
		return netstate.Route{}, EHOSTUNREACH
	case netstate.RouteProhibit:
		return netstate.Route{}, EACCES
	case netstate.RouteBlackhole:
		return netstate.Route{}, EINVAL
	}
	return *best, nil
}

// Solicit answers through SolicitAnswers or SolicitFunc, after ctx ends
// as the real one does; an answer whose RTT is longer than the
// solicitation ran came too late and is not returned. It changes nothing,
// so it is not recorded in Calls.
func (f *FakeSystem) Solicit(ctx context.Context, l netstate.Link, ip netip.Addr) ([]netstate.NeighborAnswer, error) {
	t0 := time.Now()
	f.mu.Lock()
	fn, all := f.SolicitFunc, f.SolicitAnswers
	f.mu.Unlock()
	var as []netstate.NeighborAnswer
	switch {
	case all != nil:
		as = all(l, ip)
	case fn != nil:
		mac, err := fn(l, ip)
		if err != nil {
			return nil, err
		}
		if mac != nil {
			as = []netstate.NeighborAnswer{{MAC: mac, RTT: 100 * time.Microsecond}}
		}
	}
	return answeredBy(ctx, t0, as), nil
}

// answeredBy waits for ctx to end, as a real solicitation or address
// probe runs to its deadline, and keeps the answers whose RTT falls
// within the time since t0: a later one came too late.
func answeredBy(ctx context.Context, t0 time.Time, as []netstate.NeighborAnswer) []netstate.NeighborAnswer {
	<-ctx.Done()
	ran := time.Since(t0)
	var out []netstate.NeighborAnswer
	for _, a := range as {
		if a.RTT <= ran {
			out = netstate.AddAnswer(out, a.MAC, a.RTT)
		}
	}
	return out
}

func (f *FakeSystem) Neighbors(context.Context) ([]netstate.Neighbor, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]netstate.Neighbor(nil), f.NeighTable...), f.NeighborsErr
}

func (f *FakeSystem) Sockets(context.Context) (netstate.SocketStats, error) {
	return f.SocketStats, f.SocketsErr
}

// SetRoutes replaces the route table (a network manager adding routes
// back), without recording a call.
func (f *FakeSystem) SetRoutes(rs []netstate.Route) {
	f.mu.Lock()
	f.RouteTable = rs
	f.mu.Unlock()
}

func (f *FakeSystem) record(call string) {
	f.Calls = append(f.Calls, call)
}

func (f *FakeSystem) changed() {
	if f.OnChange != nil {
		f.OnChange(f)
	}
}

func (f *FakeSystem) DeleteNeighbor(_ context.Context, n netstate.Neighbor) error {
	f.mu.Lock()
	f.record("delete-neighbor " + n.IfName + " " + n.IP.String())
	if f.DeleteNeighborFunc != nil {
		if err := f.DeleteNeighborFunc(n); err != nil {
			f.mu.Unlock()
			return err
		}
	}
	var kept []netstate.Neighbor
	for _, x := range f.NeighTable {
		if !(x.IP == n.IP && x.IfIndex == n.IfIndex) {
			kept = append(kept, x)
		}
	}
	f.NeighTable = kept
	f.mu.Unlock()
	f.changed()
	return nil
}

// SetNeighbor makes the fake support restoring static entries.
func (f *FakeSystem) SetNeighbor(_ context.Context, n netstate.Neighbor) error {
	f.mu.Lock()
	f.record("set-neighbor " + n.IfName + " " + n.IP.String() + " " + n.MAC.String())
	f.NeighTable = append(f.NeighTable, n)
	f.mu.Unlock()
	f.changed()
	return nil
}

// SetLinkUp records "link-up NAME" and sets AdminUp.
func (f *FakeSystem) SetLinkUp(_ context.Context, idx int) error {
	f.setAdmin(idx, true, "link-up ")
	return nil
}

// SetLinkDown records "link-down NAME" and clears AdminUp.
func (f *FakeSystem) SetLinkDown(_ context.Context, idx int) error {
	f.setAdmin(idx, false, "link-down ")
	return nil
}

// setAdmin sets AdminUp of the link with index idx to up and records
// action with its name.
func (f *FakeSystem) setAdmin(idx int, up bool, action string) {
	f.mu.Lock()
	for i := range f.LinkTable {
		if f.LinkTable[i].Index == idx {
			f.record(action + f.LinkTable[i].Name)
			f.LinkTable[i].AdminUp = up
		}
	}
	f.mu.Unlock()
	f.changed()
}

func (f *FakeSystem) FlushDNSCache(context.Context) error {
	f.mu.Lock()
	f.record("flush-dns")
	f.mu.Unlock()
	f.changed()
	return nil
}

func (f *FakeSystem) ReapplyInterface(_ context.Context, name string) error {
	f.mu.Lock()
	f.record("reapply " + name)
	f.mu.Unlock()
	return netstate.ErrUnsupported
}

// NetworkManagers reports f.Managers.
func (f *FakeSystem) NetworkManagers() netstate.Managers { return f.Managers }

// Supports reports whether fx is not in f.Unsupported.
func (f *FakeSystem) Supports(fx netstate.Rung, _ netstate.Managers) bool {
	return !slices.Contains(f.Unsupported, fx)
}

// Errnos the fake's route lookups answer with, as the kernel would.
var (
	ENETUNREACH  error = syscall.ENETUNREACH
	EHOSTUNREACH error = syscall.EHOSTUNREACH
	EACCES       error = syscall.EACCES
	EINVAL       error = syscall.EINVAL
)

// FakeProber answers probes from maps keyed by address. A host in neither
// map is silent: its probes wait for the deadline and report no reply.
type FakeProber struct {
	mu     sync.Mutex
	ICMPBy map[netip.Addr]netstate.ProbeResult
	TCPBy  map[netip.Addr]netstate.ProbeResult
	DNSRes netstate.DNSResult
	// DNSFunc, when set, answers DNS instead of DNSRes.
	DNSFunc func() netstate.DNSResult
	// DNSSilent makes DNS wait for its deadline and report a timeout, as
	// a resolver whose servers never answer.
	DNSSilent bool
	// Servers are the name servers DNS says it asks (NameServers).
	Servers []netip.AddrPort
	// Asked records every ICMP and TCP probe sent: "icmp 203.0.113.5",
	// "via eth1 203.0.113.5".
	Asked []string
	// UplinkUp lists the interfaces (by index) through which Via gets
	// answers; Via through any other is silent.
	UplinkUp map[int]bool
	// LargeLost makes LargeEcho silent; otherwise it answers as ICMP does.
	LargeLost bool
	// AnswerDelay delays every answered ICMP and TCP probe (a round trip).
	AnswerDelay time.Duration
}

var _ netstate.Prober = (*FakeProber)(nil)

// NewFakeProber returns a prober where every listed host answers both
// kinds of probe in 1 ms and DNS resolves through one server.
func NewFakeProber(up ...netip.Addr) *FakeProber {
	p := &FakeProber{ICMPBy: map[netip.Addr]netstate.ProbeResult{}, TCPBy: map[netip.Addr]netstate.ProbeResult{}}
	for _, a := range up {
		p.Up(a)
	}
	p.DNSRes = GoodDNS()
	return p
}

// GoodDNS is a resolved lab name.
func GoodDNS() netstate.DNSResult {
	return netstate.DNSResult{Ran: true, Name: "www.lab.test", Addrs: []netip.Addr{netip.MustParseAddr("203.0.113.80")},
		Servers: []netstate.DNSServerResult{{Server: netip.MustParseAddrPort("203.0.113.5:53"), Answered: true, Rcode: "NOERROR"}}}
}

// Up makes a host answer both kinds of probe.
func (p *FakeProber) Up(a netip.Addr) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ICMPBy[a] = netstate.ProbeResult{Kind: netstate.ProbeICMP, Target: netip.AddrPortFrom(a, 0), Ran: true, Answered: true, RTT: time.Millisecond, Attempts: 1}
	p.TCPBy[a] = netstate.ProbeResult{Kind: netstate.ProbeTCP, Target: netip.AddrPortFrom(a, 443), Ran: true, Answered: true, Refused: true, RTT: time.Millisecond, Attempts: 1}
}

// Down makes a host silent.
func (p *FakeProber) Down(a netip.Addr) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.ICMPBy, a)
	delete(p.TCPBy, a)
}

// Set replaces one kind of probe result for a host.
func (p *FakeProber) Set(a netip.Addr, r netstate.ProbeResult) {
	p.mu.Lock()
	defer p.mu.Unlock()
	r.Ran = true
	if r.Kind == netstate.ProbeTCP {
		p.TCPBy[a] = r
	} else {
		r.Kind = netstate.ProbeICMP
		p.ICMPBy[a] = r
	}
}

func (p *FakeProber) answer(ctx context.Context, m map[netip.Addr]netstate.ProbeResult, kind netstate.ProbeKind, dst netip.Addr) netstate.ProbeResult {
	p.mu.Lock()
	p.Asked = append(p.Asked, string(kind)+" "+dst.String())
	r, ok := m[dst]
	delay := p.AnswerDelay
	p.mu.Unlock()
	if ok && r.Answered && delay > 0 {
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return netstate.ProbeResult{Kind: kind, Target: netip.AddrPortFrom(dst, 0), Ran: true, Err: ctx.Err(), Attempts: 1}
		}
	}
	if ok {
		if !r.Answered && r.Err == nil {
			<-ctx.Done()
			r.Err = context.DeadlineExceeded
		}
		return r
	}
	<-ctx.Done()
	return netstate.ProbeResult{Kind: kind, Target: netip.AddrPortFrom(dst, 0), Ran: true, Err: context.DeadlineExceeded, Attempts: 8}
}

func (p *FakeProber) ICMP(ctx context.Context, dst netip.Addr, _ bool) netstate.ProbeResult {
	return p.answer(ctx, p.ICMPBy, netstate.ProbeICMP, dst)
}

func (p *FakeProber) TCP(ctx context.Context, dst netip.Addr, _ []uint16) netstate.ProbeResult {
	return p.answer(ctx, p.TCPBy, netstate.ProbeTCP, dst)
}

// Via answers through the interfaces in UplinkUp, else stays silent until
// ctx ends.
func (p *FakeProber) Via(ctx context.Context, dst netip.Addr, _ []uint16, l netstate.Link, _ bool) (icmp, tcp netstate.ProbeResult) {
	p.mu.Lock()
	p.Asked = append(p.Asked, "via "+l.Name+" "+dst.String())
	up := p.UplinkUp[l.Index]
	p.mu.Unlock()
	icmp = netstate.ProbeResult{Kind: netstate.ProbeICMP, Target: netip.AddrPortFrom(dst, 0), Ran: true}
	tcp = netstate.ProbeResult{Kind: netstate.ProbeTCP, Target: netip.AddrPortFrom(dst, 443), Ran: true}
	if up {
		icmp.Answered, icmp.RTT, tcp.Answered, tcp.Refused, tcp.RTT = true, time.Millisecond, true, true, time.Millisecond
		return icmp, tcp
	}
	<-ctx.Done()
	icmp.Err, tcp.Err = context.DeadlineExceeded, context.DeadlineExceeded
	return icmp, tcp
}

// LargeEcho answers like ICMP to dst unless LargeLost.
func (p *FakeProber) LargeEcho(ctx context.Context, dst netip.Addr, size int, priv bool) netstate.ProbeResult {
	p.mu.Lock()
	lost := p.LargeLost
	p.Asked = append(p.Asked, fmt.Sprintf("large %d %s", size, dst))
	p.mu.Unlock()
	if lost {
		<-ctx.Done()
		return netstate.ProbeResult{Kind: netstate.ProbeICMP, Target: netip.AddrPortFrom(dst, 0), Ran: true, Err: context.DeadlineExceeded, Attempts: 8}
	}
	return p.ICMP(ctx, dst, priv)
}

// NameServers lists Servers whatever the name, so the engine traces their
// routes.
func (p *FakeProber) NameServers(string) ([]netip.AddrPort, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]netip.AddrPort(nil), p.Servers...), true
}

// Probed returns the probes sent so far.
func (p *FakeProber) Probed() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.Asked...)
}

func (p *FakeProber) DNS(ctx context.Context, name string) netstate.DNSResult {
	p.mu.Lock()
	silent := p.DNSSilent
	p.mu.Unlock()
	if silent {
		<-ctx.Done()
		return netstate.DNSResult{Ran: true, Name: name, Err: ctx.Err()}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.DNSFunc != nil {
		return p.DNSFunc()
	}
	return p.DNSRes
}

// ProbeAddress answers through AddrClaims after ctx ends, keeping only the
// claims whose RTT falls within the time the probe ran, as Solicit does.
func (f *FakeSystem) ProbeAddress(ctx context.Context, l netstate.Link, a netip.Addr) ([]netstate.NeighborAnswer, error) {
	t0 := time.Now()
	f.mu.Lock()
	fn, perr := f.AddrClaims, f.AddrProbeErr
	f.mu.Unlock()
	if perr != nil {
		return nil, perr
	}
	var as []netstate.NeighborAnswer
	if fn != nil {
		as = fn(l, a)
	}
	return answeredBy(ctx, t0, as), nil
}
