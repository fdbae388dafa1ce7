// Package live wires checks.Engine to this machine: the OS layer of
// checks/internal/sys, the prober of checks/probe and the facts of the
// process (privilege, the app it runs in). It is its own package because
// checks cannot import the packages that import checks for its types.
package live

import (
	"runtime"

	"github.com/netguard/netguard/checks"
	"github.com/netguard/netguard/checks/internal/sys"
	"github.com/netguard/netguard/checks/probe"
)

// New returns an engine over this machine.
func New() *checks.Engine {
	return &checks.Engine{
		Sys:                 sys.New(),
		Prober:              probe.Default(),
		Privileged:          sys.IsPrivileged(),
		OS:                  runtime.GOOS,
		HostApp:             sys.HostApp(),
		LocalNetworkPrivacy: sys.LocalNetworkPrivacy,
	}
}
