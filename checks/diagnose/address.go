package diagnose

import (
	"bytes"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/netguard/netguard/checks/netstate"
)

// The link check's findings about the interface's own addresses: a DHCP
// lease that never came, and an address another host on the link uses.

var (
	// LinkNoLease: autoconfiguration gave the interface only a link-local
	// address, which is what every OS does when no DHCP server answers.
	LinkNoLease = &Def{
		ID: "no-dhcp-lease", Severity: SevError,
		Title: "No DHCP lease",
		Text:  "interface {iface} has only the link-local {family} address {address} and no {family} default route: its DHCP lease never came",
		Fixes: []netstate.Rung{netstate.RungReapplyInterface},
		Manual: Steps{
			Linux: []string{"# check that this network runs a DHCP server and that {iface} is allowed on it (Wi-Fi login, MAC filtering, the right VLAN); then renew the lease",
				"[NetworkManager] sudo nmcli device reapply {iface}  # renew DHCP (NetworkManager)",
				"[systemd-networkd] sudo networkctl renew {iface}  # renew DHCP (systemd-networkd)",
				"[dhcpcd] sudo dhcpcd -n {iface}  # renew DHCP (dhcpcd)",
				"[dhclient] sudo dhclient -v {iface}  # renew DHCP (dhclient)",
				"[ifupdown] sudo ifup --force {iface}  # ifupdown configures {iface}",
				"ip addr show dev {iface}  # a lease shows as an address outside 169.254.0.0/16 and fe80::/10"},
			Darwin: []string{"# check that this network runs a DHCP server and that {iface} is allowed on it (Wi-Fi login, MAC filtering, the right VLAN); then renew the lease",
				"sudo ipconfig set {iface} DHCP  # renew DHCP",
				"ipconfig getpacket {iface}  # the lease, once it came"},
			Windows: []string{"# check that this network runs a DHCP server and that {iface} is allowed on it (Wi-Fi login, MAC filtering, the right VLAN); then renew the lease",
				"ipconfig /renew {iface}  # renew DHCP",
				"Get-NetIPAddress -InterfaceAlias {iface}  # a lease shows as an address outside 169.254.0.0/16 and fe80::/10"},
		},
		Why: "An interface that is up with carrier but holds only a self-assigned address (169.254.x.x, or IPv6 link-local alone) asked for a lease and got no answer: no default route, no name servers, nothing beyond the cable works until a DHCP server answers.",
		How: "The link table: no default route in any family, no uplink with a routable address, and an uplink that is up with carrier whose every address is link-local (169.254.0.0/16, fe80::/10); or no IPv4 default route while IPv6 has one, and the IPv6 uplink's only IPv4 address is self-assigned (169.254.0.0/16), an error when an IPv4 target or name server the run needed got no answer, else a warning. Decided from the tables alone, no probe.",
	}

	// AddressConflict: another host uses this host's address.
	AddressConflict = &Def{
		ID: "address-conflict", Severity: SevWarning,
		Title:    "Address conflict",
		Text:     "another host on {iface} uses this machine's address {address}: {detail}",
		Optional: []Arg{ArgMAC},
		Manual: Steps{
			Linux: []string{"ip addr show dev {iface}  # dadfailed marks an IPv6 address another host holds",
				"ip neigh show dev {iface} lladdr {mac}  # the other host's other addresses, if any",
				"# find the host with MAC {mac} (the router's DHCP lease list names it) and give one of the two another address",
				"# a static address: choose one outside the DHCP pool; a lease: renew it",
				"[NetworkManager] sudo nmcli device reapply {iface}  # renew DHCP (NetworkManager)",
				"[systemd-networkd] sudo networkctl renew {iface}  # renew DHCP (systemd-networkd)",
				"[dhcpcd] sudo dhcpcd -n {iface}  # renew DHCP (dhcpcd)",
				"[dhclient] sudo dhclient -v {iface}  # renew DHCP (dhclient)"},
			Darwin: []string{"ifconfig {iface}  # duplicated marks an IPv6 address another host holds",
				"log show --last 1h --predicate 'eventMessage CONTAINS \"duplicate IP address\"'  # the kernel logs each ARP packet another MAC sends from our IPv4 address",
				"# find the host with MAC {mac} (the router's DHCP lease list names it) and give one of the two another address",
				"sudo ipconfig set {iface} DHCP  # renew DHCP"},
			Windows: []string{"Get-NetIPAddress -InterfaceAlias {iface}  # AddressState Duplicate marks an address another host holds",
				"# find the host with MAC {mac} (the router's DHCP lease list names it) and give one of the two another address",
				"ipconfig /renew {iface}  # renew DHCP"},
		},
		Why: "Two hosts with one address take turns receiving its traffic: connections reset or hang at random, and the gateway and the LAN reach the other host half the time.",
		How: "The OS's duplicate address detection marked the address duplicated, read without root (Linux IFA_F_DADFAILED over rtnetlink and macOS IN6_IFF_DUPLICATED, for IPv6; Windows IpDadStateDuplicate, for IPv4 too). IPv4, as root on Linux (a packet socket) and macOS (a BPF device): an ARP probe for our own address with sender 0.0.0.0, as RFC 5227 does (no host learns from it), sent only when IPv4 traffic looks wrong (the gateway unanswered, or nothing answering within 100 ms), alongside the other probes; another MAC that claims the address is the other host. A claim by the gateway's own MAC is proxy ARP, not a conflict. Unprivileged, or where root may not open the socket or device, the IPv4 probe is not sent and the link check says so.",
	}
)

// leaseCandidate returns an uplink that is up with carrier and whose
// every address is link-local, the self-assigned one preferred, with that
// address; nil when there is none. Called only without a default route.
func (d *diag) leaseCandidate() (*netstate.Link, netip.Addr) {
	if d.uplinkAlive() {
		return nil, netip.Addr{}
	}
	var best *netstate.Link
	var bestAddr netip.Addr
	for i := range d.s.Links {
		l := &d.s.Links[i]
		if k := l.KindOf(); (k != netstate.LinkPhysical && k != netstate.LinkVeth) || !l.AdminUp || !l.Carrier || len(l.Addrs) == 0 {
			continue
		}
		var ll netip.Addr
		onlyLL := true
		for _, p := range l.Addrs {
			a := p.Addr()
			if !a.IsLinkLocalUnicast() {
				onlyLL = false
				break
			}
			if !ll.IsValid() || (a.Is4() && !ll.Is4()) {
				ll = a
			}
		}
		if !onlyLL {
			continue
		}
		if best == nil || (ll.Is4() && !bestAddr.Is4()) {
			best, bestAddr = l, ll
		}
	}
	return best, bestAddr
}

// noLease adds no-dhcp-lease when an uplink holds only link-local
// addresses and no default route exists; it reports whether it did.
func (d *diag) noLease() bool {
	l, a := d.leaseCandidate()
	if l == nil {
		return false
	}
	var addrs []string
	for _, p := range l.Addrs {
		addrs = append(addrs, p.String())
	}
	d.add(LinkNoLease, Args{ArgIface: l.Name, ArgAddress: a.String(), ArgFamily: famName(netstate.FamilyOf(a))},
		fmt.Sprintf("%s: up, carrier, addresses %s (link-local only)", l.Name, strings.Join(addrs, " ")), "no default route in any table")
	d.set(StatusFail, l.Name+" has no DHCP lease (link-local only)")
	return true
}

// noLease4 adds no-dhcp-lease for IPv4 when IPv6 has a default route and
// IPv4 has none, and the IPv6 uplink's only IPv4 address is self-assigned:
// DHCPv4 failed while router advertisements worked. A machine with no IPv4
// address at all is on an IPv6-only network, which is no fault. It returns
// the link check's status for it.
func (d *diag) noLease4() Status {
	if d.s.V4.Default != nil || d.s.V6.Default == nil {
		return StatusPass
	}
	l := d.linkByIndex(d.s.V6.Default.IfIndex)
	if l == nil || !l.AdminUp || !l.Carrier {
		return StatusPass
	}
	var ll netip.Addr
	for _, p := range l.Addrs {
		a := p.Addr()
		if !a.Is4() {
			continue
		}
		if !a.IsLinkLocalUnicast() {
			return StatusPass
		}
		ll = a
	}
	if !ll.IsValid() {
		return StatusPass
	}
	fd := d.add(LinkNoLease, Args{ArgIface: l.Name, ArgAddress: ll.String(), ArgFamily: "IPv4"},
		fmt.Sprintf("%s: IPv4 %s only (self-assigned); IPv6 default route through %s", l.Name, ll, d.s.V6.Default.IfName))
	fd.Severity = SevWarning
	if d.ipv4Needed() {
		fd.Severity = SevError
	}
	return statusOf(fd.Severity)
}

// ipv4Needed reports whether an IPv4 target or name server of the run got
// no answer: the start needs the IPv4 that is missing.
func (d *diag) ipv4Needed() bool {
	for _, t := range d.s.V4.External {
		if !t.Reachable() {
			return true
		}
	}
	for _, sv := range d.s.DNS.Servers {
		if sv.Server.Addr().Unmap().Is4() && !sv.Answered {
			return true
		}
	}
	return false
}

// conflicts adds an address-conflict finding for each address another
// host holds, and returns the link check's status for them and a note for
// its detail (what was probed or could not be).
func (d *diag) conflicts() (Status, string) {
	st := StatusPass
	raise := func(f *Finding) {
		st = worse(st, d.errorWhenOffline(f))
	}
	for i := range d.s.Links {
		l := &d.s.Links[i]
		if !l.AdminUp {
			continue
		}
		for _, a := range l.DADFailed {
			raise(d.add(AddressConflict, Args{ArgIface: l.Name, ArgAddress: a.String(),
				ArgDetail: "duplicate address detection failed (another host answered for it)"},
				fmt.Sprintf("%s on %s: duplicate address detection failed", a, l.Name)))
		}
	}
	var notes []string
	for _, p := range d.s.AddrProbes {
		var proxied []string
		claimed := false
		for _, ans := range p.Answers {
			switch {
			case d.ownMAC(ans.MAC):
				continue
			case d.gatewayMAC(p.IfIndex, ans.MAC):
				// Proxy ARP: the router answers for every address.
				proxied = append(proxied, ans.MAC.String())
				continue
			}
			claimed = true
			m := ans.MAC.String()
			raise(d.add(AddressConflict, Args{ArgIface: p.IfName, ArgAddress: p.Addr.String(), ArgMAC: m,
				ArgDetail: "MAC " + m + " answers ARP for it"},
				fmt.Sprintf("ARP probe (RFC 5227) for %s on %s: answered by %s in %s", p.Addr, p.IfName, m, ms(ans.RTT))))
		}
		switch {
		case claimed:
		case len(proxied) > 0:
			notes = append(notes, fmt.Sprintf("%s: only the gateway (%s) answers ARP for it (proxy ARP)", p.Addr, strings.Join(proxied, ", ")))
		case p.Err != nil:
			notes = append(notes, fmt.Sprintf("%s: conflict probe failed: %s", p.Addr, netstate.ErrText(p.Err)))
		default:
			notes = append(notes, p.Addr.String()+": no other host claims it")
		}
	}
	if d.s.AddrProbeSkipped != "" {
		notes = append(notes, "IPv4 address conflicts not probed: "+d.s.AddrProbeSkipped)
	}
	return st, strings.Join(notes, "; ")
}

// ownMAC reports whether m is one of this machine's interfaces' MACs.
func (d *diag) ownMAC(m []byte) bool {
	return slices.ContainsFunc(d.s.Links, func(l netstate.Link) bool { return len(l.MAC) > 0 && bytes.Equal(l.MAC, m) })
}

// gatewayMAC reports whether m is the MAC of a gateway's neighbor entry on
// interface idx.
func (d *diag) gatewayMAC(idx int, m []byte) bool {
	for _, f := range d.s.Families() {
		if !f.Gateway.IsValid() {
			continue
		}
		for _, n := range d.s.Neighbors {
			if n.IfIndex == idx && n.IP == f.Gateway && bytes.Equal(n.MAC, m) {
				return true
			}
		}
	}
	return false
}
