//go:build !linux && !darwin && !windows

package checks

import (
	"context"
	"net/netip"
)

// otherSystem compiles everywhere and can do nothing: every table read
// returns ErrUnsupported, which the checks report as "unknown".
type otherSystem struct{}

var _ System = otherSystem{}

func newSystem() System { return otherSystem{} }

func (otherSystem) Links(context.Context) ([]Link, error)   { return nil, ErrUnsupported }
func (otherSystem) Routes(context.Context) ([]Route, error) { return nil, ErrUnsupported }
func (otherSystem) RouteTo(context.Context, netip.Addr) (Route, error) {
	return Route{}, ErrUnsupported
}
func (otherSystem) Neighbors(context.Context) ([]Neighbor, error) { return nil, ErrUnsupported }
func (otherSystem) Sockets(context.Context) (SocketStats, error) {
	return SocketStats{}, ErrUnsupported
}
func (otherSystem) DeleteNeighbor(context.Context, Neighbor) error { return ErrUnsupported }
func (otherSystem) SetLinkUp(context.Context, int) error           { return ErrUnsupported }
func (otherSystem) FlushDNSCache(context.Context) error            { return ErrUnsupported }
func (otherSystem) ReapplyInterface(context.Context, string) error { return ErrUnsupported }
