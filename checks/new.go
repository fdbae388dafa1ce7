package checks

import (
	"runtime"

	"github.com/netguard/netguard/checks/internal/sys"
	"github.com/netguard/netguard/checks/netstate"
	"github.com/netguard/netguard/checks/probe"
)

// New returns an engine over this machine: the OS layer of
// checks/internal/sys, the prober of checks/probe and the facts of the
// process (privilege, the app it runs in). Tests build an Engine from
// checkstest's fakes instead.
func New() *Engine {
	return &Engine{
		Sys:                 sys.New(),
		Prober:              probe.Default(),
		Privileged:          sys.IsPrivileged(),
		OS:                  runtime.GOOS,
		HostApp:             sys.HostApp(),
		LocalNetworkPrivacy: sys.LocalNetworkPrivacy,
	}
}

// Engine runs checks against a System with a Prober. The zero value is not
// usable; New wires the real OS, checkstest the fakes.
type Engine struct {
	Sys    netstate.System
	Prober netstate.Prober
	// Privileged: raw sockets and table changes are allowed in-process.
	Privileged bool
	OS         string
	HostApp    string
	// LocalNetworkPrivacy: the OS may refuse this app the local network
	// (macOS 15+ Local Network privacy).
	LocalNetworkPrivacy bool
}
