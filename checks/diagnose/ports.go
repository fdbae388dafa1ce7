package diagnose

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/netguard/netguard/checks/netstate"
)

// Ports is the ports check.
var Ports = &Check{
	ID: "ports", Chained: false, judge: (*diag).ports,
	Findings: []*Def{PortInUse, PortExcluded},
}

// The findings of the ports check, in root-cause order.
var (
	PortInUse = &Def{
		ID: "port-in-use", Severity: SevError,
		Title:    "A port the environment needs is taken",
		Text:     "port {port} is already in use by {holder}: the environment cannot listen on it",
		Optional: []Arg{ArgPID},
		Manual: Steps{
			Linux:   []string{"sudo ss -ltnp sport = :{port}  # who holds it", "kill {pid}  # if you do not need it; a service: sudo systemctl stop NAME", "docker ps --filter publish={port}  # a container", "# or move the environment to another port"},
			Darwin:  []string{"lsof -nP -iTCP:{port} -sTCP:LISTEN  # who holds it", "kill {pid}  # if you do not need it", "# ControlCenter on 5000 or 7000 is AirPlay Receiver: System Settings › General › AirDrop & Handoff", "docker ps --filter publish={port}  # a container", "# or move the environment to another port"},
			Windows: []string{"Get-NetTCPConnection -LocalPort {port} -State Listen | Select-Object OwningProcess  # who holds it", "Get-Process -Id {pid}", "Stop-Process -Id {pid}  # if you do not need it", "# or move the environment to another port"},
		},
		Why: "The environment cannot listen on a port another process holds: the database or dev server fails at start-up with 'address already in use' (AirPlay on 5000 and 7000 on macOS).",
		How: "The port is bound and closed at once on 0.0.0.0, ::, 127.0.0.1 and ::1 (or the configured address), with the SO_REUSEADDR servers use; EADDRINUSE names it, and the holder comes from the socket table (/proc on Linux, the owner-PID TCP table on Windows).",
	}

	PortExcluded = &Def{
		ID: "port-excluded", Severity: SevError,
		Title: "A port the environment needs is reserved by Windows",
		Text:  "port {port} lies in a port range Windows has excluded (bind fails with WSAEACCES): nothing can listen on it, though no process uses it",
		Manual: Steps{
			Linux:   []string{"sysctl net.ipv4.ip_local_reserved_ports  # Linux has no excluded ranges; reserved ports still bind", "sudo ss -ltnp sport = :{port}  # who holds it"},
			Darwin:  []string{"lsof -nP -iTCP:{port}  # macOS has no excluded ranges: who holds it"},
			Windows: []string{"netsh int ipv4 show excludedportrange protocol=tcp", "net stop winnat  # elevated: releases the ranges Hyper-V, WSL or Docker took", "net start winnat", "# or move the environment to a port outside the ranges"},
		},
		Why: "Windows reserves port ranges for Hyper-V, WSL or Docker; nothing can listen there, though no process shows up as using the port.",
		How: "The bind test failed with WSAEACCES, which Windows answers for a port in an excluded range.",
	}
)

// ports judges whether each port the environment needs can be listened on.
func (d *diag) ports() {
	if len(d.s.Ports) == 0 {
		detail := "no ports configured (--ports)"
		if len(d.s.PortNotes) > 0 {
			detail += "; " + strings.Join(d.s.PortNotes, "; ")
		}
		d.set(StatusSkip, detail)
		return
	}
	var parts []string
	st := StatusPass
	for _, r := range d.s.Ports {
		port := r.Spec.String()
		if r.Spec.From != "" {
			port += " (" + r.Spec.From + ")"
		}
		switch {
		case r.Free:
			parts = append(parts, port+" free")
		case r.Excluded:
			line := fmt.Sprintf("%s: %s", port, netstate.ErrText(r.Err))
			parts = append(parts, line)
			d.add(PortExcluded, Args{ArgPort: port}, line)
			st = StatusFail
		case r.InUse:
			args := Args{ArgPort: strconv.Itoa(int(r.Spec.Port)), ArgHolder: "another process"}
			switch {
			case r.Owner.Known():
				args[ArgHolder] = fmt.Sprintf("%s (pid %d)", cmp.Or(r.Owner.Name, "a process"), r.Owner.PID)
				args[ArgPID], args[ArgProcess] = strconv.Itoa(r.Owner.PID), r.Owner.Name
			case r.OwnerErr != nil:
				args[ArgHolder] = "another process (" + r.OwnerErr.Error() + ")"
			}
			line := fmt.Sprintf("%s: in use by %s", port, args[ArgHolder])
			parts = append(parts, line)
			f := d.add(PortInUse, args, line, netstate.ErrText(r.Err))
			if why := ownContainerMaybe(r); why != "" {
				// The project's own containers may be up already, and
				// `docker compose up` then succeeds: a warning, not a
				// blocked start.
				f.Severity = SevWarning
				f.Summary += " (" + why + ": fine if it is this project's own container, already running)"
				st = worse(st, StatusWarn)
				continue
			}
			st = StatusFail
		default:
			parts = append(parts, fmt.Sprintf("%s: not tested (%s)", port, netstate.ErrText(r.Err)))
			st = worse(st, StatusUnknown)
		}
	}
	d.set(st, strings.Join(append(parts, d.s.PortNotes...), "; "))
}

// ownContainerMaybe says why a taken port the project publishes may be
// held by the project's own running container, or "" when it cannot be:
// its holder is a container's port publisher, or is hidden from this user
// (rootful Docker's docker-proxy runs as root, and a user cannot see
// root's sockets' processes). A port the user named is theirs to vouch
// for: never.
func ownContainerMaybe(r netstate.PortResult) string {
	switch {
	case r.Spec.From == "":
		return ""
	case containerPublisher(r.Owner.Name):
		return "a container's published port"
	case !r.Owner.Known():
		return "its holder is hidden from this user"
	}
	return ""
}

// containerPublishers are the processes that hold a container's published
// port on the host: Docker's userland proxy, rootless Docker's and
// Podman's port forwarders, Docker Desktop's and Podman machine's host
// side, and Podman's conmon.
var containerPublishers = []string{"docker-proxy", "rootlesskit", "rootlessport", "conmon", "com.docker.backend", "vpnkit-bridge", "com.docker.vpnkit", "wslrelay", "gvproxy"}

// containerPublisher reports whether a port holder's process name is one
// of containerPublishers (with or without Windows' .exe). Linux's comm
// keeps 15 bytes of a name and macOS's p_comm 16, so a name that long
// matches as a prefix ("com.docker.backe").
func containerPublisher(name string) bool {
	name = strings.TrimSuffix(strings.ToLower(name), ".exe")
	return name != "" && slices.ContainsFunc(containerPublishers, func(p string) bool {
		return p == name || len(name) >= 15 && strings.HasPrefix(p, name)
	})
}
