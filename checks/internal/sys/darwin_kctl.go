package sys

import (
	"fmt"
	"slices"

	"github.com/netguard/netguard/checks/internal/xnu"
)

// darwinKctlHolders picks the processes holding the utun or ipsec device
// iface out of the kernel-control socket list: the sockets connected to
// its control at its unit, each naming the process it acts for (so_e_pid,
// set when a daemon was delegated) and the one that last used it
// (so_last_pid), in that order, without repeats. An error says why none
// could be named; it never means none hold it.
func darwinKctlHolders(pcbs []xnu.KctlPCB, iface string) ([]int, error) {
	control, unit, ok := xnu.TunControl(iface)
	if !ok {
		return nil, fmt.Errorf("%s is not a utun or ipsec device: its holder has no kernel-control socket to read", iface)
	}
	var pids []int
	found := false
	for _, p := range pcbs {
		if p.Control != control || p.Unit != unit {
			continue
		}
		found = true
		for _, pid := range []int32{p.EPID, p.LastPID} {
			if pid > 0 && !slices.Contains(pids, int(pid)) {
				pids = append(pids, int(pid))
			}
		}
	}
	switch {
	case !found:
		return nil, fmt.Errorf("no socket of %s unit %d in the kernel-control list (%d sockets listed)", control, unit, len(pcbs))
	case len(pids) == 0:
		return nil, fmt.Errorf("the socket of %s unit %d names no process", control, unit)
	}
	return pids, nil
}
