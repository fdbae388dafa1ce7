package watch

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"sync"
	"time"

	"github.com/netguard/netguard/checks/netstate"
)

// NeighborLooker is an OS layer whose notifications miss the neighbor
// cache (macOS, Windows; see netstate.NeighborLooker). When Engine.Sys is
// one, the watcher reads the gateways' own entries every Config.Poll, so
// a gateway whose MAC changes or whose entry fails is noticed within
// seconds instead of at the next interval.
type NeighborLooker = netstate.NeighborLooker

// DefaultPoll is how often a NeighborLooker's gateway entries are read.
const DefaultPoll = 2 * time.Second

// pollTimeout bounds one round of lookups: a single entry answers in
// microseconds, and a stuck one must not pile rounds up.
const pollTimeout = 500 * time.Millisecond

// pollTarget is a gateway and the interface its default route uses.
type pollTarget struct {
	ifIndex int
	ip      netip.Addr
}

// gatewayPoll reads the gateways' entries and reports those that differ
// from the previous read as KindNeigh changes; the Filter then decides,
// as for a notification, whether the difference is worth a check.
type gatewayPoll struct {
	looker NeighborLooker
	every  time.Duration

	mu      sync.Mutex
	targets []pollTarget

	last map[pollTarget]neighState // owned by the polling goroutine
	seen map[pollTarget]bool       // whether last holds an entry (found)
}

// setTargets replaces the gateways to watch (from seed, before each run).
func (p *gatewayPoll) setTargets(ts []pollTarget) {
	p.mu.Lock()
	p.targets = ts
	p.mu.Unlock()
}

// run polls until ctx ends, sending changes to out.
func (p *gatewayPoll) run(ctx context.Context, out chan<- Change) {
	t := time.NewTicker(p.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for _, c := range p.round(ctx) {
			select {
			case out <- c:
			case <-ctx.Done():
				return
			}
		}
	}
}

// round looks every target up once and returns what changed since the
// previous round. A failed lookup changes nothing: it says nothing about
// the entry.
func (p *gatewayPoll) round(ctx context.Context) []Change {
	p.mu.Lock()
	ts := p.targets
	p.mu.Unlock()
	if p.last == nil {
		p.last, p.seen = map[pollTarget]neighState{}, map[pollTarget]bool{}
	}
	ctx, cancel := context.WithTimeout(ctx, pollTimeout)
	defer cancel()
	var out []Change
	for _, t := range ts {
		n, found, err := p.looker.LookupNeighbor(ctx, t.ifIndex, t.ip)
		if err != nil {
			continue
		}
		cur := neighState{}
		if found {
			cur = stateOf(n)
		}
		prev, polled := p.last[t]
		p.last[t] = cur
		wasFound := p.seen[t]
		p.seen[t] = found
		if polled && wasFound == found && sameNeigh(prev, cur) {
			continue
		}
		if !found {
			if !polled || !wasFound {
				continue // nothing before either: no change
			}
			out = append(out, Change{Kind: KindNeigh, Deleted: true, IfIndex: t.ifIndex,
				Neigh:  netstate.Neighbor{IfIndex: t.ifIndex, IP: t.ip},
				Detail: fmt.Sprintf("neighbor del %s (polled)", t.ip)})
			continue
		}
		n.IfIndex, n.IP = t.ifIndex, t.ip
		d := fmt.Sprintf("neighbor %s %s", t.ip, n.State)
		if n.MAC != nil {
			d += " " + n.MAC.String()
		}
		out = append(out, Change{Kind: KindNeigh, IfIndex: t.ifIndex, Neigh: n, Detail: d + " (polled)"})
	}
	return out
}

func sameNeigh(a, b neighState) bool {
	return a.resolved == b.resolved && a.permanent == b.permanent && a.failed == b.failed && bytes.Equal(a.mac, b.mac)
}
