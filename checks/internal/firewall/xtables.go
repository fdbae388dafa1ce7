package firewall

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"net/netip"
	"slices"
	"strings"

	"github.com/netguard/netguard/checks/netstate"
)

// The legacy iptables back end (x_tables: ip_tables, ip6_tables) hands its
// tables out whole, as the blob iptables-legacy itself reads with
// getsockopt IPT_SO_GET_INFO and IPT_SO_GET_ENTRIES. The layouts below are
// those of the Linux UAPI headers linux/netfilter_ipv4/ip_tables.h,
// linux/netfilter_ipv6/ip6_tables.h, linux/netfilter/x_tables.h,
// xt_tcpudp.h and xt_multiport.h (unchanged since Linux 2.6.x; checked
// against the 6.12 headers with offsetof for amd64 and i386). Every field
// is in host byte order. The only difference between ABIs is the alignment
// of the u64 counters (struct xt_counters): 8 on every 64-bit and 32-bit ARM
// ABI, 4 on i386, which moves the entry table in ipt_get_entries (40 or 36)
// and the end of ip6t_entry (168 or 164). ipt_entry is 112 bytes on both.

// XTLayout is the ABI-dependent part of the x_tables layout.
type XTLayout struct {
	Order binary.ByteOrder
	// EntriesHdr is offsetof(struct ipt_get_entries, entrytable): 40, or
	// 36 on i386 (the same for ip6t_get_entries).
	EntriesHdr int
	// Entry6Size is sizeof(struct ip6t_entry): 168, or 164 on i386.
	Entry6Size int
}

// XTLayout64 is the layout of every ABI whose u64 is 8-aligned in structs.
var XTLayout64 = XTLayout{Order: binary.NativeEndian, EntriesHdr: 40, Entry6Size: 168}

// XTLayout386 is the i386 layout, where a u64 in a struct is 4-aligned.
var XTLayout386 = XTLayout{Order: binary.NativeEndian, EntriesHdr: 36, Entry6Size: 164}

// Offsets and constants of the UAPI headers.
const (
	xtTableMaxName  = 32 // XT_TABLE_MAXNAMELEN
	xtGetInfoSize   = 84 // sizeof(struct ipt_getinfo): name[32], valid_hooks, hook_entry[5], underflow[5], num_entries, size
	xtEntry4Size    = 112
	xtEntryMatchHdr = 32 // sizeof(struct xt_entry_match) == sizeof(struct xt_entry_target): u16 size, name[29], revision
	xtNameLen       = 29 // XT_EXTENSION_MAXNAMELEN
	xtNumHooks      = 5  // NF_INET_NUMHOOKS
	nfInetLocalOut  = 3  // NF_INET_LOCAL_OUT
	nfDrop          = 0  // NF_DROP
	nfAccept        = 1  // NF_ACCEPT
	xtReturn        = -5 // XT_RETURN: -NF_REPEAT - 1
	xtErrorTarget   = "ERROR"

	// ipt_ip.flags and ip6t_ip6.flags.
	iptFFrag   = 0x01 // IPT_F_FRAG
	iptFGoto   = 0x02 // IPT_F_GOTO
	ip6tFProto = 0x01 // IP6T_F_PROTO
	ip6tFTos   = 0x02 // IP6T_F_TOS
	ip6tFGoto  = 0x04 // IP6T_F_GOTO
	// invflags, the same bits in both.
	iptInvViaOut = 0x02
	iptInvDstIP  = 0x10
	iptInvProto  = 0x40

	// xt_tcp: u16 spts[2] @0, u16 dpts[2] @4, u8 option @8, flg_mask @9,
	// flg_cmp @10, invflags @11. xt_udp: spts @0, dpts @4, invflags @8.
	xtTCPInvDstPt = 0x02 // XT_TCP_INV_DSTPT, and XT_UDP_INV_DSTPT
	// xt_multiport_v1: u8 flags @0, u8 count @1, u16 ports[15] @2,
	// u8 pflags[15] @32, u8 invert @47; revision 0 lacks pflags and invert.
	xtMultiportDestination = 1
	xtMultiportMax         = 15
)

// XTInfo is struct ipt_getinfo (the same as ip6t_getinfo).
type XTInfo struct {
	ValidHooks uint32
	HookEntry  [xtNumHooks]uint32
	Underflow  [xtNumHooks]uint32
	NumEntries uint32
	Size       uint32
}

// ParseXTInfo decodes the answer to IPT_SO_GET_INFO.
func ParseXTInfo(b []byte, lay XTLayout) (XTInfo, error) {
	var in XTInfo
	if len(b) < xtGetInfoSize {
		return in, fmt.Errorf("x_tables info: %d bytes, want %d", len(b), xtGetInfoSize)
	}
	u := func(off int) uint32 { return lay.Order.Uint32(b[off:]) }
	in.ValidHooks = u(32)
	for h := range xtNumHooks {
		in.HookEntry[h] = u(36 + 4*h)
		in.Underflow[h] = u(56 + 4*h)
	}
	in.NumEntries, in.Size = u(76), u(80)
	return in, nil
}

// xtEntry is one decoded ipt_entry or ip6t_entry.
type xtEntry struct {
	off, next int
	rule      netstate.FWRule
	words     []string
	target    string // "" for the standard target
	verdict   int32  // the standard target's verdict
	errName   string // the ERROR target's chain name
	uncond    bool   // no match of any kind: a chain's policy or footer
	goTo      bool
}

// XTChains decodes the answer to IPT_SO_GET_ENTRIES (or IP6T_: family 4
// or 6) for the table described by info: the OUTPUT chain from its hook
// entry to its underflow (the policy), and every user-defined chain (jump
// targets), each headed by an ERROR entry that names it. Rule handles are
// the rules' numbers in their chain, as `iptables -D CHAIN N` takes them.
func XTChains(family int, table string, info XTInfo, b []byte, lay XTLayout) ([]netstate.FWChain, error) {
	if len(b) < lay.EntriesHdr {
		return nil, fmt.Errorf("x_tables entries: %d bytes, want at least %d", len(b), lay.EntriesHdr)
	}
	size := int(lay.Order.Uint32(b[xtTableMaxName:]))
	blob := b[lay.EntriesHdr:]
	if size < 0 || size > len(blob) { // negative: a u32 over 2 GiB in a 32-bit int
		return nil, fmt.Errorf("x_tables entries: size %d beyond the %d bytes read", size, len(blob))
	}
	blob = blob[:size]
	entrySize := xtEntry4Size
	if family == 6 {
		entrySize = lay.Entry6Size
	}
	var ents []xtEntry
	at := map[int]int{} // entry offset -> index in ents
	for off := 0; off < len(blob); {
		e, err := xtDecodeEntry(family, blob, off, entrySize, lay)
		if err != nil {
			return nil, err
		}
		at[off] = len(ents)
		ents = append(ents, e)
		off += e.next
	}
	// Chain boundaries: the hooks' entry points and the ERROR heads.
	starts := map[int]bool{}
	for h := range xtNumHooks {
		if info.ValidHooks&(1<<h) != 0 {
			starts[int(info.HookEntry[h])] = true
		}
	}
	// A user chain's rules start right after its ERROR head: jumps land
	// there.
	chainAt := map[int]string{}
	for i, e := range ents {
		if e.target == xtErrorTarget && e.errName != xtErrorTarget && i+1 < len(ents) {
			chainAt[ents[i+1].off] = e.errName
		}
	}
	fam := "ip"
	if family == 6 {
		fam = "ip6"
	}
	resolve := func(r []xtEntry) []netstate.FWRule {
		out := make([]netstate.FWRule, 0, len(r))
		for n, e := range r {
			out = append(out, xtRuleOf(e, uint64(n+1), chainAt))
		}
		return out
	}
	var chains []netstate.FWChain
	if info.ValidHooks&(1<<nfInetLocalOut) != 0 {
		hi, ok1 := at[int(info.HookEntry[nfInetLocalOut])]
		ui, ok2 := at[int(info.Underflow[nfInetLocalOut])]
		if !ok1 || !ok2 || ui < hi {
			return nil, fmt.Errorf("x_tables %s: OUTPUT hook entry %d or underflow %d is not an entry", table, info.HookEntry[nfInetLocalOut], info.Underflow[nfInetLocalOut])
		}
		pol := ents[ui]
		c := netstate.FWChain{Family: fam, Table: table, Name: "OUTPUT", Hook: "output", Backend: netstate.BackendIPTablesLegacy,
			Policy: netstate.FWAccept, Rules: resolve(ents[hi:ui])}
		switch {
		case pol.target == "" && pol.verdict == -nfDrop-1:
			c.Policy = netstate.FWDrop
		case pol.target == "" && pol.verdict == -nfAccept-1:
		default:
			return nil, fmt.Errorf("x_tables %s: OUTPUT policy is not ACCEPT or DROP (target %q, verdict %d)", table, pol.target, pol.verdict)
		}
		chains = append(chains, c)
	}
	for i, e := range ents {
		if e.target != xtErrorTarget || e.errName == xtErrorTarget {
			continue
		}
		j := i + 1
		for j < len(ents) && ents[j].target != xtErrorTarget && !starts[ents[j].off] {
			j++
		}
		body := ents[i+1 : j]
		// The footer, an unconditional RETURN, is the chain's end, not a
		// rule `iptables -L` lists.
		if n := len(body); n > 0 && body[n-1].uncond && body[n-1].target == "" && body[n-1].verdict == xtReturn {
			body = body[:n-1]
		}
		chains = append(chains, netstate.FWChain{Family: fam, Table: table, Name: e.errName, Backend: netstate.BackendIPTablesLegacy,
			Policy: netstate.FWAccept, Rules: resolve(body)})
	}
	return chains, nil
}

// xtDecodeEntry decodes the entry at off: the ip header's tests, the match
// list and the target.
func xtDecodeEntry(family int, blob []byte, off, entrySize int, lay XTLayout) (xtEntry, error) {
	e := xtEntry{off: off}
	if len(blob)-off < entrySize {
		return e, fmt.Errorf("x_tables entry at %d: %d bytes left, want %d", off, len(blob)-off, entrySize)
	}
	b := blob[off:]
	toff, noff := 88, 90 // ipt_entry.target_offset, next_offset
	if family == 6 {
		toff, noff = 140, 142
	}
	tgt, next := int(lay.Order.Uint16(b[toff:])), int(lay.Order.Uint16(b[noff:]))
	if tgt < entrySize || tgt+xtEntryMatchHdr > next || next > len(b) {
		return e, fmt.Errorf("x_tables entry at %d: target_offset %d, next_offset %d out of range", off, tgt, next)
	}
	e.next = next
	if family == 6 {
		e.ipv6Header(b, lay)
	} else {
		e.ipv4Header(b, lay)
	}
	hasMatch := len(e.rule.Match) > 0 || e.rule.Opaque
	for m := entrySize; m < tgt; {
		ms := int(lay.Order.Uint16(b[m:]))
		if ms < xtEntryMatchHdr || m+ms > tgt {
			return e, fmt.Errorf("x_tables entry at %d: match at %d of size %d out of range", off, m, ms)
		}
		e.match(cstr(b[m+2:m+2+xtNameLen]), b[m+31], b[m+xtEntryMatchHdr:m+ms], lay)
		hasMatch = true
		m += ms
	}
	e.uncond = !hasMatch
	ts := int(lay.Order.Uint16(b[tgt:]))
	if ts < xtEntryMatchHdr || tgt+ts > next {
		return e, fmt.Errorf("x_tables entry at %d: target of size %d out of range", off, ts)
	}
	e.target = cstr(b[tgt+2 : tgt+2+xtNameLen])
	data := b[tgt+xtEntryMatchHdr : tgt+ts]
	switch e.target {
	case "":
		if len(data) < 4 {
			return e, fmt.Errorf("x_tables entry at %d: standard target without a verdict", off)
		}
		e.verdict = int32(lay.Order.Uint32(data))
	case xtErrorTarget:
		e.errName = cstr(data)
	}
	return e, nil
}

// ipv4Header reads struct ipt_ip: src @0, dst @4, smsk @8, dmsk @12,
// iniface @16, outiface @32, iniface_mask @48, outiface_mask @64,
// u16 proto @80, u8 flags @82, u8 invflags @83.
func (e *xtEntry) ipv4Header(b []byte, lay XTLayout) {
	flags, inv := b[82], b[83]
	e.addrs(b[0:4], b[8:12], b[4:8], b[12:16], inv)
	e.ifaces(b[16:32], b[32:48], b[64:80], inv)
	e.proto(lay.Order.Uint16(b[80:]), inv)
	if flags&iptFFrag != 0 {
		e.opaque("-f")
	}
	e.goTo = flags&iptFGoto != 0
}

// ipv6Header reads struct ip6t_ip6: src @0, dst @16, smsk @32, dmsk @48,
// iniface @64, outiface @80, iniface_mask @96, outiface_mask @112,
// u16 proto @128, u8 tos @130, flags @131, invflags @132.
func (e *xtEntry) ipv6Header(b []byte, lay XTLayout) {
	flags, inv := b[131], b[132]
	e.addrs(b[0:16], b[32:48], b[16:32], b[48:64], inv)
	e.ifaces(b[64:80], b[80:96], b[112:128], inv)
	if flags&ip6tFProto != 0 {
		e.proto(lay.Order.Uint16(b[128:]), inv)
	}
	if flags&ip6tFTos != 0 {
		e.opaque("--tos")
	}
	e.goTo = flags&ip6tFGoto != 0
}

func (e *xtEntry) opaque(w string) {
	e.rule.Opaque = true
	e.words = append(e.words, w)
}

func (e *xtEntry) add(m netstate.FWMatch, w string) {
	e.rule.Match = append(e.rule.Match, m)
	if m.Neg {
		w = "! " + w
	}
	e.words = append(e.words, w)
}

// addrs reads the source and destination tests. The source is not
// modelled (the start's packets may leave from any local address).
func (e *xtEntry) addrs(src, smsk, dst, dmsk []byte, inv byte) {
	if !allZero(smsk) {
		e.opaque("-s " + xtPrefixText(src, smsk))
	}
	if allZero(dmsk) {
		return
	}
	a, _ := netip.AddrFromSlice(dst)
	n, ok := maskBits(dmsk)
	if !ok {
		e.opaque("-d " + a.String() + "/" + xtAddrText(dmsk))
		return
	}
	p := netip.PrefixFrom(a, n).Masked()
	e.add(netstate.FWMatch{Field: netstate.FWDAddr, Neg: inv&iptInvDstIP != 0, Prefixes: []netip.Prefix{p}}, "-d "+xtPrefixText(dst, dmsk))
}

// ifaces reads the interface tests. The mask covers the name and its NUL
// for an exact name, the name alone for a "+" wildcard. An input
// interface is not modelled (OUTPUT has none).
func (e *xtEntry) ifaces(in, out, outMask []byte, inv byte) {
	if name := cstr(in); name != "" {
		e.opaque("-i " + name)
	}
	// The kernel compares only the masked bytes: a name and its NUL for
	// an exact name, a prefix for iptables' "wg+" (whose '+' it keeps in
	// the name, unmasked).
	k := 0
	for k < len(outMask) && outMask[k] == 0xff {
		k++
	}
	if k == 0 {
		return // no test, or "-o +": any interface
	}
	name := cstr(out)
	if k <= len(name) {
		name = name[:k] + "+"
	}
	e.add(netstate.FWMatch{Field: netstate.FWOIfName, Neg: inv&iptInvViaOut != 0, Names: []string{name}}, "-o "+name)
}

func (e *xtEntry) proto(p uint16, inv byte) {
	if p == 0 {
		return
	}
	if p > 255 {
		e.opaque(fmt.Sprintf("-p %d", p))
		return
	}
	e.add(netstate.FWMatch{Field: netstate.FWL4Proto, Neg: inv&iptInvProto != 0, Protos: []uint8{uint8(p)}}, "-p "+protoName(uint8(p)))
}

// match decodes one xt_entry_match's data: tcp and udp ports, multiport's
// destination ports; any other match (conntrack, state, owner, mark...)
// makes the rule opaque.
func (e *xtEntry) match(name string, rev byte, d []byte, lay XTLayout) {
	u16 := func(off int) uint16 { return lay.Order.Uint16(d[off:]) }
	switch {
	case (name == "tcp" && len(d) >= 12) || (name == "udp" && len(d) >= 9):
		inv := d[8]
		if name == "tcp" {
			inv = d[11]
			if d[8] != 0 || d[9] != 0 { // --tcp-option, --tcp-flags/--syn
				e.opaque("-m tcp --tcp-flags")
			}
		}
		if u16(0) != 0 || u16(2) != 65535 {
			e.opaque(fmt.Sprintf("-m %s --sport %s", name, portText(u16(0), u16(2))))
		}
		lo, hi := u16(4), u16(6)
		if lo == 0 && hi == 65535 && inv&xtTCPInvDstPt == 0 {
			return
		}
		if lo > hi {
			e.opaque(fmt.Sprintf("-m %s --dport %d:%d", name, lo, hi))
			return
		}
		e.addMatch("-m "+name+" ", netstate.FWMatch{Field: netstate.FWDPort, Neg: inv&xtTCPInvDstPt != 0,
			Ports: []netstate.PortRange{{Lo: lo, Hi: hi}}}, "--dport "+portText(lo, hi))
	case name == "multiport" && len(d) >= 32 && d[0] == xtMultiportDestination && int(d[1]) <= xtMultiportMax && (rev == 0 || len(d) >= 48):
		var m netstate.FWMatch
		m.Field = netstate.FWDPort
		var txt []string
		n := int(d[1])
		for i := 0; i < n; i++ {
			lo, hi := u16(2+2*i), u16(2+2*i)
			if rev >= 1 && d[32+i] != 0 && i+1 < n { // pflags: ports[i]..ports[i+1]
				hi = u16(2 + 2*(i+1))
				i++
			}
			m.Ports = append(m.Ports, netstate.PortRange{Lo: lo, Hi: hi})
			txt = append(txt, portText(lo, hi))
		}
		if rev >= 1 {
			m.Neg = d[47] != 0
		}
		if len(m.Ports) == 0 {
			e.opaque("-m multiport")
			return
		}
		e.addMatch("-m multiport ", m, "--dports "+strings.Join(txt, ","))
	case name == "state" && len(d) >= 4:
		e.ctState("state", "--state", lay.Order.Uint32(d), xtStateBits, false)
	case name == "conntrack" && rev >= 1 && len(d) >= 152:
		// xt_conntrack_mtinfo1..3: match_flags @146, invert_flags @148,
		// state_mask @150 (u8 in revision 1, u16 after). Only a state
		// test alone is modelled (iptables' "-m state" is this match
		// with XT_CONNTRACK_STATE_ALIAS).
		flags, inv := u16(146), u16(148)
		mask := uint32(d[150])
		if rev >= 2 {
			mask = uint32(u16(150))
		}
		if flags&xtConntrackState == 0 || flags&^(xtConntrackState|xtConntrackStateAlias) != 0 {
			e.opaque("-m conntrack")
			return
		}
		module, option := "conntrack", "--ctstate"
		if flags&xtConntrackStateAlias != 0 {
			module, option = "state", "--state" // as iptables-save writes it
		}
		e.ctState(module, option, mask, xtConntrackBits, inv&xtConntrackState != 0)
	default:
		e.opaque("-m " + name)
	}
}

// The state bits of xt_state.h (XT_STATE_BIT(ctinfo) = 1 << (ctinfo+1))
// and xt_conntrack.h, which differ above NEW: the latter has SNAT and
// DNAT where the former has UNTRACKED.
var (
	xtStateBits     = map[uint32]string{1: "invalid", 2: "established", 4: "related", 8: "new", 64: "untracked"}
	xtConntrackBits = map[uint32]string{1: "invalid", 2: "established", 4: "related", 8: "new", 256: "untracked"}
)

const (
	xtConntrackState      = 1 << 0  // XT_CONNTRACK_STATE
	xtConntrackStateAlias = 1 << 13 // XT_CONNTRACK_STATE_ALIAS
)

// ctState adds a connection-state test of mask (match module, its
// option), or makes the rule opaque when mask holds a bit not modelled
// (SNAT, DNAT).
func (e *xtEntry) ctState(module, option string, mask uint32, names map[uint32]string, neg bool) {
	m := netstate.FWMatch{Field: netstate.FWCtState, Neg: neg}
	var words []string
	for bit := uint32(1); bit != 0 && bit <= mask; bit <<= 1 {
		if mask&bit == 0 {
			continue
		}
		n, ok := names[bit]
		if !ok {
			e.opaque("-m " + module)
			return
		}
		m.Names = append(m.Names, n)
		words = append(words, strings.ToUpper(n))
	}
	if len(m.Names) == 0 {
		e.opaque("-m " + module)
		return
	}
	slices.Sort(m.Names)
	e.addMatch("-m "+module+" ", m, option+" "+strings.Join(words, ","))
}

// addMatch adds m, written as iptables-save does: "-m tcp ! --dport 443".
func (e *xtEntry) addMatch(prefix string, m netstate.FWMatch, w string) {
	if m.Neg {
		w = "! " + w
	}
	e.rule.Match = append(e.rule.Match, m)
	e.words = append(e.words, prefix+w)
}

// xtRuleOf finishes a rule with its target: a standard verdict (a
// negative NF verdict, or a jump to the offset where a user chain's rules
// start), REJECT, or any other target (its effect unknown: opaque).
func xtRuleOf(e xtEntry, num uint64, chainAt map[int]string) netstate.FWRule {
	r := e.rule
	r.Handle = num
	r.Match = slices.Clip(r.Match)
	words := slices.Clone(e.words)
	switch e.target {
	case "":
		switch v := e.verdict; {
		case v == -nfAccept-1:
			r.Verdict = netstate.FWAccept
			words = append(words, "-j ACCEPT")
		case v == -nfDrop-1:
			r.Verdict = netstate.FWDrop
			words = append(words, "-j DROP")
		case v == xtReturn:
			r.Verdict = netstate.FWReturn
			words = append(words, "-j RETURN")
		case v >= 0 && int(v) == e.off+e.next:
			// A rule without a target falls through to the next: it only
			// counts packets.
		case v >= 0:
			r.Verdict = netstate.FWJump
			verb := "-j "
			if e.goTo {
				r.Verdict, verb = netstate.FWGoto, "-g "
			}
			name, ok := chainAt[int(v)]
			if !ok {
				r.Opaque = true
				name = fmt.Sprintf("@%d", v)
			}
			r.Target = name
			words = append(words, verb+name)
		default: // NF_QUEUE, NF_STOP and the like: not modelled
			r.Opaque = true
			words = append(words, fmt.Sprintf("-j verdict %d", v))
		}
	case "REJECT":
		r.Verdict = netstate.FWReject
		words = append(words, "-j REJECT")
	case "DROP":
		r.Verdict = netstate.FWDrop
		words = append(words, "-j DROP")
	case "ACCEPT":
		r.Verdict = netstate.FWAccept
		words = append(words, "-j ACCEPT")
	case "LOG", "NFLOG":
		// no effect on the packet's fate
		words = append(words, "-j "+e.target)
	default:
		r.Opaque = true
		words = append(words, "-j "+e.target)
	}
	r.Text = strings.Join(words, " ")
	return r
}

func allZero(b []byte) bool {
	return !slices.ContainsFunc(b, func(c byte) bool { return c != 0 })
}

// maskBits is the prefix length of a netmask, false when its ones are not
// contiguous.
func maskBits(m []byte) (int, bool) {
	n := 0
	for i, c := range m {
		if c == 0xff {
			n += 8
			continue
		}
		n += bits.LeadingZeros8(^c)
		if c<<bits.LeadingZeros8(^c) != 0 || !allZero(m[i+1:]) {
			return 0, false
		}
		break
	}
	return n, true
}

func xtAddrText(b []byte) string {
	a, _ := netip.AddrFromSlice(b)
	return a.String()
}

// xtPrefixText writes an address and mask as iptables-save does: the
// address alone for a full mask.
func xtPrefixText(a, m []byte) string {
	n, ok := maskBits(m)
	if !ok {
		return xtAddrText(a) + "/" + xtAddrText(m)
	}
	if n == len(m)*8 {
		return xtAddrText(a)
	}
	return fmt.Sprintf("%s/%d", xtAddrText(a), n)
}

// v6Suffix is the "6" of ip6tables for family 6.
func v6Suffix(family int) string {
	if family == 6 {
		return "6"
	}
	return ""
}

func portText(lo, hi uint16) string {
	if lo == hi {
		return fmt.Sprint(lo)
	}
	return fmt.Sprintf("%d:%d", lo, hi)
}
