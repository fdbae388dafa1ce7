//go:build !linux && !darwin && !windows

package sys

import (
	"context"

	"github.com/netguard/netguard/checks/netstate"
)

var _ netstate.LocalSystem = otherSystem{}

func (otherSystem) HostsFile() (string, []byte, error)            { return "", nil, netstate.ErrUnsupported }
func (otherSystem) SystemProxy() ([]netstate.ProxySetting, error) { return nil, nil }
func (otherSystem) Clock() netstate.ClockState                    { return netstate.ClockState{} }
func (otherSystem) PortOwner(context.Context, uint16) (netstate.PortOwner, error) {
	return netstate.PortOwner{}, netstate.ErrUnsupported
}
