package diagnose

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/netguard/netguard/checks/netstate"
)

// The args of the policy-routing and tunnel findings.
const (
	ArgTable   Arg = "table"    // the routing table the kernel's lookup answered from, when not main
	ArgRule    Arg = "rule"     // the policy rule that chose that table, as `ip rule` prints it
	ArgWGQuick Arg = "wg_quick" // the wg-quick configuration name, when the tunnel is one
)

// The route check's tunnel findings.
var (
	// TunnelDead: the targets' route leads into a tunnel device that is
	// up, and nothing answers through it.
	TunnelDead = &Def{
		ID: "tunnel-dead", Severity: SevError,
		Title:    "A VPN tunnel carries the traffic and nothing answers through it",
		Text:     "the kernel sends {targets} into tunnel {iface} ({detail}) and nothing answers through it: the VPN's server is gone or the tunnel never connected",
		Optional: []Arg{ArgRule, ArgWGQuick},
		Manual: Steps{
			Linux: []string{
				"sudo wg-quick down {wg_quick}  # the wg-quick tunnel: removes its rules and routes with it (by name it needs /etc/wireguard/{wg_quick}.conf; else give the path of the .conf it was brought up with)",
				"sudo ip link delete dev {wg_quick}  # without that .conf: removes the device and its routes; wg-quick's rules are left with nothing to send into",
				"sudo wg show {iface}  # a WireGuard tunnel: latest handshake and endpoint",
				"# or reconnect (or disconnect) the VPN client that owns {iface}",
				"ip route get {target}",
				"[IPv4] ip rule show",
				"[IPv6] ip -6 rule show",
				"[IPv4] ip route show table {table}",
				"[IPv6] ip -6 route show table {table}",
				"sudo ip route del {prefix} dev {iface} table {table}  # a route left behind by a VPN that is gone",
			},
			Darwin: []string{
				"sudo wg-quick down {wg_quick}  # the wg-quick tunnel on {iface}: removes its routes with it",
				"# reconnect (or disconnect) the VPN app that owns {iface}: System Settings › VPN, or the app",
				"scutil --nc list  # VPN services and their state",
				"route -n get {target}",
			},
			Windows: []string{
				"# reconnect (or disconnect) the VPN client that owns {iface} (WireGuard: Deactivate the tunnel)",
				"wg show {iface}  # as administrator, a WireGuard tunnel: latest handshake and endpoint (wg.exe comes with WireGuard for Windows)",
				"wireguard /uninstalltunnelservice {iface}  # as administrator: stops a WireGuard tunnel service left running",
				"Find-NetRoute -RemoteIPAddress {target}",
				"Get-NetRoute -InterfaceAlias {iface}",
			},
		},
		Why: "A full-tunnel VPN sends everything through its device; when its server is gone (the VPN client quit and left its routes, the laptop moved to a network that blocks it) every connection hangs, and nothing on the machine says why.",
		How: "The kernel's own route lookup for each target (its policy rules first: wg-quick's 'not fwmark 51820 lookup 51820', Tailscale's table 52) chose a tunnel device that is up, and no target answered through it by any kind of probe. As root, a WireGuard device's last handshake is read from the device itself (generic netlink for the kernel's, the configuration socket for wireguard-go's, on macOS with the wg-quick configuration that maps to the utun device); a VPN app inside a macOS network extension offers no state, and then, as everywhere unprivileged, the silence is the evidence.",
	}
)

// usedRoute is the route the kernel chose for f's first target, said the
// way `ip route get` says it, with the rule that chose its table: "" when
// it is the default route of the main table.
func (d *diag) usedRoute(f *netstate.FamilyState) string {
	for _, t := range f.External {
		if t.RouteErr != nil || t.Route.IfIndex == 0 {
			continue
		}
		tr := d.trace(f, t.Addr, t.Route, t.RouteErr)
		if !tr.Diverted && !nonMainTable(t.Route.Table) {
			return ""
		}
		var s string
		if t.Route.Gateway.IsValid() {
			s = fmt.Sprintf("%s uses %s via %s dev %s", t.Addr, tr.Cover.Dst, t.Route.Gateway, t.Route.IfName)
		} else {
			s = fmt.Sprintf("%s uses %s dev %s", t.Addr, tr.Cover.Dst, t.Route.IfName)
		}
		if nonMainTable(t.Route.Table) {
			s += " table " + netstate.TableName(t.Route.Table)
		}
		if r := netstate.RuleFor(d.s.Rules, t.Addr, t.Route.Src, t.Route.Table); r != nil && t.Route.Table != 0 {
			s += " (rule " + r.String() + ")"
		}
		return s
	}
	return ""
}

// nonMainTable reports whether a lookup answered from a table chosen by
// policy routing: Linux's main table is 254; other OSes say 0.
func nonMainTable(t int) bool { return t != 0 && t != netstate.TableMain }

// deadTunnel reports whether the targets of g lead into a tunnel that is
// up and that every target of f was probed through without an answer.
func (d *diag) deadTunnel(f *netstate.FamilyState, tr netstate.PathTrace) bool {
	l := tr.Link
	if l == nil || l.KindOf() != netstate.LinkTunnel || tr.Dead() || !l.AdminUp || !l.Carrier {
		return false
	}
	for i := range f.External {
		t := &f.External[i]
		if t.Reachable() || notProbed(t) || t.Route.IfIndex != l.Index {
			return false
		}
	}
	return len(f.External) > 0
}

// tunnels adds tunnel-dead for each family whose targets all go silent
// into an up tunnel, and returns the route check's status for it and the
// tunnels named (their diverted-route findings are left out).
func (d *diag) tunnels() (Status, map[int]bool) {
	st, named := StatusPass, map[int]bool{}
	for _, f := range d.usedFamilies() {
		if len(f.External) == 0 {
			continue
		}
		t := &f.External[0]
		tr := d.trace(f, t.Addr, t.Route, t.RouteErr)
		if !d.deadTunnel(f, tr) {
			continue
		}
		var addrs, ev []string
		for i := range f.External {
			x := &f.External[i]
			addrs = append(addrs, x.Addr.String())
			ev = append(ev, targetText(x))
		}
		a := Args{ArgTargets: strings.Join(addrs, ListSep), ArgTarget: addrs[0], ArgIface: tr.Link.Name, ArgPrefix: tr.Cover.Dst.String(), ArgFamily: famName(f.Family)}
		detail := "route " + tr.Cover.Dst.String()
		a[ArgTable] = tableArg(t.Route.Table)
		if nonMainTable(t.Route.Table) {
			detail += " table " + a[ArgTable]
		}
		if r := netstate.RuleFor(d.s.Rules, t.Addr, t.Route.Src, t.Route.Table); r != nil && t.Route.Table != 0 {
			a[ArgRule] = r.String()
			detail += ", rule " + r.String()
			// wg-quick's own rule: not fwmark T lookup T.
			if r.Invert && r.Mark == uint32(r.Table) && r.Mark != 0 {
				a[ArgWGQuick] = tr.Link.Name
			}
		}
		info := d.tunnelInfo(tr.Link.Name)
		if info != nil && info.WGQuick != "" {
			a[ArgWGQuick] = info.WGQuick
		}
		detail += "; " + tunnelEvidence(info)
		a[ArgDetail] = detail
		if r := d.usedRoute(f); r != "" {
			ev = append(ev, r)
		}
		if desc := tr.Link.Description; desc != "" {
			ev = append(ev, fmt.Sprintf("%s is a %s adapter", tr.Link.Name, desc))
		}
		fd := d.add(TunnelDead, a, ev...)
		named[tr.Link.Index] = true
		st = worse(st, statusOf(fd.Severity))
	}
	return st, named
}

func (d *diag) tunnelInfo(name string) *netstate.TunnelInfo {
	for i := range d.s.Tunnels {
		if d.s.Tunnels[i].IfName == name {
			return &d.s.Tunnels[i]
		}
	}
	return nil
}

// tunnelEvidence says what the device told about its server: WireGuard's
// last handshake per peer, or that it told nothing.
func tunnelEvidence(info *netstate.TunnelInfo) string {
	switch {
	case info == nil:
		return "the device tells nothing more"
	case info.Kind == "":
		if errors.Is(info.Err, netstate.ErrTunnelSilent) {
			return "the device offers no state of its own (not WireGuard, or a VPN app that keeps its state inside its own process), so the silence is the evidence"
		}
		if info.Err != nil {
			return "its state could not be read: " + info.Err.Error()
		}
		return "the device tells nothing more"
	case len(info.Peers) == 0:
		return info.Kind + ": no peer configured"
	}
	var parts []string
	for _, p := range info.Peers {
		s := "peer"
		if p.Endpoint.IsValid() && p.Endpoint.Addr() != (netip.Addr{}) {
			s += " " + p.Endpoint.String()
		}
		if p.SinceHandshake < 0 {
			s += ": no handshake since the tunnel came up"
		} else {
			s += ": last handshake " + p.SinceHandshake.Round(time.Second).String() + " ago"
		}
		parts = append(parts, s)
	}
	return info.Kind + " " + strings.Join(parts, "; ")
}
