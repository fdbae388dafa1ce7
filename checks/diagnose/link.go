package diagnose

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/netguard/netguard/checks/netstate"
)

// Link is the link check.
var Link = &Check{
	ID: "link", Chained: true, judge: (*diag).link,
	Findings: []*Def{TimedOut, LinkDown, LinkNoCarrier, LinkNoLease, LinkNoAddress, AddressConflict, LinkMTUExceedsEgress},
}

// The findings of the link check, in root-cause order.
var (
	TimedOut = &Def{
		ID: "timed-out", Severity: SevError,
		Title: "The OS did not answer in time",
		Text:  "reading the network tables did not finish within --timeout: the kernel or a network service is not answering",
		Manual: Steps{
			Linux:   []string{"guard check -v --timeout 10s", "[NetworkManager] systemctl status NetworkManager  # if it still times out: a stuck network service?", "[systemd-networkd] systemctl status systemd-networkd  # if it still times out: a stuck network service?", "[systemd-resolved] systemctl status systemd-resolved  # if it still times out: a stuck resolver?"},
			Darwin:  []string{"guard check -v --timeout 10s", "sudo killall -HUP mDNSResponder  # if it still times out: restart the resolver (or the Mac)"},
			Windows: []string{"guard check -v --timeout 10s", "Get-NetAdapter  # if it still times out: a stuck adapter?", "# restart a stuck adapter in Settings › Network & internet › Advanced network settings"},
		},
		Why: "Without the routing and neighbor tables nothing else can be judged, and a kernel or network service that stalls usually stalls the dev environment's own connections too.",
		How: "The read of the OS's tables (netlink, the routing socket or IP Helper) had not returned when the --timeout deadline passed.",
	}

	LinkDown = &Def{
		ID: "link-down", Severity: SevError,
		Title: "Network interface is down",
		Text:  "interface {iface} is administratively down",
		Fixes: []netstate.Rung{netstate.RungLinkUp},
		Manual: Steps{
			Linux:   []string{"sudo ip link set dev {iface} up", "[NetworkManager] nmcli device connect {iface}  # or let NetworkManager bring it up", "[ifupdown] sudo ifup {iface}  # or let ifupdown bring it up"},
			Darwin:  []string{"sudo ifconfig {iface} up", "networksetup -listallhardwareports  # names the service of {iface}", "# turn that service on in System Settings › Network"},
			Windows: []string{"Enable-NetAdapter -Name {iface}  # in an elevated PowerShell", "# or enable it in Settings › Network & internet › Advanced network settings"},
		},
		Why: "An interface that is administratively down carries no traffic at all: the default route through it is dead.",
		How: "The interface the default route uses (or the only candidate) has its administrative UP flag cleared in the OS's link table.",
	}

	LinkNoCarrier = &Def{
		ID: "link-no-carrier", Severity: SevError,
		Title: "No carrier", Text: "interface {iface} is up but has no carrier (no cable, Wi-Fi not associated, or no peer)",
		Manual: Steps{
			Linux:   []string{"# check the cable, or reconnect Wi-Fi", "[NetworkManager] nmcli device connect {iface}", "ip link show dev {iface}  # NO-CARRIER until the link is back"},
			Darwin:  []string{"# check the cable, or reconnect Wi-Fi (Control Center › Wi-Fi)", "ifconfig {iface}  # status: inactive until the link is back"},
			Windows: []string{"# check the cable, or reconnect Wi-Fi (Settings › Network & internet › Wi-Fi)", "Get-NetAdapter -Name {iface} | Format-List Status, MediaConnectionState"},
		},
		Why: "Up but without carrier means no cable, no Wi-Fi association or no peer: nothing leaves the machine.",
		How: "The interface is administratively up but the link table reports no carrier (lower layer down).",
	}

	LinkNoAddress = &Def{
		ID: "link-no-address", Severity: SevError,
		Title: "No address", Text: "interface {iface} carries the default route but has no {family} address",
		Fixes: []netstate.Rung{netstate.RungReapplyInterface},
		Manual: Steps{
			Linux:   []string{"[NetworkManager] sudo nmcli device reapply {iface}  # renew DHCP (NetworkManager)", "[systemd-networkd] sudo networkctl renew {iface}  # renew DHCP (systemd-networkd)", "[dhcpcd] sudo dhcpcd -n {iface}  # renew DHCP (dhcpcd)", "[dhclient] sudo dhclient -v {iface}  # renew DHCP (dhclient)", "[netplan] ls /etc/netplan  # the configuration netplan generates; sudo netplan apply after a change", "ip addr show dev {iface}"},
			Darwin:  []string{"# renew DHCP: System Settings › Network › the service of {iface} › Details › TCP/IP › Renew DHCP Lease", "ifconfig {iface}"},
			Windows: []string{"[IPv4] ipconfig /renew {iface}  # renew DHCP", "[IPv6] ipconfig /renew6 {iface}  # renew DHCP", "Get-NetIPAddress -InterfaceAlias {iface}"},
		},
		Why: "Without an address of the route's family the machine cannot send a packet the gateway would answer; usually DHCP or SLAAC has not finished or has failed.",
		How: "The interface that carries the default route has no global address of that family in the address table.",
	}

	// Container bridge and tunnel MTUs against the egress.
	LinkMTUExceedsEgress = &Def{
		ID: "link-mtu-exceeds-egress", Severity: SevWarning,
		Title: "A bridge or tunnel has a larger MTU than the uplink",
		Text:  "{link} has MTU {mtu}, larger than {default} ({egress_mtu}) that carries the default route: containers, VMs or tunnels behind it send packets the uplink cannot carry, and pulls and TLS handshakes from them stall when 'fragmentation needed' is lost",
		Manual: Steps{
			Linux: []string{"# for Docker, set \"mtu\": {egress_mtu} in /etc/docker/daemon.json and restart Docker (for a user network: docker network create -o com.docker.network.driver.mtu={egress_mtu})",
				"sudo ip link set dev {iface} mtu {egress_mtu}  # or for now"},
			Darwin: []string{"# for Docker Desktop, add \"mtu\": {egress_mtu} under Settings › Docker Engine; for other VM tools, set the VM network's MTU",
				"sudo ifconfig {iface} mtu {egress_mtu}  # or for now"},
			Windows: []string{"# for Docker Desktop, add \"mtu\": {egress_mtu} under Settings › Docker Engine; for WSL, set the MTU inside the distribution",
				"netsh interface ipv4 set subinterface {iface} mtu={egress_mtu} store=active  # or for now, in an elevated prompt"},
		},
		Why: "Containers and VMs behind the bridge send full-size packets the uplink (a VPN tunnel, PPPoE) cannot carry; when the 'fragmentation needed' answers are lost on the way, image pulls and TLS handshakes from inside them hang.",
		How: "The link table: a bridge that is up and has an address reports a larger MTU than the interface that carries the default route.",
	}
)

// link judges whether the default route's interface is up, has carrier and
// an address. Without any default route, an interface that is down is the
// likely root cause (the kernel drops a link's routes when it goes down).
func (d *diag) link() {
	if d.s.LinksErr != nil {
		d.set(StatusUnknown, "could not read interfaces: "+d.s.LinksErr.Error())
		return
	}
	used := d.usedFamilies()
	if len(used) == 0 {
		if l := d.downCandidate(); l != nil {
			if !l.AdminUp {
				d.add(LinkDown, Args{ArgIface: l.Name}, fmt.Sprintf("%s: admin down, no default route", l.Name))
				d.set(StatusFail, l.Name+" is down")
			} else {
				d.add(LinkNoCarrier, Args{ArgIface: l.Name}, fmt.Sprintf("%s: up, no carrier, no default route", l.Name))
				d.set(StatusFail, l.Name+" has no carrier")
			}
			return
		}
		if d.noLease() {
			return
		}
		d.set(StatusPass, "no interface is down")
		return
	}
	var parts []string
	failed := false
	seen := map[int]bool{}
	for _, f := range used {
		l := d.linkByIndex(f.Default.IfIndex)
		if l == nil {
			parts = append(parts, fmt.Sprintf("%s: interface %d not found", famName(f.Family), f.Default.IfIndex))
			continue
		}
		switch {
		case !l.AdminUp:
			d.add(LinkDown, Args{ArgIface: l.Name}, l.Name+": admin down")
			failed = true
		case !l.Carrier:
			d.add(LinkNoCarrier, Args{ArgIface: l.Name}, l.Name+": no carrier")
			failed = true
		case !hasFamilyAddr(l, f.Family):
			d.add(LinkNoAddress, Args{ArgIface: l.Name, ArgFamily: famName(f.Family)}, fmt.Sprintf("%s addresses: %v", l.Name, l.Addrs))
			failed = true
		}
		if !seen[l.Index] {
			seen[l.Index] = true
			parts = append(parts, fmt.Sprintf("%s up%s, %s", l.Name, carrierText(l), addrText(l)))
		}
	}
	st := d.linkMTUs()
	cst, note := d.conflicts()
	st = worse(st, cst)
	st = worse(st, d.noLease4())
	if note != "" {
		parts = append(parts, note)
	}
	if failed {
		st = StatusFail
	}
	d.set(st, strings.Join(parts, "; "))
}

func carrierText(l *netstate.Link) string {
	if l.Carrier {
		return ", carrier"
	}
	return ", no carrier"
}

func addrText(l *netstate.Link) string {
	var as []string
	for _, p := range l.Addrs {
		if !p.Addr().IsLinkLocalUnicast() {
			as = append(as, p.String())
		}
	}
	if len(as) == 0 {
		return "no address"
	}
	return strings.Join(as, " ")
}

// downCandidate picks the interface most likely meant to carry the default
// route: down ones with an address first, then ones without carrier. Only
// physical links (and veths with an address) are candidates: a container
// or VM bridge with no member, a VPN that is off or Apple's AirDrop link
// are normal when down.
func (d *diag) downCandidate() *netstate.Link {
	if d.uplinkAlive() {
		return nil
	}
	var best *netstate.Link
	rank := func(l *netstate.Link) int {
		switch {
		case !l.AdminUp && len(l.Addrs) > 0:
			return 4
		case !l.AdminUp:
			return 3
		case !l.Carrier && len(l.Addrs) > 0:
			return 2
		}
		return 0
	}
	for i := range d.s.Links {
		l := &d.s.Links[i]
		// A veth with an address is an uplink too: eth0 inside a
		// container or a network namespace.
		if k := l.KindOf(); k != netstate.LinkPhysical && (k != netstate.LinkVeth || len(l.Addrs) == 0) {
			continue
		}
		if r := rank(l); r > 0 && (best == nil || r > rank(best)) {
			best = l
		}
	}
	return best
}

// uplinkAlive reports whether an uplink (physical, or a veth with an
// address) is up with carrier and an address: the default route was lost
// on a working link (a DHCP lease or router advertisement expired), and an
// interface that is down, maybe on purpose, explains nothing.
func (d *diag) uplinkAlive() bool {
	return slices.ContainsFunc(d.s.Links, func(l netstate.Link) bool {
		k := l.KindOf()
		return (k == netstate.LinkPhysical || k == netstate.LinkVeth) && l.AdminUp && l.Carrier && slices.ContainsFunc(l.Addrs, func(p netip.Prefix) bool {
			return !p.Addr().IsLinkLocalUnicast() && !p.Addr().IsLoopback()
		})
	})
}

// upCandidate is the physical interface most likely to carry the default
// route once it comes back: up with carrier, one with an address first.
// Nil when there is none.
func (d *diag) upCandidate() *netstate.Link {
	var best *netstate.Link
	for i := range d.s.Links {
		l := &d.s.Links[i]
		if l.KindOf() != netstate.LinkPhysical || !l.AdminUp || !l.Carrier {
			continue
		}
		if best == nil || len(best.Addrs) == 0 && len(l.Addrs) > 0 {
			best = l
		}
	}
	return best
}

// linkMTUs finds a container or VM bridge in use whose MTU exceeds the MTU of
// the interface that carries the default route (a VPN tunnel, PPPoE):
// what is behind it sends packets the uplink cannot carry.
func (d *diag) linkMTUs() Status {
	var egress *netstate.Link
	for _, f := range d.usedFamilies() {
		if egress = d.linkByIndex(f.Default.IfIndex); egress != nil {
			break
		}
	}
	if egress == nil || egress.MTU <= 0 {
		return StatusPass
	}
	st := StatusPass
	for i := range d.s.Links {
		l := &d.s.Links[i]
		if l.Index == egress.Index || l.KindOf() != netstate.LinkBridge || !l.AdminUp || l.MTU <= egress.MTU || !hasFamilyAddr(l, 4) && !hasFamilyAddr(l, 6) {
			continue
		}
		a := Args{ArgLink: netstate.LinkText(l, l.Name), ArgIface: l.Name, ArgMTU: fmt.Sprint(l.MTU), ArgDefault: netstate.LinkText(egress, egress.Name), ArgEgressMTU: fmt.Sprint(egress.MTU)}
		fd := d.add(LinkMTUExceedsEgress, a, fmt.Sprintf("%s mtu %d; default route through %s mtu %d", l.Name, l.MTU, egress.Name, egress.MTU))
		st = worse(st, statusOf(fd.Severity))
	}
	return st
}
