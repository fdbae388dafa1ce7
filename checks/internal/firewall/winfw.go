package firewall

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

// Windows Firewall's profiles, in the order of NET_FW_PROFILE_TYPE2
// (netfw.h: domain 1, private 2, public 4).
const (
	winProfileDomain = iota
	winProfilePrivate
	winProfilePublic
)

// windowsProfileNames are the profiles as rules ("Profile=Private") and
// wf.msc name them.
var windowsProfileNames = [3]string{"Domain", "Private", "Public"}

// windowsFWProfile is one profile's settings, Group Policy's over the
// local store's.
type windowsFWProfile struct {
	Enabled  bool // EnableFirewall
	BlockOut bool // DefaultOutboundAction = 1 (NET_FW_ACTION_BLOCK)
	// LocalRules: the local store's rules apply; Group Policy's
	// AllowLocalPolicyMerge = 0 makes only its own rules count.
	LocalRules bool
}

// windowsFWProfiles merges each profile's settings: a value Group Policy
// sets wins over the local one; one set by neither has Windows' default
// (firewall on, outbound allowed). Keys are the profiles' registry key
// names: the local store calls the private profile StandardProfile, Group
// Policy PrivateProfile. Values are the keys' DWORDs by name.
func windowsFWProfiles(local, policy map[string]map[string]uint64) [3]windowsFWProfile {
	localKeys := [3]string{"DomainProfile", "StandardProfile", "PublicProfile"}
	policyKeys := [3]string{"DomainProfile", "PrivateProfile", "PublicProfile"}
	var out [3]windowsFWProfile
	for i := range out {
		get := func(name string, def uint64) uint64 {
			if v, ok := policy[policyKeys[i]][name]; ok {
				return v
			}
			if v, ok := local[localKeys[i]][name]; ok {
				return v
			}
			return def
		}
		merge, set := policy[policyKeys[i]]["AllowLocalPolicyMerge"]
		out[i] = windowsFWProfile{
			Enabled:    get("EnableFirewall", 1) != 0,
			BlockOut:   get("DefaultOutboundAction", 0) == 1,
			LocalRules: !set || merge != 0,
		}
	}
	return out
}

// windowsCandidateProfiles turns the categories of the networks Windows
// knows (NetworkList\Profiles' Category: 0 public, 1 private, 2 domain)
// into the profiles that can be active now: every network in use is one
// of them, though not every one is in use. Nothing read means any.
func windowsCandidateProfiles(categories []uint64) []int {
	var out []int
	for _, c := range categories {
		p := -1
		switch c {
		case 0:
			p = winProfilePublic
		case 1:
			p = winProfilePrivate
		case 2:
			p = winProfileDomain
		}
		if p >= 0 && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return []int{winProfileDomain, winProfilePrivate, winProfilePublic}
	}
	slices.Sort(out)
	return out
}

// windowsNetSignature is one network Windows has identified
// (NetworkList\Signatures\Managed or Unmanaged): the profile it belongs to
// and the MAC of its default gateway when it was identified.
type windowsNetSignature struct {
	ProfileGUID string
	GatewayMAC  []byte
}

// windowsGatewayProfile finds the profile of the network behind the
// default route: Windows tells networks apart by their default gateway's
// MAC, so the signatures with the gateway's current MAC are that network,
// and their profiles' category (categories: profile GUID → Category) is
// the firewall profile the start's traffic gets. ok is false when none
// matches or they disagree.
func windowsGatewayProfile(sigs []windowsNetSignature, categories map[string]uint64, gwMAC []byte) (p []int, ok bool) {
	if len(gwMAC) == 0 || slices.Equal(gwMAC, make([]byte, len(gwMAC))) {
		return nil, false
	}
	var cats []uint64
	for _, s := range sigs {
		if !slices.Equal(s.GatewayMAC, gwMAC) {
			continue
		}
		for g, c := range categories {
			if strings.EqualFold(g, s.ProfileGUID) {
				cats = append(cats, c)
			}
		}
	}
	p = windowsCandidateProfiles(cats)
	return p, len(cats) > 0 && len(p) == 1
}

// windowsFirewallInput is what the registry holds for Windows Firewall:
// the rules of the local store and of Group Policy (value name → rule
// string), each profile's settings, and the profiles that can be active.
type windowsFirewallInput struct {
	Local, Policy map[string]string
	Profiles      [3]windowsFWProfile
	Candidates    []int
}

// windowsFirewallChain models Windows Firewall's outbound path as one
// chain: the rules as the policy stores spell them
// ("v2.30|Action=Block|Active=TRUE|Dir=Out|Protocol=6|RPort=443|Name=…|"),
// block rules first (they win over allow rules), then allow rules, then
// the profile's default outbound action as the policy. ok is false when
// the firewall is off in the profile judged: no rule applies.
//
// Candidates are the profiles that may be active (the caller narrows
// them to the network behind the default route where it can tell): when
// their settings differ, the strictest is judged, and the chain's name and
// Assumed say so. Diagnosis claims from the chain only for traffic whose
// probes failed (its rules name no interface, so no kill switch is read
// from it to skip a probe): the assumption names a likely cause there and
// never blocks a working start. Pure, so it is tested on any OS.
func windowsFirewallChain(in windowsFirewallInput) (c netstate.FWChain, ok bool) {
	cands := in.Candidates
	if len(cands) == 0 {
		cands = []int{winProfileDomain, winProfilePrivate, winProfilePublic}
	}
	// The strictest candidate: on and blocking, then on, then off; a tie
	// goes to the later profile (Public before Private before Domain).
	rank := func(p windowsFWProfile) int {
		switch {
		case p.Enabled && p.BlockOut:
			return 2
		case p.Enabled:
			return 1
		}
		return 0
	}
	prof, same := cands[0], !windowsProfilesDiffer(in.Profiles, cands)
	for _, p := range cands[1:] {
		if rank(in.Profiles[p]) >= rank(in.Profiles[prof]) {
			prof = p
		}
	}
	settings := in.Profiles[prof]
	if !settings.Enabled {
		return c, false
	}
	name := "outbound, " + windowsProfileNames[prof] + " profile"
	if len(cands) > 1 {
		var names []string
		for _, p := range cands {
			names = append(names, windowsProfileNames[p])
		}
		if same {
			name = "outbound, " + strings.Join(names, " or ") + " profile"
		} else {
			name += " (assumed: the strictest of " + strings.Join(names, ", ") + "; which one is active is not read)"
		}
	}
	c = netstate.FWChain{Table: WindowsFirewallTable, Name: name, Hook: "output", Policy: netstate.FWAccept, Assumed: len(cands) > 1 && !same}
	if settings.BlockOut {
		c.Policy = netstate.FWDrop
	}
	var rules []netstate.FWRule
	add := func(values map[string]string, opaque bool) {
		for _, v := range values {
			r, profiles, ok := windowsFirewallRule(v)
			if !ok {
				continue
			}
			in := 0
			for _, p := range cands {
				if profiles&(1<<p) != 0 {
					in++
				}
			}
			if in == 0 {
				continue // a rule of profiles that cannot be active
			}
			// A rule of some candidate profiles only applies if one of
			// them is the active one.
			r.Opaque = r.Opaque || opaque || in < len(cands)
			// The value's name is a GUID, of no help to a reader: the
			// rule's display name is what wf.msc shows.
			r.Text = fmt.Sprintf("%q: %s", r.Text, windowsRuleWords(r))
			rules = append(rules, r)
		}
	}
	// Local rules count where Group Policy lets them: if only another
	// candidate profile does, they may apply.
	if slices.ContainsFunc(cands, func(p int) bool { return in.Profiles[p].LocalRules }) {
		add(in.Local, !settings.LocalRules)
	}
	add(in.Policy, false)
	// Map order is random: keep the evidence stable, blocks before allows.
	slices.SortFunc(rules, func(a, b netstate.FWRule) int {
		if d := windowsVerdictOrder(a.Verdict) - windowsVerdictOrder(b.Verdict); d != 0 {
			return d
		}
		return strings.Compare(a.Text, b.Text)
	})
	c.Rules = rules
	return c, true
}

// windowsProfilesDiffer reports whether the candidate profiles' settings
// differ: then which one is active decides the default outbound action.
func windowsProfilesDiffer(profiles [3]windowsFWProfile, cands []int) bool {
	for _, p := range cands {
		if profiles[p] != profiles[cands[0]] {
			return true
		}
	}
	return false
}

// windowsVerdictOrder is Windows Firewall's precedence: a block rule wins
// over an allow rule, whatever their order.
func windowsVerdictOrder(v netstate.FWVerdict) int {
	if v == netstate.FWDrop {
		return 0
	}
	return 1
}

// windowsFirewallRule parses one rule; ok is false for a rule that does
// not apply to outbound traffic (inbound, inactive, unparsable, an action
// other than block or allow). Text is the rule's name; profiles is a bit
// set of winProfile* (all three when the rule names none).
func windowsFirewallRule(v string) (r netstate.FWRule, profiles int, ok bool) {
	fields := strings.Split(v, "|")
	if len(fields) < 2 || !strings.HasPrefix(fields[0], "v2.") {
		return r, 0, false
	}
	var action, active, dir string
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
			i := slices.Index(windowsProfileNames[:], val)
			if i < 0 {
				r.Opaque = true
				continue
			}
			profiles |= 1 << i
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
	if !strings.EqualFold(active, "TRUE") || dir != "Out" {
		return r, 0, false
	}
	switch action {
	case "Block":
		r.Verdict = netstate.FWDrop
	case "Allow":
		r.Verdict = netstate.FWAccept
	default:
		// "Bypass" (authenticated bypass) overrides block rules for
		// IPsec-authenticated peers only; the public hosts a start
		// connects to are not.
		return r, 0, false
	}
	if profiles == 0 {
		profiles = 1<<winProfileDomain | 1<<winProfilePrivate | 1<<winProfilePublic
	}
	return r, profiles, true
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
	if r.Verdict == netstate.FWAccept {
		words[0] = "allow out"
	}
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
