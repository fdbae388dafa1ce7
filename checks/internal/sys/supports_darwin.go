package sys

import "github.com/netguard/netguard/checks"

var _ checks.RepairSupporter = (*darwinSystem)(nil)

// Supports reports false for a reapply, which macOS lacks (see
// ReapplyInterface), so the ladder
// neither tries it nor offers it as a privileged step.
func (*darwinSystem) Supports(f checks.Fix, _ checks.Managers) bool {
	return f != checks.FixReapplyInterface
}
