//go:build !linux && !darwin && !windows

package sys

import (
	"context"
	"net/netip"

	"github.com/netguard/netguard/checks/netstate"
)

// otherSystem compiles everywhere and can do nothing: every table read
// returns ErrUnsupported, which the checks report as "unknown".
type otherSystem struct{}

var _ netstate.System = otherSystem{}

// New returns the OS layer for this platform.
func New() netstate.System { return otherSystem{} }

func (otherSystem) Links(context.Context) ([]netstate.Link, error) {
	return nil, netstate.ErrUnsupported
}
func (otherSystem) Routes(context.Context) ([]netstate.Route, error) {
	return nil, netstate.ErrUnsupported
}
func (otherSystem) RouteTo(context.Context, netip.Addr) (netstate.Route, error) {
	return netstate.Route{}, netstate.ErrUnsupported
}
func (otherSystem) Neighbors(context.Context) ([]netstate.Neighbor, error) {
	return nil, netstate.ErrUnsupported
}
func (otherSystem) Sockets(context.Context) (netstate.SocketStats, error) {
	return netstate.SocketStats{}, netstate.ErrUnsupported
}
func (otherSystem) DeleteNeighbor(context.Context, netstate.Neighbor) error {
	return netstate.ErrUnsupported
}
func (otherSystem) SetLinkUp(context.Context, int) error           { return netstate.ErrUnsupported }
func (otherSystem) FlushDNSCache(context.Context) error            { return netstate.ErrUnsupported }
func (otherSystem) ReapplyInterface(context.Context, string) error { return netstate.ErrUnsupported }
