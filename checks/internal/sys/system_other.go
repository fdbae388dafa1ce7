//go:build !linux && !darwin && !windows

package sys

import (
	"context"
	"net/netip"

	"github.com/netguard/netguard/checks"
)

// otherSystem compiles everywhere and can do nothing: every table read
// returns ErrUnsupported, which the checks report as "unknown".
type otherSystem struct{}

var _ checks.System = otherSystem{}

// New returns the OS layer for this platform.
func New() checks.System { return otherSystem{} }

func (otherSystem) Links(context.Context) ([]checks.Link, error)   { return nil, checks.ErrUnsupported }
func (otherSystem) Routes(context.Context) ([]checks.Route, error) { return nil, checks.ErrUnsupported }
func (otherSystem) RouteTo(context.Context, netip.Addr) (checks.Route, error) {
	return checks.Route{}, checks.ErrUnsupported
}
func (otherSystem) Neighbors(context.Context) ([]checks.Neighbor, error) {
	return nil, checks.ErrUnsupported
}
func (otherSystem) Sockets(context.Context) (checks.SocketStats, error) {
	return checks.SocketStats{}, checks.ErrUnsupported
}
func (otherSystem) DeleteNeighbor(context.Context, checks.Neighbor) error {
	return checks.ErrUnsupported
}
func (otherSystem) SetLinkUp(context.Context, int) error           { return checks.ErrUnsupported }
func (otherSystem) FlushDNSCache(context.Context) error            { return checks.ErrUnsupported }
func (otherSystem) ReapplyInterface(context.Context, string) error { return checks.ErrUnsupported }
