package netstate

import (
	"strings"
)

// Manager is one network configuration service a manual step or a repair
// may go through. Linux has several, and a machine runs some of them:
// a step that calls nmcli on a machine without NetworkManager fails, and a
// repair through networkctl with networkd stopped only says "Failed to
// connect to bus". macOS (configd: networksetup, scutil) and Windows
// (PowerShell, netsh) have one each, so their steps need no detection.
type Manager uint16

const (
	MgrNetworkManager Manager = 1 << iota // NetworkManager (nmcli)
	MgrNetworkd                           // systemd-networkd (networkctl)
	MgrResolved                           // systemd-resolved is the resolver (resolvectl)
	MgrNetplan                            // netplan generates NetworkManager's or networkd's configuration
	MgrIfupdown                           // ifupdown configured an interface (/etc/network/interfaces)
	MgrDhclient                           // ISC dhclient holds a lease
	MgrDhcpcd                             // dhcpcd holds a lease
	MgrResolvconf                         // resolvconf writes /etc/resolv.conf
)

// managerNames are the names of the step tags ("[NetworkManager] ") and
// of the JSON, in bit order.
var managerNames = []string{"NetworkManager", "systemd-networkd", "systemd-resolved", "netplan", "ifupdown", "dhclient", "dhcpcd", "resolvconf"}

func (m Manager) String() string {
	var out []string
	for i, n := range managerNames {
		if m&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return strings.Join(out, ", ")
}

// managerByName maps a step tag's name to its manager.
func ManagerByName(name string) (Manager, bool) {
	for i, n := range managerNames {
		if n == name {
			return 1 << i, true
		}
	}
	return 0, false
}

// Managers is which network managers are in charge on this machine: the
// ones running, and for systemd-resolved, the one /etc/resolv.conf points
// at. Known is false where nothing was detected (the test fakes, an OS
// layer without ManagerReader): every step is shown then, as `guard
// explain` shows them.
type Managers struct {
	Known    bool
	InCharge Manager
}

// Has reports whether m is in charge; unknown counts as yes.
func (ms Managers) Has(m Manager) bool { return !ms.Known || ms.InCharge&m != 0 }

// ManagerReader is implemented by OS layers that can tell which network
// managers are in charge (Linux). It reads facts the managers leave (their
// processes, their state directories, the resolver file's address and
// header), never their tools' output, and must be cheap: the engine asks
// only when a run has something to report or repair.
type ManagerReader interface {
	NetworkManagers() Managers
}
