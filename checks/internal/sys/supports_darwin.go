package sys

import (
	"github.com/netguard/netguard/checks/netstate"
)

var _ netstate.RepairSupporter = (*darwinSystem)(nil)

// Supports reports false for a reapply, which macOS lacks (see
// ReapplyInterface), so the ladder
// neither tries it nor offers it as a privileged step.
func (*darwinSystem) Supports(f netstate.Rung, _ netstate.Managers) bool {
	return f != netstate.RungReapplyInterface
}
