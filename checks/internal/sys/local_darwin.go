//go:build darwin

package sys

import (
	"context"
	"fmt"
	"os"

	"github.com/netguard/netguard/checks"
	"github.com/netguard/netguard/checks/internal/conffile"
)

var _ checks.LocalSystem = (*darwinSystem)(nil)

func (*darwinSystem) HostsFile() (string, []byte, error) {
	const path = "/etc/hosts"
	b, err := conffile.Read(path, checks.MaxHostsFile)
	return path, b, err
}

// darwinPrefs is the SystemConfiguration preferences file; swapped in
// tests.
var darwinPrefs = "/Library/Preferences/SystemConfiguration/preferences.plist"

// SystemProxy reads the per-service proxies from the preferences file
// (SCDynamicStore, which scutil --proxy shows, needs cgo). Automatic proxy
// configuration (PAC) is not evaluated.
func (*darwinSystem) SystemProxy() ([]checks.ProxySetting, error) {
	b, err := os.ReadFile(darwinPrefs)
	if err != nil {
		return nil, fmt.Errorf("read system proxy settings: %w", err)
	}
	return darwinPrefsProxies(b)
}

// PortOwner names the process listening on port, from the pcblist sysctl
// (darwinPortOwner).
func (*darwinSystem) PortOwner(_ context.Context, port uint16) (checks.PortOwner, error) {
	return darwinPortOwner(port)
}

// Clock reports nothing measured: ntp_adjtime has no wrapper in
// x/sys/unix.
func (*darwinSystem) Clock() checks.ClockState {
	return checks.ClockState{Checked: true, Synced: checks.Unknown}
}
