//go:build darwin

package sys

import (
	"context"
	"fmt"
	"os"

	"github.com/netguard/netguard/checks/internal/conffile"
	"github.com/netguard/netguard/checks/netstate"
)

var _ netstate.LocalSystem = (*darwinSystem)(nil)

func (*darwinSystem) HostsFile() (string, []byte, error) {
	const path = "/etc/hosts"
	b, err := conffile.Read(path, netstate.MaxHostsFile)
	return path, b, err
}

// darwinPrefs is the SystemConfiguration preferences file; swapped in
// tests.
var darwinPrefs = "/Library/Preferences/SystemConfiguration/preferences.plist"

// SystemProxy reads the per-service proxies from the preferences file
// (SCDynamicStore, which scutil --proxy shows, needs cgo). Automatic proxy
// configuration (PAC) is not evaluated.
func (*darwinSystem) SystemProxy() ([]netstate.ProxySetting, error) {
	b, err := os.ReadFile(darwinPrefs)
	if err != nil {
		return nil, fmt.Errorf("read system proxy settings: %w", err)
	}
	return darwinPrefsProxies(b)
}

// PortOwner names the process listening on port, from the pcblist sysctl
// (darwinPortOwner).
func (*darwinSystem) PortOwner(_ context.Context, port uint16) (netstate.PortOwner, error) {
	return darwinPortOwner(port)
}

// Clock reports nothing measured: ntp_adjtime has no wrapper in
// x/sys/unix.
func (*darwinSystem) Clock() netstate.ClockState {
	return netstate.ClockState{Checked: true, Synced: netstate.TriUnknown}
}
