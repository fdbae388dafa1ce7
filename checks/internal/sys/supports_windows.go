package sys

import (
	"github.com/netguard/netguard/checks"
	"github.com/netguard/netguard/checks/diagnose"
	"github.com/netguard/netguard/checks/netstate"
)

var _ checks.RepairSupporter = (*windowsSystem)(nil)

// Supports: Windows can neither enable a disabled adapter through the IP
// helper API nor reapply an interface (see SetLinkUp, ReapplyInterface),
// so the ladder neither tries those rungs nor offers them as steps.
func (*windowsSystem) Supports(f diagnose.Fix, _ netstate.Managers) bool {
	return f != diagnose.FixLinkUp && f != diagnose.FixReapplyInterface
}
