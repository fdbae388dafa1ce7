package sys

import (
	"context"

	"github.com/netguard/netguard/checks/internal/firewall"
	"github.com/netguard/netguard/checks/netstate"
)

// The capabilities below are read by the packages beside sys; the OS
// layer only hands them its process facts, so that the engine still finds
// them on the one value New returns.

var _ netstate.FirewallReader = (*darwinSystem)(nil)

// OutputFilter reads pf's filter rules for outgoing packets
// (firewall.ReadOutput).
func (*darwinSystem) OutputFilter(ctx context.Context) netstate.FirewallState {
	return firewall.ReadOutput(ctx)
}
