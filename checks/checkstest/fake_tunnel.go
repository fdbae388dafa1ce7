package checkstest

import (
	"context"
	"fmt"

	"github.com/netguard/netguard/checks/netstate"
)

var (
	_ netstate.RuleReader      = (*FakeSystem)(nil)
	_ netstate.TunnelInspector = (*FakeSystem)(nil)
)

// Rules returns RuleTable.
func (f *FakeSystem) Rules(context.Context) ([]netstate.Rule, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]netstate.Rule(nil), f.RuleTable...), nil
}

// InspectTunnel answers from TunnelTable and records the read in
// TunnelReads; a device not in the table is not a readable tunnel.
func (f *FakeSystem) InspectTunnel(_ context.Context, ifName string) (netstate.TunnelInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.TunnelReads = append(f.TunnelReads, ifName)
	if ti, ok := f.TunnelTable[ifName]; ok {
		return ti, nil
	}
	return netstate.TunnelInfo{IfName: ifName}, fmt.Errorf("inspect tunnel %s: %w", ifName, netstate.ErrUnsupported)
}
