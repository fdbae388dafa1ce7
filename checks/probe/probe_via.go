package probe

import (
	"context"
	"fmt"
	"net/netip"
	"sync"
	"syscall"

	"github.com/netguard/netguard/checks/netstate"
	probing "github.com/prometheus-community/pro-bing"
)

// Probes bound to one interface (several default routes):
// when the default route in use leads nowhere, each other uplink is tried
// through its own interface, so the report can say which one would work.
// Binding changes only this socket's route lookup (the kernel then picks
// the route through that interface); no table is touched.

// Via probes dst through interface l only. TCP binds its socket
// (bindToInterface, per OS); ICMP is bound only where the OS honours it
// for unprivileged echo sockets (icmpBindable), and is otherwise not run:
// an unbound echo would take the preferred route and prove nothing.
func (p *NetProber) Via(ctx context.Context, dst netip.Addr, ports []uint16, l netstate.Link, privileged bool) (icmp, tcp netstate.ProbeResult) {
	var wg sync.WaitGroup
	icmp = netstate.ProbeResult{Kind: netstate.ProbeICMP, Target: netip.AddrPortFrom(dst, 0)}
	if icmpBindable {
		wg.Go(func() {
			icmp = p.icmp(ctx, dst, privileged, func(pg *probing.Pinger) { pg.InterfaceName = l.Name })
		})
	}
	control := func(network, address string, c syscall.RawConn) error {
		var err error
		if cerr := c.Control(func(fd uintptr) { err = bindToInterface(fd, dst.Is6(), l) }); cerr != nil {
			return cerr
		}
		if err != nil {
			return fmt.Errorf("bind to %s: %w", l.Name, err)
		}
		return nil
	}
	tcp = p.tcp(ctx, dst, ports, control)
	wg.Wait()
	if isPermission(tcp.Err) {
		tcp.NoPermission = true
	}
	return icmp, tcp
}
