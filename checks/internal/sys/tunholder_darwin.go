//go:build darwin

package sys

import (
	"context"
	"fmt"

	"github.com/netguard/netguard/checks/internal/xnu"
	"github.com/netguard/netguard/checks/netstate"
)

var _ netstate.TunHolderFinder = (*darwinSystem)(nil)

// TunHolders names the processes holding a utun (or ipsec) device: each
// is a kernel-control socket connected to com.apple.net.utun_control at
// unit N+1, and the kernel's list of those sockets (sysctl
// net.systm.kctl.pcblist, any user may read it) carries the pids that use
// it, which kern.proc.pid names.
func (*darwinSystem) TunHolders(ctx context.Context, iface string) ([]netstate.TunHolder, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("holders of %s: %w", iface, err)
	}
	b, err := darwinSysctlRaw("net.systm.kctl.pcblist")
	if err != nil {
		return nil, fmt.Errorf("holders of %s: %w", iface, err)
	}
	pcbs, err := xnu.ParseKctlPcblist(b)
	if err != nil {
		return nil, fmt.Errorf("holders of %s: %w", iface, err)
	}
	pids, err := darwinKctlHolders(pcbs, iface)
	if err != nil {
		return nil, fmt.Errorf("holders of %s: %w", iface, err)
	}
	var hs []netstate.TunHolder
	for _, pid := range pids {
		if name := darwinProcName(pid); name != "" {
			hs = append(hs, netstate.TunHolder{PID: pid, Command: name})
		}
	}
	if len(hs) == 0 {
		return nil, fmt.Errorf("holders of %s: processes %v are gone", iface, pids)
	}
	return hs, nil
}
