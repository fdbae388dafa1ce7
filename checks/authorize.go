package checks

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/netguard/netguard/checks/diagnose"
	"github.com/netguard/netguard/checks/netstate"
)

// ErrNotAuthorized is returned by Authorize: the action is well formed but
// is not a repair of this machine's current state. The privileged helper
// acts on nothing else, so a sudoers rule for `guard repair *` cannot be
// used to rewrite another host's neighbor entry or bring up a link an
// administrator left down.
var ErrNotAuthorized = errors.New("not a current finding")

// Tables reads the kernel's tables the privileged helper decides from:
// links, routes and neighbors, with each family's default route. It sends
// nothing.
func (e *Engine) Tables(ctx context.Context) *netstate.State {
	s := &netstate.State{OS: e.OS, Privileged: e.Privileged}
	s.V4.Family, s.V6.Family = 4, 6
	var wg sync.WaitGroup
	wg.Add(3)
	go func() { defer wg.Done(); s.Links, s.LinksErr = e.Sys.Links(ctx) }()
	go func() { defer wg.Done(); s.Routes, s.RoutesErr = e.Sys.Routes(ctx) }()
	go func() { defer wg.Done(); s.Neighbors, s.NeighborsErr = e.Sys.Neighbors(ctx) }()
	wg.Wait()
	for _, f := range s.Families() {
		f.Default = pickDefault(s.Routes, f.Family)
		if f.Default != nil {
			f.Gateway = f.Default.Gateway
		}
	}
	nameInterfaces(s)
	return s
}

// Authorize decides from the tables alone whether a is a repair of a
// current finding. It is pure: the helper reads the tables itself and never
// trusts its caller's view of them.
//   - delete-neighbor: the IP is the gateway of a default route (or a
//     VPN's split default) on that interface, and the entry exists;
//   - flush-neighbors: the interface carries a default route;
//   - link-up: the diagnosis of these tables names the interface as down
//     (the only interface that can explain a missing default route, or
//     the default route's own);
//   - reapply-interface: the interface carries a default route or is named
//     by a link finding;
//   - flush-dns: always (it only empties a cache).
func Authorize(s *netstate.State, a Action) error {
	if s.LinksErr != nil || s.RoutesErr != nil {
		return fmt.Errorf("read tables: %w", errors.Join(s.LinksErr, s.RoutesErr))
	}
	if a.Rung == netstate.RungFlushDNS {
		return nil
	}
	if !slices.ContainsFunc(s.Links, func(l netstate.Link) bool { return l.Name == a.IfName }) {
		return fmt.Errorf("%w: no interface %q", ErrNotAuthorized, a.IfName)
	}
	carriesDefault := slices.ContainsFunc(s.Routes, func(r netstate.Route) bool {
		return isDefaultLike(r) && r.IfName == a.IfName
	})
	linkFinding := func(ids ...string) bool {
		return slices.ContainsFunc(diagnose.Diagnose(s).Findings, func(f diagnose.Finding) bool {
			return slices.Contains(ids, f.ID) && f.Args[diagnose.ArgIface] == a.IfName
		})
	}
	switch a.Rung {
	case netstate.RungDeleteNeighbor:
		gw := slices.ContainsFunc(s.Routes, func(r netstate.Route) bool {
			return isDefaultLike(r) && r.IfName == a.IfName && r.Gateway == a.IP
		})
		if !gw {
			return fmt.Errorf("%w: %s is not the gateway of a default route on %s", ErrNotAuthorized, a.IP, a.IfName)
		}
		if s.NeighborsErr != nil {
			return fmt.Errorf("read neighbors: %w", s.NeighborsErr)
		}
		if _, ok := neighborOf(s, a.IfName, a.IP); !ok {
			return fmt.Errorf("%w: no neighbor entry for %s on %s", ErrNotAuthorized, a.IP, a.IfName)
		}
		return nil
	case netstate.RungFlushNeighbors:
		if carriesDefault {
			return nil
		}
		return fmt.Errorf("%w: %s carries no default route", ErrNotAuthorized, a.IfName)
	case netstate.RungLinkUp:
		if linkFinding(diagnose.LinkDown.ID) {
			return nil
		}
		return fmt.Errorf("%w: %s is not a down link the default route needs", ErrNotAuthorized, a.IfName)
	case netstate.RungReapplyInterface:
		if carriesDefault || linkFinding(diagnose.LinkDown.ID, diagnose.LinkNoCarrier.ID, diagnose.LinkNoLease.ID, diagnose.LinkNoAddress.ID) {
			return nil
		}
		return fmt.Errorf("%w: %s carries no default route and no link finding names it", ErrNotAuthorized, a.IfName)
	}
	return fmt.Errorf("%w: action %q", ErrNotAuthorized, a.Rung)
}

// isDefaultLike reports whether r is a unicast default route, or half of a
// VPN's split default (0.0.0.0/1, 128.0.0.0/1), which covers everything
// just as well.
func isDefaultLike(r netstate.Route) bool {
	return r.Type == netstate.RouteUnicast && r.Dst.IsValid() && r.Dst.Bits() <= 1
}

func neighborOf(s *netstate.State, ifName string, ip netip.Addr) (netstate.Neighbor, bool) {
	for _, n := range s.Neighbors {
		if n.IfName == ifName && n.IP == ip {
			return n, true
		}
	}
	return netstate.Neighbor{}, false
}

// Repair is the privileged helper's whole job for one action: re-read the
// tables, refuse anything that is not a current finding, act, and for a
// permanent neighbor entry verify that the gateway answers without it,
// putting the entry back when it does not. The restore is not a command
// anyone can ask for: only the entry this call itself removed comes back.
//
// A permanent entry is an administrator's pin against spoofing, and any
// code running as the user can call the helper: it is deleted only when
// the helper itself finds it wrong (pinWrong).
func (e *Engine) Repair(ctx context.Context, a Action) error {
	s := e.Tables(ctx)
	if err := Authorize(s, a); err != nil {
		return err
	}
	if a.Rung != netstate.RungDeleteNeighbor {
		return e.Do(ctx, a)
	}
	old, _ := neighborOf(s, a.IfName, a.IP)
	if old.Permanent {
		if err := e.pinWrong(ctx, s, old); err != nil {
			return err
		}
	}
	if err := e.Do(ctx, a); err != nil {
		return err
	}
	if !old.Permanent {
		return nil // the kernel resolves the gateway afresh by itself
	}
	t := &netstate.TargetResult{Addr: a.IP, Role: "gateway"}
	e.probeGateway(ctx, t, nil, nil)
	if t.Reachable() {
		return nil
	}
	rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer rcancel()
	ns := e.Sys.(netstate.NeighborSetter) // pinWrong refused without one
	old.State, old.Permanent = netstate.NeighPermanent, true
	if err := ns.SetNeighbor(rctx, old); err != nil {
		return fmt.Errorf("gateway %s silent after deleting its permanent entry; restoring it failed: %w", a.IP, err)
	}
	return fmt.Errorf("%w: gateway %s stayed silent without its permanent entry, which was put back", ErrNotConfirmed, a.IP)
}

// pinWrong returns nil when the permanent entry n may be deleted: it can
// be put back, traffic to the gateway through it gets no answer, and,
// where the OS can ask, exactly one MAC other than n's answers for the
// gateway's address. Otherwise it says why not, wrapping
// ErrNotAuthorized.
func (e *Engine) pinWrong(ctx context.Context, s *netstate.State, n netstate.Neighbor) error {
	if _, ok := e.Sys.(netstate.NeighborSetter); !ok {
		return fmt.Errorf("%w: the permanent entry for %s on %s could not be put back here, so it is not removed: %w", ErrNotAuthorized, n.IP, n.IfName, netstate.ErrUnsupported)
	}
	var sol *netstate.SolicitResult
	l := linkOf(s.Links, n.IfIndex)
	if _, ok := e.Sys.(netstate.NeighborSoliciter); ok && l != nil {
		sol = &netstate.SolicitResult{Entry: n}
	}
	t := &netstate.TargetResult{Addr: n.IP, Role: "gateway"}
	e.probeGateway(ctx, t, sol, l)
	switch {
	case t.Reachable():
		return fmt.Errorf("%w: the gateway %s answers through its permanent entry (%s on %s): the pin is right", ErrNotAuthorized, n.IP, netstate.MACText(n.MAC), n.IfName)
	case ctx.Err() != nil:
		return fmt.Errorf("probe the gateway %s: %w", n.IP, ctx.Err())
	case sol == nil:
		return nil
	case sol.Ambiguous():
		return fmt.Errorf("%w: several MACs answer for %s on %s (one may be spoofing it): the permanent entry is kept", ErrNotAuthorized, n.IP, n.IfName)
	case !sol.Contradicts():
		return fmt.Errorf("%w: no other MAC answers for %s on %s: the permanent entry is not proven wrong", ErrNotAuthorized, n.IP, n.IfName)
	}
	return nil
}

// probeGateway probes t (a gateway) under a probe window of the default
// wait, and, when sol is set, solicits its MAC on l for as long as the
// probes run.
func (e *Engine) probeGateway(ctx context.Context, t *netstate.TargetResult, sol *netstate.SolicitResult, l *netstate.Link) {
	w := newProbeWindow(ctx, DefaultProbeWait, maxProbeWait)
	defer w.stop()
	sctx, scancel := context.WithCancel(w)
	var wg sync.WaitGroup
	if so, ok := e.Sys.(netstate.NeighborSoliciter); ok && sol != nil && l != nil {
		wg.Go(func() { sol.Answers, sol.Err = so.Solicit(sctx, *l, t.Addr) })
	}
	e.probeTarget(w, nil, nil, t, gatewayPorts, false)
	if t.Reachable() {
		scancel()
	} else {
		<-w.Done() // the solicitation gathers for the whole window
		scancel()
	}
	wg.Wait()
}

// ErrNotConfirmed says a repair ran but verification did not confirm it, and
// what it changed was undone.
var ErrNotConfirmed = errors.New("not confirmed")

// Do performs one action in-process; it needs privilege. It is what the
// privileged helper runs.
func (e *Engine) Do(ctx context.Context, a Action) error {
	ifIndex := func() (int, error) {
		links, err := e.Sys.Links(ctx)
		if err != nil {
			return 0, err
		}
		for _, l := range links {
			if l.Name == a.IfName {
				return l.Index, nil
			}
		}
		return 0, fmt.Errorf("interface %q: not found", a.IfName)
	}
	switch a.Rung {
	case netstate.RungDeleteNeighbor:
		idx, err := ifIndex()
		if err != nil {
			return err
		}
		return e.Sys.DeleteNeighbor(ctx, netstate.Neighbor{IfIndex: idx, IfName: a.IfName, IP: a.IP})
	case RestoreNeighbor:
		idx, err := ifIndex()
		if err != nil {
			return err
		}
		ns, ok := e.Sys.(netstate.NeighborSetter)
		if !ok {
			return netstate.ErrUnsupported
		}
		return ns.SetNeighbor(ctx, netstate.Neighbor{IfIndex: idx, IfName: a.IfName, IP: a.IP, MAC: a.MAC, State: netstate.NeighPermanent, Permanent: true})
	case netstate.RungFlushNeighbors:
		idx, err := ifIndex()
		if err != nil {
			return err
		}
		all, err := e.Sys.Neighbors(ctx)
		if err != nil {
			return err
		}
		for _, n := range all {
			if n.IfIndex != idx || n.Permanent {
				continue
			}
			switch n.State {
			case netstate.NeighFailed, netstate.NeighIncomplete, netstate.NeighStale:
				if err := e.Sys.DeleteNeighbor(ctx, n); err != nil {
					return err
				}
			}
		}
		return nil
	case netstate.RungLinkUp:
		idx, err := ifIndex()
		if err != nil {
			return err
		}
		return e.linkUp(ctx, idx, a.IfName)
	case netstate.RungFlushDNS:
		return e.Sys.FlushDNSCache(ctx)
	case netstate.RungReapplyInterface:
		return e.Sys.ReapplyInterface(ctx, a.IfName)
	}
	return fmt.Errorf("unknown action %q", a.Rung)
}

// linkUpConfirm is how long a raised interface may take to carry a default
// route again (carrier, then a network manager or DHCP adding the route).
const linkUpConfirm = 3 * time.Second

// linkUp raises the interface and waits, within linkUpConfirm and ctx, for
// it to have carrier and a default route through it. An interface that
// does not is taken down again where the OS layer can: it was down on
// purpose or for a reason raising it did not remove, and an interface an
// administrator disabled must not stay up for nothing.
func (e *Engine) linkUp(ctx context.Context, idx int, name string) error {
	if err := e.Sys.SetLinkUp(ctx, idx); err != nil {
		return err
	}
	cctx, cancel := context.WithTimeout(ctx, linkUpConfirm)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
wait:
	for {
		s := e.Tables(cctx)
		l := linkOf(s.Links, idx)
		if l != nil && l.AdminUp && l.Carrier && slices.ContainsFunc(s.Routes, func(r netstate.Route) bool { return isDefaultLike(r) && r.IfIndex == idx }) {
			return nil
		}
		select {
		case <-tick.C:
		case <-cctx.Done():
			break wait
		}
	}
	d, ok := e.Sys.(netstate.LinkDowner)
	if !ok {
		return fmt.Errorf("%w: %s is up but carries no default route (taking it down again is not supported here)", ErrNotConfirmed, name)
	}
	uctx, ucancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer ucancel()
	if err := d.SetLinkDown(uctx, idx); err != nil {
		return fmt.Errorf("%s carries no default route after link-up; taking it down again failed: %w", name, err)
	}
	return fmt.Errorf("%w: %s carried no default route after link-up, so it was taken down again", ErrNotConfirmed, name)
}
