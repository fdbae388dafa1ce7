package sys

import (
	"context"

	"github.com/netguard/netguard/checks/internal/firewall"
	"github.com/netguard/netguard/checks/netstate"
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
