package sys

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/netguard/netguard/checks/netstate"
)

// WindowsFirewallTable names the Windows Firewall's rules in evidence.
const WindowsFirewallTable = "Windows Firewall"

// windowsFirewallChain models the enabled outbound block rules of the
// Windows Firewall policy store, as its registry values spell them
// ("v2.30|Action=Block|Active=TRUE|Dir=Out|Protocol=6|RPort=443|Name=…|"),
// one value per rule. Block rules win over allow rules in Windows
// Firewall, so only they are kept; a default outbound action of block is
// not modelled (the chain's policy stays accept). Pure, so it is tested
// on any OS.
func windowsFirewallChain(values map[string]string) netstate.FWChain {
	c := netstate.FWChain{Table: WindowsFirewallTable, Name: "outbound", Hook: "output", Policy: netstate.FWAccept}
	for _, v := range values {
		if r, ok := windowsFirewallRule(v); ok {
			// The value's name is a GUID, of no help to a reader: the
			// rule's display name is what wf.msc shows.
			r.Text = fmt.Sprintf("%q: %s", r.Text, windowsRuleWords(r))
			c.Rules = append(c.Rules, r)
		}
	}
	// Map order is random: keep the evidence stable.
	slices.SortFunc(c.Rules, func(a, b netstate.FWRule) int { return strings.Compare(a.Text, b.Text) })
	return c
}

// windowsFirewallRule parses one rule; ok is false for a rule that does
// not block outbound traffic (inbound, allow, inactive, unparsable).
// Text is the rule's name.
func windowsFirewallRule(v string) (r netstate.FWRule, ok bool) {
	fields := strings.Split(v, "|")
	if len(fields) < 2 || !strings.HasPrefix(fields[0], "v2.") {
		return r, false
	}
	var action, active, dir string
	profiles := 0
	for _, f := range fields[1:] {
		k, val, found := strings.Cut(f, "=")
		if !found {
			continue
		}
		switch k {
		case "Action":
			action = val
		case "Active":
			active = val
		case "Dir":
			dir = val
		case "Name":
			r.Text = val
		case "Desc", "EmbedCtxt", "Edge", "Defer":
			// no effect on which packets match
		case "Profile":
			profiles++
		case "Protocol":
			p, err := strconv.ParseUint(val, 10, 8)
			if err != nil {
				r.Opaque = true
				continue
			}
			r.Match = append(r.Match, netstate.FWMatch{Field: netstate.FWL4Proto, Protos: []uint8{uint8(p)}})
		case "RPort":
			m, good := windowsPorts(val)
			if !good {
				r.Opaque = true
				continue
			}
			r.Match = appendOr(r.Match, m)
		case "RA4", "RA6", "RA42", "RA62":
			m, good := windowsAddrs(val)
			if !good {
				r.Opaque = true
				continue
			}
			r.Match = appendOr(r.Match, m)
		default:
			// An application, a service, an interface, a local port or
			// address, authentication: the rule applies to some traffic
			// only, which the model cannot tell.
			r.Opaque = true
		}
	}
	if action != "Block" || !strings.EqualFold(active, "TRUE") || dir != "Out" {
		return r, false
	}
	// A rule for one or two of the three profiles applies only while that
	// profile is active, which is not read here.
	if profiles > 0 && profiles < 3 {
		r.Opaque = true
	}
	r.Verdict = netstate.FWDrop
	return r, true
}

// appendOr adds m to a rule's matches; a field listed twice (RA4 and RA6,
// or RPort repeated) is one match whose values are alternatives.
func appendOr(ms []netstate.FWMatch, m netstate.FWMatch) []netstate.FWMatch {
	for i := range ms {
		if ms[i].Field == m.Field {
			ms[i].Ports = append(ms[i].Ports, m.Ports...)
			ms[i].Prefixes = append(ms[i].Prefixes, m.Prefixes...)
			return ms
		}
	}
	return append(ms, m)
}

// windowsPorts parses "443", "80,443", "1000-2000"; a keyword (RPC,
// IPHTTPS) is not a port.
func windowsPorts(v string) (netstate.FWMatch, bool) {
	m := netstate.FWMatch{Field: netstate.FWDPort}
	for _, p := range strings.Split(v, ",") {
		lo, hi, isRange := strings.Cut(p, "-")
		if !isRange {
			hi = lo
		}
		l, err1 := strconv.ParseUint(lo, 10, 16)
		h, err2 := strconv.ParseUint(hi, 10, 16)
		if err1 != nil || err2 != nil || l > h {
			return m, false
		}
		m.Ports = append(m.Ports, netstate.PortRange{Lo: uint16(l), Hi: uint16(h)})
	}
	return m, len(m.Ports) > 0
}

// windowsAddrs parses remote addresses: one address, a prefix with a
// length or a dotted mask; a range or a keyword (LocalSubnet, DNS) is not
// modelled.
func windowsAddrs(v string) (netstate.FWMatch, bool) {
	m := netstate.FWMatch{Field: netstate.FWDAddr}
	for _, a := range strings.Split(v, ",") {
		base, mask, hasMask := strings.Cut(a, "/")
		addr, err := netip.ParseAddr(base)
		if err != nil {
			return m, false
		}
		bits := addr.BitLen()
		if hasMask {
			if n, err := strconv.Atoi(mask); err == nil {
				bits = n
			} else if mk, err := netip.ParseAddr(mask); err == nil && mk.Is4() {
				bits = 0
				for _, b := range mk.As4() {
					for ; b&0x80 != 0; b <<= 1 {
						bits++
					}
				}
			} else {
				return m, false
			}
		}
		p, err := addr.Prefix(bits)
		if err != nil {
			return m, false
		}
		m.Prefixes = append(m.Prefixes, p)
	}
	return m, len(m.Prefixes) > 0
}

// windowsRuleWords renders a rule's matches for evidence.
func windowsRuleWords(r netstate.FWRule) string {
	words := []string{"block out"}
	for _, m := range r.Match {
		words = append(words, matchWords(m))
	}
	if r.Opaque {
		words = append(words, "(and conditions not modelled)")
	}
	return strings.Join(words, " ")
}

// matchWords renders one match.
func matchWords(m netstate.FWMatch) string {
	var vals []string
	for _, p := range m.Protos {
		switch p {
		case netstate.ProtoTCP:
			vals = append(vals, "tcp")
		case netstate.ProtoUDP:
			vals = append(vals, "udp")
		default:
			vals = append(vals, "protocol "+strconv.Itoa(int(p)))
		}
	}
	for _, p := range m.Ports {
		if p.Lo == p.Hi {
			vals = append(vals, "port "+strconv.Itoa(int(p.Lo)))
		} else {
			vals = append(vals, fmt.Sprintf("ports %d-%d", p.Lo, p.Hi))
		}
	}
	for _, p := range m.Prefixes {
		vals = append(vals, "to "+p.String())
	}
	return strings.Join(vals, ", ")
}
