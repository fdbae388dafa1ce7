package watch

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/netguard/netguard/checks/netstate"
)

// Kind is what part of the network stack a Change is about.
type Kind uint8

const (
	KindLink  Kind = iota + 1 // an interface appeared, vanished or changed flags
	KindAddr                  // an address was added or removed
	KindRoute                 // a route was added, removed or changed
	KindNeigh                 // an ARP/NDP entry was created, changed or removed
	// KindResync means the OS dropped notifications (a full socket
	// buffer), so anything may have changed. Always relevant.
	KindResync
)

func (k Kind) String() string {
	switch k {
	case KindLink:
		return "link"
	case KindAddr:
		return "address"
	case KindRoute:
		return "route"
	case KindNeigh:
		return "neighbor"
	case KindResync:
		return "resync"
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Change is one notification from the OS, decoded into netguard's types.
type Change struct {
	Kind    Kind
	Deleted bool // the link, address, route or neighbor entry was removed
	IfIndex int
	// Addr is the address of a KindAddr change.
	Addr netip.Prefix
	// Neigh is the entry of a KindNeigh change (its state after the
	// change; for a deletion, as it was).
	Neigh netstate.Neighbor
	// Detail says what changed, for the log ("route del 0.0.0.0/0").
	Detail string
}

func (c Change) String() string {
	if c.Detail != "" {
		return c.Detail
	}
	return c.Kind.String()
}

// Source delivers the OS's change notifications. One implementation per
// events_<goos>.go (newSource).
type Source interface {
	// Receive blocks until the OS reports a change or Close is called. It
	// may return changes the Filter then finds irrelevant (neighbor churn).
	// After Close it returns ErrClosed; any other error means the source
	// is broken and should be closed and reopened.
	Receive() (Change, error)
	// Close stops the source and makes a blocked Receive return. It is
	// safe to call more than once and from any goroutine.
	Close() error
}

// ErrClosed is returned by Receive after Close.
var ErrClosed = errors.New("change source closed")

// ErrNoSource is returned by NewSource where the OS offers no change
// notifications netguard can use: the watcher then re-checks on its
// interval only.
var ErrNoSource = errors.New("no network change notifications on this OS")

// NewSource opens this OS's change notifications. Opening needs no
// privilege on Linux, macOS or Windows.
func NewSource() (Source, error) { return newSource() }

// reason joins the kinds of the changes that caused a run, for the log:
// "route del 0.0.0.0/0; link ng0 down".
type reason struct {
	parts []string
}

// maxReasonParts bounds the reason of a run that followed a burst of
// changes (a VPN coming up adds dozens of routes).
const maxReasonParts = 4

func (r *reason) add(c Change) {
	s := c.String()
	for _, p := range r.parts {
		if p == s {
			return
		}
	}
	switch {
	case len(r.parts) < maxReasonParts:
		r.parts = append(r.parts, s)
	case len(r.parts) == maxReasonParts:
		r.parts = append(r.parts, "…")
	}
}

func (r *reason) String() string { return strings.Join(r.parts, "; ") }

func (r *reason) reset() { r.parts = r.parts[:0] }

// verb names an addition or a removal in a Change's Detail, as `ip
// monitor` does.
func verb(del bool) string {
	if del {
		return "del"
	}
	return "new"
}
