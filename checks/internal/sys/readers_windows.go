package sys

import (
	"context"
	"fmt"

	"github.com/netguard/netguard/checks/internal/firewall"
	"github.com/netguard/netguard/checks/internal/wireguard"
	"github.com/netguard/netguard/checks/netstate"
	"golang.org/x/sys/windows"
)

// The capabilities below are read by the packages beside sys; the OS
// layer only hands them its tables and process facts, so that the engine
// still finds them on the one value New returns.

var _ netstate.FirewallReader = (*windowsSystem)(nil)

// OutputFilter reads Windows Firewall's outbound policy and, as
// administrator, the WFP filters of other providers (firewall.ReadOutput).
func (s *windowsSystem) OutputFilter(ctx context.Context) netstate.FirewallState {
	return firewall.ReadOutput(ctx, s, IsPrivileged())
}

var _ netstate.TunnelInspector = (*windowsSystem)(nil)

// InspectTunnel reads a WireGuard-NT adapter's peers (wireguard.Inspect),
// the adapter found by its name in the adapter list.
func (*windowsSystem) InspectTunnel(ctx context.Context, ifName string) (netstate.TunnelInfo, error) {
	info := netstate.TunnelInfo{IfName: ifName}
	if err := ctx.Err(); err != nil {
		return info, err
	}
	first, err := winAdapterAddresses()
	if err != nil {
		return info, fmt.Errorf("inspect tunnel %s: %w", ifName, err)
	}
	for aa := first; aa != nil; aa = aa.Next {
		if windows.UTF16PtrToString(aa.FriendlyName) == ifName {
			return wireguard.Inspect(ctx, ifName, windows.BytePtrToString(aa.AdapterName))
		}
	}
	return info, fmt.Errorf("inspect tunnel %s: no such adapter", ifName)
}
