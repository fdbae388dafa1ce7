package sys

import (
	"github.com/netguard/netguard/checks"
	"github.com/netguard/netguard/checks/diagnose"
	"github.com/netguard/netguard/checks/netstate"
)

var _ checks.RepairSupporter = (*darwinSystem)(nil)

// Supports: macOS has no reapply (see ReapplyInterface), so the ladder
// neither tries it nor offers it as a privileged step.
func (*darwinSystem) Supports(f diagnose.Fix, _ netstate.Managers) bool {
	return f != diagnose.FixReapplyInterface
}
