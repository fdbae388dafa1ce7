//go:build !linux && !darwin && !windows

package checks

import "context"

var _ LocalSystem = otherSystem{}

func (otherSystem) HostsFile() (string, []byte, error)   { return "", nil, ErrUnsupported }
func (otherSystem) SystemProxy() ([]ProxySetting, error) { return nil, nil }
func (otherSystem) Clock() ClockState                    { return ClockState{} }
func (otherSystem) PortOwner(context.Context, uint16) (PortOwner, error) {
	return PortOwner{}, ErrUnsupported
}

// localhostNSSModule: glibc's NSS exists on Linux only.
func localhostNSSModule() string { return "" }
