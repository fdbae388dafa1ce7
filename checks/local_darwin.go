//go:build darwin

package checks

import (
	"context"
	"errors"
	"fmt"
	"os"
)

var _ LocalSystem = (*darwinSystem)(nil)

func (*darwinSystem) HostsFile() (string, []byte, error) {
	const path = "/etc/hosts"
	b, err := os.ReadFile(path)
	return path, b, err
}

// errDarwinSystemProxy: the system proxy lives in SCDynamicStore, which
// needs cgo (SystemConfiguration.framework); the manual steps show
// scutil --proxy instead.
var errDarwinSystemProxy = errors.New("the system proxy (System Settings › Network › Details › Proxies) is not read without cgo: scutil --proxy shows it")

func (*darwinSystem) SystemProxy() ([]ProxySetting, error) { return nil, errDarwinSystemProxy }

// PortOwner: naming the owner needs the pcblist sysctl joined with
// proc_pidinfo, which takes libproc (cgo); the finding's steps name lsof.
func (*darwinSystem) PortOwner(_ context.Context, port uint16) (PortOwner, error) {
	return PortOwner{}, fmt.Errorf("owner of port %d not read on macOS: lsof -nP -iTCP:%d -sTCP:LISTEN names it", port, port)
}

// Clock: ntp_adjtime has no wrapper in x/sys/unix; not measured.
func (*darwinSystem) Clock() ClockState {
	return ClockState{Checked: true, Synced: Unknown}
}

// localhostNSSModule: glibc's NSS exists on Linux only.
func localhostNSSModule() string { return "" }
