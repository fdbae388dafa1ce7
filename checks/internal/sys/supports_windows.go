package sys

import (
	"github.com/netguard/netguard/checks/netstate"
)

var _ netstate.RepairSupporter = (*windowsSystem)(nil)

// Supports reports false for what Windows lacks: it can neither enable a
// disabled adapter through the IP
// helper API nor reapply an interface (see SetLinkUp, ReapplyInterface),
// so the ladder neither tries those rungs nor offers them as steps.
func (*windowsSystem) Supports(f netstate.Rung, _ netstate.Managers) bool {
	return f != netstate.RungLinkUp && f != netstate.RungReapplyInterface
}
