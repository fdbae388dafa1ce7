//go:build !linux && !darwin && !windows

package sys

import (
	"context"

	"github.com/netguard/netguard/checks"
)

var _ checks.LocalSystem = otherSystem{}

func (otherSystem) HostsFile() (string, []byte, error)          { return "", nil, checks.ErrUnsupported }
func (otherSystem) SystemProxy() ([]checks.ProxySetting, error) { return nil, nil }
func (otherSystem) Clock() checks.ClockState                    { return checks.ClockState{} }
func (otherSystem) PortOwner(context.Context, uint16) (checks.PortOwner, error) {
	return checks.PortOwner{}, checks.ErrUnsupported
}
