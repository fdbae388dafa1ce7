//go:build windows

package sys

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/netguard/netguard/checks/internal/conffile"
	"github.com/netguard/netguard/checks/netstate"
	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"
)

var _ netstate.LocalSystem = (*windowsSystem)(nil)

// windowsTCPStateListen is MIB_TCP_STATE_LISTEN (tcpmib.h).
const windowsTCPStateListen = 2

// HostsFile reads %SystemRoot%\System32\drivers\etc\hosts, located through
// the API rather than the environment.
func (*windowsSystem) HostsFile() (string, []byte, error) {
	dir, err := windows.GetSystemDirectory()
	if err != nil {
		return "", nil, fmt.Errorf("system directory: %w", err)
	}
	path := filepath.Join(dir, "drivers", "etc", "hosts")
	b, err := conffile.Read(path, netstate.MaxHostsFile)
	return path, b, err
}

// SystemProxy reads the user's Internet Settings (what WinINet, browsers,
// PowerShell and .NET use): ProxyEnable and ProxyServer, either one
// host:port for every scheme or "http=h:p;https=h:p".
func (*windowsSystem) SystemProxy() ([]netstate.ProxySetting, error) {
	out := windowsWinHTTP() // services, Windows Update, many .NET programs
	k, err := registry.OpenKey(registry.CURRENT_USER, `Software\Microsoft\Windows\CurrentVersion\Internet Settings`, registry.QUERY_VALUE)
	if err != nil {
		return out, fmt.Errorf("open Internet Settings: %w", err)
	}
	defer k.Close()
	enabled, _, err := k.GetIntegerValue("ProxyEnable")
	if err != nil || enabled == 0 {
		return out, nil
	}
	server, _, err := k.GetStringValue("ProxyServer")
	if err != nil {
		return out, fmt.Errorf("read ProxyServer: %w", err)
	}
	return append(windowsProxySettings(server), out...), nil
}

// windowsWinHTTP is the machine's WinHTTP proxy (`netsh winhttp show
// proxy`), none when unset or unreadable: best effort, since the blob is
// undocumented (windowsWinHTTPProxy).
func windowsWinHTTP() []netstate.ProxySetting {
	k, err := registry.OpenKey(registry.LOCAL_MACHINE, `SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\Connections`, registry.QUERY_VALUE)
	if err != nil {
		return nil
	}
	defer k.Close()
	b, _, err := k.GetBinaryValue("WinHttpSettings")
	if err != nil {
		return nil
	}
	if p, ok := windowsWinHTTPProxy(b); ok && p != "" {
		return windowsWinHTTPSettings(p)
	}
	return nil
}

// PortOwner finds the LISTEN row of port in the owner-PID TCP tables.
func (*windowsSystem) PortOwner(_ context.Context, port uint16) (netstate.PortOwner, error) {
	for _, tb := range []struct {
		family uint16
		layout windowsSockLayout
	}{{windowsAFInet, windowsTCP4Layout}, {windowsAFInet6, windowsTCP6Layout}} {
		socks, err := winExtendedTable(winGetExtendedTcpTable, tb.family, windowsTCPTableOwnerPIDAll, tb.layout)
		if err != nil {
			continue
		}
		for _, s := range socks {
			if s.Port == port && s.State == windowsTCPStateListen && s.PID != 0 {
				name, err := winProcessName(s.PID)
				if err != nil {
					return netstate.PortOwner{PID: int(s.PID)}, fmt.Errorf("name of pid %d: %w", s.PID, err)
				}
				return netstate.PortOwner{PID: int(s.PID), Name: name}, nil
			}
		}
	}
	return netstate.PortOwner{}, fmt.Errorf("no listening row for port %d", port)
}

// Clock reports whether the OS adjusts the clock (GetSystemTimeAdjustment)
// itself, not whether W32Time has synchronised it; not measured.
func (*windowsSystem) Clock() netstate.ClockState {
	return netstate.ClockState{Checked: true, Synced: netstate.TriUnknown}
}
