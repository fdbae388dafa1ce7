package diagnose

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/netguard/netguard/checks/netstate"
)

// fwOutcome is the fate of one packet in the local packet filter.
type fwOutcome struct {
	// Verdict is FWAccept, FWDrop or FWReject.
	Verdict netstate.FWVerdict
	// Chain and Rule decided it; Rule is nil for a base chain's policy.
	Chain *netstate.FWChain
	Rule  *netstate.FWRule
	// Sure is false when a rule the model cannot read (Opaque) could have
	// accepted the packet, or sent it elsewhere, before the verdict.
	Sure bool
}

// blocked reports whether the packet is dropped or rejected for sure.
func (o fwOutcome) blocked() bool {
	return o.Sure && (o.Verdict == netstate.FWDrop || o.Verdict == netstate.FWReject)
}

// where names the rule or policy that decided, as nft lists it (as
// iptables numbers it for the legacy back end; pfctl and Windows
// Firewall: as they name it).
func (o fwOutcome) where() string {
	c := o.Chain
	if c.Family == "" { // a store without tables of families: pf, Windows Firewall
		switch {
		case o.Rule == nil:
			action := "allow"
			if c.Policy == netstate.FWDrop || c.Policy == netstate.FWReject {
				action = "block"
			}
			return fmt.Sprintf("%s %s: default %s", c.Table, c.Name, action)
		case o.Rule.Anchor != "":
			return fmt.Sprintf("%s anchor %q rule %s", c.Table, o.Rule.Anchor, o.Rule.Text)
		}
		return fmt.Sprintf("%s %s rule %s", c.Table, c.Name, o.Rule.Text)
	}
	if o.Rule == nil {
		return fmt.Sprintf("%s: policy %s", chainName(c), c.Policy)
	}
	return fmt.Sprintf("%s %s: %s", chainName(c), ruleRef(c, o.Rule), o.Rule.Text)
}

// chainName names a chain as its tool lists it: "inet filter output" for
// nftables, "iptables-legacy filter OUTPUT" for x_tables.
func chainName(c *netstate.FWChain) string {
	if c.Backend == netstate.BackendIPTablesLegacy {
		return fmt.Sprintf("%s %s %s", legacyTool(c), c.Table, c.Name)
	}
	return fmt.Sprintf("%s %s %s", c.Family, c.Table, c.Name)
}

// ruleRef is how the chain's tool refers to r: nft by handle, iptables
// by the rule's number in its chain.
func ruleRef(c *netstate.FWChain, r *netstate.FWRule) string {
	if c.Backend == netstate.BackendIPTablesLegacy {
		return fmt.Sprintf("rule %d", r.Handle)
	}
	return fmt.Sprintf("handle %d", r.Handle)
}

// legacyTool is the command that manages a legacy chain's table.
func legacyTool(c *netstate.FWChain) string {
	if c.Family == "ip6" {
		return "ip6tables-legacy"
	}
	return "iptables-legacy"
}

// fwArgs are the args naming the chain and rule of o for the manual steps:
// nft's family and handle, or the iptables command and rule number.
func (o fwOutcome) fwArgs(a Args) Args {
	a[ArgRule] = o.where()
	switch {
	case o.Chain.Family == "":
		// Not nftables: the steps name no table or handle; pf's name the
		// anchor that holds the rule.
		if o.Rule != nil && o.Rule.Anchor != "" {
			a[ArgAnchor] = o.Rule.Anchor
		}
		return a
	case o.Chain.Backend == netstate.BackendIPTablesLegacy:
		a[ArgIPTables], a[ArgTable], a[ArgChain] = legacyTool(o.Chain), o.Chain.Table, o.Chain.Name
		if o.Rule != nil {
			a[ArgRuleNum] = fmt.Sprint(o.Rule.Handle)
		}
		return a
	}
	a[ArgFWFamily], a[ArgTable], a[ArgChain] = o.Chain.Family, o.Chain.Table, o.Chain.Name
	if o.Rule != nil {
		a[ArgHandle] = fmt.Sprint(o.Rule.Handle)
	}
	return a
}

// fwEval runs p through the output base chains in the kernel's order: a
// drop or reject in any of them is final, an accept ends only that chain.
// That holds across back ends too: nftables' chains and the legacy
// iptables OUTPUT chain all hook output.
func fwEval(fs *netstate.FirewallState, p netstate.FWPacket) fwOutcome {
	sure := true
	for i := range fs.Chains {
		c := &fs.Chains[i]
		if c.Hook != "output" || !familyApplies(c.Family, p.Family) {
			continue
		}
		o, decided := fwRun(fs, c, p, 0)
		sure = sure && o.Sure
		if !decided {
			o = fwOutcome{Verdict: c.Policy, Chain: c, Sure: true}
		}
		if o.Verdict != netstate.FWAccept {
			o.Sure = o.Sure && sure
			return o
		}
	}
	return fwOutcome{Verdict: netstate.FWAccept, Sure: sure}
}

// maxJumps bounds jumps between chains (the kernel's own limit is 16).
const maxJumps = 16

// fwRun runs p through one chain; decided is false when it fell off the
// end (or returned) without a verdict.
func fwRun(fs *netstate.FirewallState, c *netstate.FWChain, p netstate.FWPacket, depth int) (o fwOutcome, decided bool) {
	sure := true
	for i := range c.Rules {
		r := &c.Rules[i]
		m := fwMatches(r, p)
		if m == matchNo {
			continue
		}
		if m == matchMaybe {
			// Taken as not matching. That is safe for a drop (a later
			// block is still a block) but not for anything that could let
			// the packet through or send it elsewhere.
			if r.Verdict != netstate.FWDrop && r.Verdict != netstate.FWReject && r.Verdict != netstate.FWNone && r.Verdict != netstate.FWContinue {
				sure = false
			}
			continue
		}
		switch r.Verdict {
		case netstate.FWAccept, netstate.FWDrop, netstate.FWReject:
			return fwOutcome{Verdict: r.Verdict, Chain: c, Rule: r, Sure: sure}, true
		case netstate.FWReturn:
			return fwOutcome{Sure: sure}, false
		case netstate.FWJump, netstate.FWGoto:
			t := fwChain(fs, c, r.Target)
			if t == nil || depth >= maxJumps {
				return fwOutcome{Sure: false}, false
			}
			sub, ok := fwRun(fs, t, p, depth+1)
			sub.Sure = sub.Sure && sure
			if ok || r.Verdict == netstate.FWGoto {
				return sub, ok
			}
			sure = sub.Sure
		}
	}
	return fwOutcome{Sure: sure}, false
}

func fwChain(fs *netstate.FirewallState, from *netstate.FWChain, name string) *netstate.FWChain {
	i := slices.IndexFunc(fs.Chains, func(c netstate.FWChain) bool {
		return c.Backend == from.Backend && c.Family == from.Family && c.Table == from.Table && c.Name == name
	})
	if i < 0 {
		return nil
	}
	return &fs.Chains[i]
}

func familyApplies(tableFamily string, fam int) bool {
	switch tableFamily {
	case "ip":
		return fam == 4
	case "ip6":
		return fam == 6
	}
	return true
}

type matchResult int

const (
	matchNo matchResult = iota
	matchYes
	matchMaybe
)

// fwMatches tells whether every match of r holds for p. A rule with a
// test the model cannot read matches "maybe" unless a test it can read
// already fails.
func fwMatches(r *netstate.FWRule, p netstate.FWPacket) matchResult {
	for _, m := range r.Match {
		if fieldHolds(m, p) == m.Neg {
			return matchNo
		}
	}
	if r.Opaque {
		return matchMaybe
	}
	return matchYes
}

// fieldHolds reports whether p's field is one of m's values (before Neg).
func fieldHolds(m netstate.FWMatch, p netstate.FWPacket) bool {
	switch m.Field {
	case netstate.FWNFProto:
		return slices.Contains(m.Protos, uint8(p.Family))
	case netstate.FWL4Proto:
		return slices.Contains(m.Protos, p.L4Proto)
	case netstate.FWDPort:
		return slices.ContainsFunc(m.Ports, func(r netstate.PortRange) bool { return p.DPort >= r.Lo && p.DPort <= r.Hi })
	case netstate.FWDAddr:
		return slices.ContainsFunc(m.Prefixes, func(pf netip.Prefix) bool { return pf.Contains(p.DAddr) })
	case netstate.FWOIfName:
		return slices.ContainsFunc(m.Names, func(n string) bool { return ifNameMatches(n, p.OIfName) })
	case netstate.FWCtState:
		return slices.Contains(m.Names, "new")
	case netstate.FWMark:
		return slices.Contains(m.Marks, 0)
	}
	return false
}

// ifNameMatches matches an interface name pattern; a trailing "+" is a
// prefix (iptables' wildcard).
func ifNameMatches(pattern, name string) bool {
	if pre, ok := strings.CutSuffix(pattern, "+"); ok {
		return strings.HasPrefix(name, pre)
	}
	return pattern == name
}

// tunnelExceptions are the interfaces a chain accepts everything to,
// other than loopback (lo, macOS's lo0): the tunnel a kill switch lets
// through.
func tunnelExceptions(c *netstate.FWChain) []string {
	var out []string
	for _, r := range c.Rules {
		if r.Verdict != netstate.FWAccept || r.Opaque {
			continue
		}
		var names []string
		only := true
		for _, m := range r.Match {
			switch {
			case m.Field == netstate.FWOIfName && !m.Neg:
				names = append(names, m.Names...)
			case m.Field == netstate.FWNFProto, m.Field == netstate.FWCtState:
			default:
				only = false
			}
		}
		if !only {
			continue
		}
		for _, n := range names {
			if n != "lo" && n != "lo0" && !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	return out
}

// negAddrs are the addresses a rule excepts with "daddr != ...": the one
// server a DNS leak guard lets through.
func negAddrs(r *netstate.FWRule) []string {
	var out []string
	for _, m := range r.Match {
		if m.Field == netstate.FWDAddr && m.Neg {
			for _, p := range m.Prefixes {
				if p.IsSingleIP() {
					out = append(out, p.Addr().String())
				} else {
					out = append(out, p.String())
				}
			}
		}
	}
	return out
}

// KillSwitchDrops reports whether the output rules drop everything sent to
// a through the interface oif, by a chain's policy or a rule that matches
// all, in a chain that lets another interface (a tunnel) through: a kill
// switch. The engine then sends no probe there, as for a reject route:
// the rules prove the silence.
func KillSwitchDrops(fs *netstate.FirewallState, a netip.Addr, oif string) bool {
	if fs.Read != netstate.TriYes || oif == "" {
		return false
	}
	for _, p := range startPackets(a, oif) {
		o := fwEval(fs, p)
		if !killSwitchOutcome(o, oif) {
			return false
		}
	}
	return true
}

// startPackets are the packets a start sends to a through oif: HTTPS,
// HTTP and DNS.
func startPackets(a netip.Addr, oif string) []netstate.FWPacket {
	fam := netstate.FamilyOf(a)
	return []netstate.FWPacket{
		{Family: fam, L4Proto: netstate.ProtoTCP, DAddr: a, DPort: 443, OIfName: oif},
		{Family: fam, L4Proto: netstate.ProtoTCP, DAddr: a, DPort: 80, OIfName: oif},
		{Family: fam, L4Proto: netstate.ProtoUDP, DAddr: a, DPort: 53, OIfName: oif},
	}
}

// killSwitchOutcome reports whether o is a kill switch's drop of a packet
// sent through oif: a policy, or a rule that matches all (of a family:
// pf's "block drop out inet all"), in a chain that accepts another
// interface.
func killSwitchOutcome(o fwOutcome, oif string) bool {
	if !o.blocked() || (o.Rule != nil && (!matchesAll(o.Rule) || o.Rule.Opaque)) {
		return false
	}
	tun := tunnelExceptions(o.Chain)
	return len(tun) > 0 && !slices.ContainsFunc(tun, func(n string) bool { return ifNameMatches(n, oif) })
}

// matchesAll reports whether r tests nothing but the address family.
func matchesAll(r *netstate.FWRule) bool {
	return !slices.ContainsFunc(r.Match, func(m netstate.FWMatch) bool { return m.Field != netstate.FWNFProto || m.Neg })
}
