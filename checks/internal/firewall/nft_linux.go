package firewall

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/bits"
	"net"
	"net/netip"
	"slices"
	"strings"

	"github.com/google/nftables"
	"github.com/google/nftables/expr"
	"github.com/netguard/netguard/checks/netstate"
	"golang.org/x/sys/unix"
)

// ReadOutput reads the nftables chains hooked on output, and the regular
// chains of their tables, over netlink (iptables-nft keeps its rules there
// too), and the legacy iptables back end's filter table where the kernel
// lists one: both run on the output hook, and a packet must pass each.
// privileged tells whether the process may dump the ruleset at all.
func ReadOutput(ctx context.Context, privileged bool) netstate.FirewallState {
	if !privileged {
		// The kernel answers an unprivileged dump with EPERM: say so
		// without opening the socket, which a healthy run would pay for.
		return netstate.FirewallState{Source: "nftables", Read: netstate.TriNo, Err: fmt.Errorf("list nftables chains: %w", unix.EPERM)}
	}
	ch := make(chan netstate.FirewallState, 1)
	// The library's calls take no context: run them aside so that a
	// stuck netlink socket or a huge ruleset cannot hold the run.
	go func() {
		fs := readOutputFilter()
		addLegacyFilter(&fs)
		ch <- fs
	}()
	select {
	case fs := <-ch:
		return fs
	case <-ctx.Done():
		return netstate.FirewallState{Source: "nftables", Read: netstate.TriNo, Err: fmt.Errorf("read nftables ruleset: %w", ctx.Err())}
	}
}

func readOutputFilter() netstate.FirewallState {
	fs := netstate.FirewallState{Source: "nftables"}
	c, err := nftables.New()
	if err != nil {
		fs.Read, fs.Err = netstate.TriNo, fmt.Errorf("open nftables netlink socket: %w", err)
		return fs
	}
	chains, err := c.ListChains()
	if err != nil {
		fs.Read, fs.Err = netstate.TriNo, fmt.Errorf("list nftables chains: %w", err)
		return fs
	}
	type tkey struct {
		fam  nftables.TableFamily
		name string
	}
	hooked := map[tkey]bool{}
	for _, ch := range chains {
		if isOutputChain(ch) {
			hooked[tkey{ch.Table.Family, ch.Table.Name}] = true
		}
	}
	for _, ch := range chains {
		k := tkey{ch.Table.Family, ch.Table.Name}
		if !hooked[k] || (ch.Hooknum != nil && !isOutputChain(ch)) {
			continue
		}
		rules, err := c.GetRules(ch.Table, ch)
		if err != nil {
			fs.Read, fs.Err = netstate.TriNo, fmt.Errorf("list rules of %s %s %s: %w", familyName(ch.Table.Family), ch.Table.Name, ch.Name, err)
			return fs
		}
		fc := netstate.FWChain{Family: familyName(ch.Table.Family), Table: ch.Table.Name, Name: ch.Name, Policy: netstate.FWAccept}
		if ch.Hooknum != nil {
			fc.Hook = "output"
			if ch.Priority != nil {
				fc.Priority = int(*ch.Priority)
			}
			if ch.Policy != nil && *ch.Policy == nftables.ChainPolicyDrop {
				fc.Policy = netstate.FWDrop
			}
		}
		sets := func(name string, id uint32) ([]nftables.SetElement, *nftables.Set) {
			st, err := c.GetSetByName(ch.Table, name)
			if err != nil {
				return nil, nil
			}
			el, err := c.GetSetElements(st)
			if err != nil {
				return nil, nil
			}
			return el, st
		}
		for _, r := range rules {
			fc.Rules = append(fc.Rules, FWRuleOf(r.Handle, r.Exprs, sets))
		}
		fs.Chains = append(fs.Chains, fc)
	}
	slices.SortStableFunc(fs.Chains, func(a, b netstate.FWChain) int { return a.Priority - b.Priority })
	fs.Read = netstate.TriYes
	return fs
}

// addLegacyFilter adds the legacy iptables filter tables' OUTPUT chains
// (and their user chains) to fs when the kernel lists such a table and it
// holds a rule or a policy other than ACCEPT. A table that cannot be read
// makes the whole read fail: half the rules prove nothing.
func addLegacyFilter(fs *netstate.FirewallState) {
	if fs.Read != netstate.TriYes {
		return
	}
	added := false
	for _, fam := range legacyFilterTables() {
		chains, err := readLegacyFilter(fam)
		if err != nil {
			fs.Read, fs.Err, fs.Chains = netstate.TriNo, err, nil
			fs.Source += ", " + netstate.BackendIPTablesLegacy
			return
		}
		if !slices.ContainsFunc(chains, func(c netstate.FWChain) bool { return len(c.Rules) > 0 || c.Policy != netstate.FWAccept }) {
			continue
		}
		fs.Chains = append(fs.Chains, chains...)
		added = true
	}
	if added {
		fs.Source += ", " + netstate.BackendIPTablesLegacy
	}
}

// isOutputChain reports whether ch is a filter base chain on the output
// hook (route chains on output also see every packet and can drop it).
func isOutputChain(ch *nftables.Chain) bool {
	return ch.Hooknum != nil && *ch.Hooknum == *nftables.ChainHookOutput &&
		(ch.Table.Family == nftables.TableFamilyINet || ch.Table.Family == nftables.TableFamilyIPv4 || ch.Table.Family == nftables.TableFamilyIPv6) &&
		ch.Type != nftables.ChainTypeNAT
}

func familyName(f nftables.TableFamily) string {
	switch f {
	case nftables.TableFamilyINet:
		return "inet"
	case nftables.TableFamilyIPv4:
		return "ip"
	case nftables.TableFamilyIPv6:
		return "ip6"
	}
	return fmt.Sprint(uint8(f))
}

// loaded is what a register holds while a rule's expressions run.
type loaded struct {
	field netstate.FWField
	v6    bool   // an IPv6 address
	mask  int    // prefix length after a bitwise mask; -1 for none
	oif   bool   // an interface index (meta oif), not a name
	bits  uint32 // ct state: the state bits a bitwise mask kept
}

// SetLookup returns a named set's elements and the set; nil when it
// cannot be read.
type SetLookup func(name string, id uint32) ([]nftables.SetElement, *nftables.Set)

// FWRuleOf turns one rule's expressions into the matches and verdict
// diagnosis evaluates. Anything it does not model (connection state,
// marks, source addresses, an xtables match) makes the rule Opaque.
func FWRuleOf(handle uint64, exprs []expr.Any, sets SetLookup) netstate.FWRule {
	r := netstate.FWRule{Handle: handle}
	regs := map[uint32]*loaded{}
	var words []string
	opaque := func(w string) {
		r.Opaque = true
		words = append(words, w)
	}
	for _, e := range exprs {
		switch e := e.(type) {
		case *expr.Meta:
			if e.SourceRegister {
				opaque("meta set")
				continue
			}
			switch e.Key {
			case expr.MetaKeyL4PROTO:
				regs[e.Register] = &loaded{field: netstate.FWL4Proto, mask: -1}
			case expr.MetaKeyNFPROTO:
				regs[e.Register] = &loaded{field: netstate.FWNFProto, mask: -1}
			case expr.MetaKeyOIFNAME:
				regs[e.Register] = &loaded{field: netstate.FWOIfName, mask: -1}
			case expr.MetaKeyOIF:
				regs[e.Register] = &loaded{field: netstate.FWOIfName, mask: -1, oif: true}
			case expr.MetaKeyMARK:
				regs[e.Register] = &loaded{field: netstate.FWMark, mask: -1}
			default:
				delete(regs, e.Register)
				opaque(fmt.Sprintf("meta %d", e.Key))
			}
		case *expr.Payload:
			l := payloadField(e)
			if l == nil {
				delete(regs, e.DestRegister)
				opaque(fmt.Sprintf("payload %d/%d/%d", e.Base, e.Offset, e.Len))
				continue
			}
			regs[e.DestRegister] = l
		case *expr.Ct:
			switch {
			case e.SourceRegister:
				opaque("ct set")
			case e.Key == expr.CtKeySTATE:
				regs[e.Register] = &loaded{field: netstate.FWCtState, mask: -1}
			case e.Key == expr.CtKeyMARK:
				regs[e.Register] = &loaded{field: netstate.FWMark, mask: -1}
			default:
				delete(regs, e.Register)
				opaque("ct")
			}
		case *expr.Bitwise:
			l := regs[e.SourceRegister]
			if l != nil && l.field == netstate.FWCtState && len(e.Mask) == 4 {
				regs[e.DestRegister] = &loaded{field: netstate.FWCtState, mask: 32, bits: binary.NativeEndian.Uint32(e.Mask)}
				continue
			}
			if l != nil && l.field == netstate.FWMark && !slices.ContainsFunc(e.Xor, func(b byte) bool { return b != 0 }) {
				// A mark masked is still 0 for packets that carry none.
				regs[e.DestRegister] = &loaded{field: netstate.FWMark, mask: -1}
				continue
			}
			if l == nil || l.field != netstate.FWDAddr {
				opaque("bitwise")
				continue
			}
			n := 0
			for _, b := range e.Mask {
				n += bits.OnesCount8(b)
			}
			c := *l
			c.mask = n
			regs[e.DestRegister] = &c
		case *expr.Cmp:
			l := regs[e.Register]
			if l != nil && l.field == netstate.FWDPort && len(e.Data) == 2 && e.Op != expr.CmpOpEq && e.Op != expr.CmpOpNeq {
				// A port range is two comparisons: dport >= lo, dport <= hi.
				p := binary.BigEndian.Uint16(e.Data)
				pr, ok := map[expr.CmpOp]netstate.PortRange{
					expr.CmpOpGte: {Lo: p, Hi: 65535}, expr.CmpOpLte: {Lo: 0, Hi: p},
					expr.CmpOpGt: {Lo: p + 1, Hi: 65535}, expr.CmpOpLt: {Lo: 0, Hi: p - 1},
				}[e.Op]
				if !ok || (e.Op == expr.CmpOpGt && p == 65535) || (e.Op == expr.CmpOpLt && p == 0) {
					opaque("cmp")
					continue
				}
				m := netstate.FWMatch{Field: netstate.FWDPort, Ports: []netstate.PortRange{pr}}
				r.Match = append(r.Match, m)
				words = append(words, matchText(m))
				continue
			}
			if l == nil || (e.Op != expr.CmpOpEq && e.Op != expr.CmpOpNeq) {
				opaque("cmp")
				continue
			}
			m, ok := matchOf(l, e.Data)
			if !ok {
				opaque("cmp")
				continue
			}
			m.Neg = m.Neg != (e.Op == expr.CmpOpNeq)
			r.Match = append(r.Match, m)
			words = append(words, matchText(m))
		case *expr.Range:
			l := regs[e.Register]
			if l == nil || l.field != netstate.FWDPort || len(e.FromData) != 2 || len(e.ToData) != 2 || (e.Op != expr.CmpOpEq && e.Op != expr.CmpOpNeq) {
				opaque("range")
				continue
			}
			m := netstate.FWMatch{Field: netstate.FWDPort, Neg: e.Op == expr.CmpOpNeq,
				Ports: []netstate.PortRange{{Lo: binary.BigEndian.Uint16(e.FromData), Hi: binary.BigEndian.Uint16(e.ToData)}}}
			r.Match = append(r.Match, m)
			words = append(words, matchText(m))
		case *expr.Lookup:
			l := regs[e.SourceRegister]
			if l == nil || e.IsDestRegSet || sets == nil {
				opaque("lookup")
				continue
			}
			els, st := sets(e.SetName, e.SetID)
			m, ok := setMatch(l, els, st)
			if !ok {
				opaque("@" + e.SetName)
				continue
			}
			m.Neg = e.Invert
			r.Match = append(r.Match, m)
			words = append(words, matchText(m))
		case *expr.Counter, *expr.Log:
			// no effect on the packet's fate
		case *expr.Verdict:
			switch e.Kind {
			case expr.VerdictAccept:
				r.Verdict = netstate.FWAccept
			case expr.VerdictDrop:
				r.Verdict = netstate.FWDrop
			case expr.VerdictJump:
				r.Verdict, r.Target = netstate.FWJump, e.Chain
			case expr.VerdictGoto:
				r.Verdict, r.Target = netstate.FWGoto, e.Chain
			case expr.VerdictReturn:
				r.Verdict = netstate.FWReturn
			default:
				r.Verdict = netstate.FWContinue
			}
			words = append(words, strings.TrimSpace(string(r.Verdict)+" "+r.Target))
		case *expr.Reject:
			r.Verdict = netstate.FWReject
			words = append(words, "reject")
		case *expr.Target:
			switch e.Name {
			case "REJECT":
				r.Verdict = netstate.FWReject
				words = append(words, "reject")
			case "LOG", "NFLOG":
			default:
				opaque("xt target " + e.Name)
			}
		case *expr.Match:
			opaque("xt match " + e.Name)
		default:
			opaque(fmt.Sprintf("%T", e))
		}
	}
	r.Text = strings.Join(words, " ")
	return r
}

// payloadField is what a payload load reads, for the fields modelled;
// nil for any other.
func payloadField(p *expr.Payload) *loaded {
	switch {
	case p.OperationType != expr.PayloadLoad:
		return nil
	case p.Base == expr.PayloadBaseTransportHeader && p.Offset == 2 && p.Len == 2:
		return &loaded{field: netstate.FWDPort, mask: -1}
	// A prefix is loaded as its leading bytes alone (ip daddr
	// 192.0.2.0/24 loads 3).
	case p.Base == expr.PayloadBaseNetworkHeader && p.Offset == 16 && p.Len >= 1 && p.Len <= 4:
		return &loaded{field: netstate.FWDAddr, mask: partial(p.Len, 4)}
	case p.Base == expr.PayloadBaseNetworkHeader && p.Offset == 24 && p.Len >= 1 && p.Len <= 16:
		return &loaded{field: netstate.FWDAddr, v6: true, mask: partial(p.Len, 16)}
	case p.Base == expr.PayloadBaseNetworkHeader && p.Offset == 9 && p.Len == 1: // IPv4 protocol
		return &loaded{field: netstate.FWL4Proto, mask: -1}
	case p.Base == expr.PayloadBaseNetworkHeader && p.Offset == 6 && p.Len == 1: // IPv6 next header
		return &loaded{field: netstate.FWL4Proto, mask: -1}
	}
	return nil
}

// partial is the prefix length of loading n of an address's size bytes,
// -1 for all of them.
func partial(n, size uint32) int {
	if n == size {
		return -1
	}
	return int(n) * 8
}

// matchOf is the match of a register holding l compared with data.
func matchOf(l *loaded, data []byte) (netstate.FWMatch, bool) {
	m := netstate.FWMatch{Field: l.field}
	switch l.field {
	case netstate.FWL4Proto:
		if len(data) != 1 {
			return m, false
		}
		m.Protos = []uint8{data[0]}
	case netstate.FWNFProto:
		if len(data) != 1 {
			return m, false
		}
		switch data[0] {
		case unix.NFPROTO_IPV4:
			m.Protos = []uint8{4}
		case unix.NFPROTO_IPV6:
			m.Protos = []uint8{6}
		default:
			return m, false
		}
	case netstate.FWDPort:
		if len(data) != 2 {
			return m, false
		}
		p := binary.BigEndian.Uint16(data)
		m.Ports = []netstate.PortRange{{Lo: p, Hi: p}}
	case netstate.FWDAddr:
		size := 4
		if l.v6 {
			size = 16
		}
		if len(data) < size {
			data = append(slices.Clone(data), make([]byte, size-len(data))...)
		}
		a, ok := netip.AddrFromSlice(data)
		if !ok {
			return m, false
		}
		n := a.BitLen()
		if l.mask >= 0 {
			n = l.mask
		}
		m.Prefixes = []netip.Prefix{netip.PrefixFrom(a, n)}
	case netstate.FWMark:
		if len(data) != 4 {
			return m, false
		}
		m.Marks = []uint32{binary.NativeEndian.Uint32(data)}
	case netstate.FWCtState:
		// "ct state established,related" is the state masked with those
		// bits, compared with zero: != 0 holds for those states.
		if l.mask < 0 || len(data) != 4 || binary.NativeEndian.Uint32(data) != 0 {
			return m, false
		}
		for bit, name := range ctStates {
			if l.bits&bit != 0 {
				m.Names = append(m.Names, name)
			}
		}
		slices.Sort(m.Names)
		m.Neg = true // the cmp's op inverts it: != 0 means "in these states"
		return m, len(m.Names) > 0
	case netstate.FWOIfName:
		if l.oif {
			if len(data) != 4 {
				return m, false
			}
			idx := int(binary.NativeEndian.Uint32(data))
			ifc, err := net.InterfaceByIndex(idx)
			if err != nil {
				// The interface is gone (a tunnel deleted after its rule
				// was added): nothing is sent through it now.
				m.Names = []string{fmt.Sprintf("#%d (gone)", idx)}
				return m, true
			}
			m.Names = []string{ifc.Name}
			return m, true
		}
		// A name compared without its trailing NUL is a prefix: iptables'
		// "wg+" wildcard, nft's "wg*".
		name, _, whole := strings.Cut(string(data), "\x00")
		if !whole {
			name += "+"
		}
		m.Names = []string{name}
	default:
		return m, false
	}
	return m, true
}

// ctStates are the conntrack state bits (nf_conntrack_common.h).
var ctStates = map[uint32]string{1: "invalid", 2: "established", 4: "related", 8: "new", 64: "untracked"}

// setMatch is a lookup of l in a set's elements.
func setMatch(l *loaded, els []nftables.SetElement, st *nftables.Set) (netstate.FWMatch, bool) {
	if st == nil {
		return netstate.FWMatch{}, false
	}
	m := netstate.FWMatch{Field: l.field}
	if st.Interval {
		if l.field != netstate.FWDPort {
			return m, false
		}
		// Interval sets hold each range as a start element and an end
		// element one past the range (IntervalEnd), sorted.
		slices.SortFunc(els, func(a, b nftables.SetElement) int {
			return int(binary.BigEndian.Uint16(a.Key)) - int(binary.BigEndian.Uint16(b.Key))
		})
		for i, e := range els {
			if e.IntervalEnd || len(e.Key) != 2 {
				continue
			}
			lo := binary.BigEndian.Uint16(e.Key)
			hi := uint16(65535)
			if i+1 < len(els) && els[i+1].IntervalEnd && len(els[i+1].Key) == 2 {
				hi = binary.BigEndian.Uint16(els[i+1].Key) - 1
			}
			m.Ports = append(m.Ports, netstate.PortRange{Lo: lo, Hi: hi})
		}
		return m, len(m.Ports) > 0
	}
	for _, e := range els {
		one, ok := matchOf(l, e.Key)
		if !ok {
			return m, false
		}
		m.Protos = append(m.Protos, one.Protos...)
		m.Ports = append(m.Ports, one.Ports...)
		m.Prefixes = append(m.Prefixes, one.Prefixes...)
		m.Names = append(m.Names, one.Names...)
	}
	return m, len(els) > 0
}

// matchText renders a match the way nft lists it.
func matchText(m netstate.FWMatch) string {
	var vals []string
	for _, p := range m.Protos {
		switch {
		case m.Field == netstate.FWNFProto:
			vals = append(vals, fmt.Sprintf("ipv%d", p))
		case p == netstate.ProtoTCP:
			vals = append(vals, "tcp")
		case p == netstate.ProtoUDP:
			vals = append(vals, "udp")
		default:
			vals = append(vals, fmt.Sprint(p))
		}
	}
	for _, p := range m.Ports {
		if p.Lo == p.Hi {
			vals = append(vals, fmt.Sprint(p.Lo))
		} else {
			vals = append(vals, fmt.Sprintf("%d-%d", p.Lo, p.Hi))
		}
	}
	for _, k := range m.Marks {
		vals = append(vals, fmt.Sprintf("0x%x", k))
	}
	for _, p := range m.Prefixes {
		if p.Bits() == p.Addr().BitLen() {
			vals = append(vals, p.Addr().String())
		} else {
			vals = append(vals, p.String())
		}
	}
	vals = append(vals, m.Names...)
	v := strings.Join(vals, ", ")
	if len(vals) > 1 {
		v = "{ " + v + " }"
	}
	op := ""
	if m.Neg {
		op = "!= "
	}
	label := map[netstate.FWField]string{netstate.FWNFProto: "meta nfproto", netstate.FWL4Proto: "meta l4proto", netstate.FWDPort: "th dport"}[m.Field]
	if label == "" {
		label = string(m.Field)
	}
	if m.Field == netstate.FWDAddr {
		label = "ip daddr"
		if len(m.Prefixes) > 0 && m.Prefixes[0].Addr().Is6() {
			label = "ip6 daddr"
		}
	}
	return fmt.Sprintf("%s %s%s", label, op, v)
}
