package sys

import (
	"context"
	"fmt"

	"github.com/netguard/netguard/checks/netstate"
	"golang.org/x/sys/windows"
)

var _ netstate.TunHolderFinder = (*windowsSystem)(nil)

// TunHolders names no process: see windowsTunHolderErr. The adapter's
// driver description is looked up so that the error says which VPN's
// adapter it is.
func (*windowsSystem) TunHolders(ctx context.Context, iface string) ([]netstate.TunHolder, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	first, err := winAdapterAddresses()
	if err != nil {
		return nil, fmt.Errorf("holder of %s: %w", iface, err)
	}
	desc := ""
	for aa := first; aa != nil; aa = aa.Next {
		if windows.UTF16PtrToString(aa.FriendlyName) == iface {
			desc = windows.UTF16PtrToString(aa.Description)
			break
		}
	}
	return nil, windowsTunHolderErr(iface, desc)
}
