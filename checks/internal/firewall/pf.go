package firewall

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"net/netip"
	"slices"
	"strings"

	"github.com/netguard/netguard/checks/netstate"
)

// This file decodes macOS pf's ioctl structures and turns its filter
// rules into the evaluator's first-match chain. Pure functions over bytes
// without a build tag, so they are tested and fuzzed on Linux; the ioctls
// themselves are in pf_darwin.go.
//
// Layouts are xnu-11417.121.6 (macOS 15) bsd/net/pfvar.h for 64-bit
// processes, which every macOS Go binary is; the userland structs are the
// same back to xnu-10063 (macOS 14). macOS runs only on little-endian
// CPUs, so host-order fields are read as little endian; ports and
// addresses are in network order, as pfctl stores them.

// pfIOWR is _IOWR(group, num, size) as bsd/sys/ioccom.h builds it: the
// struct's size is part of the request, so a kernel whose struct differs
// from the size pinned here refuses the request with an errno (EACCES on
// the read-only descriptor: pfioctl serves only the requests it knows)
// instead of filling a buffer laid out differently.
func pfIOWR(group byte, num uint8, size uint32) uint {
	const iocInOut, iocParmMask = 0xc0000000, 0x1fff
	return uint(iocInOut | (size&iocParmMask)<<16 | uint32(group)<<8 | uint32(num))
}

// Struct sizes (LP64) and the requests built from them.
const (
	pfStatusSize  = 440  // struct pf_status
	pfIocRuleSize = 3104 // struct pfioc_rule: 16 + 2*MAXPATHLEN + sizeof(struct pf_rule) 1040
	pfIocRSetSize = 1092 // struct pfioc_ruleset: 4 + MAXPATHLEN + PF_ANCHOR_NAME_SIZE
)

var (
	pfDIOCGETSTATUS   = pfIOWR('D', 21, pfStatusSize)  // 0xc1b84415, as pfctl's
	pfDIOCGETRULES    = pfIOWR('D', 6, pfIocRuleSize)  // 0xcc204406, as pfctl's
	pfDIOCGETRULE     = pfIOWR('D', 7, pfIocRuleSize)  // 0xcc204407
	pfDIOCGETRULESETS = pfIOWR('D', 58, pfIocRSetSize) // 0xc444443a
	pfDIOCGETRULESET  = pfIOWR('D', 59, pfIocRSetSize) // 0xc444443b
)

// Offsets in struct pf_status.
const pfStatusRunningOff = 376 // after counters[17], lcounters[7], fcounters[3], scounters[3], pcounters[2][2][3], bcounters[2][2], stateid

// Offsets in struct pfioc_rule, and of struct pf_rule inside it.
const (
	pfIocNrOff         = 12   // u_int32_t nr (DIOCGETRULES: the count; DIOCGETRULE: which)
	pfIocTicketOff     = 4    // u_int32_t ticket
	pfIocAnchorOff     = 16   // char anchor[MAXPATHLEN]: the ruleset read
	pfIocAnchorCallOff = 1040 // char anchor_call[MAXPATHLEN]: the anchor a rule calls
	pfPathMax          = 1024 // MAXPATHLEN
	pfIocRuleOff       = 2064 // struct pf_rule rule (8-aligned)

	// struct pf_rule: src and dst are struct pf_rule_addr (64 bytes each:
	// struct pf_addr_wrap addr (48), union pf_rule_xport xport (8),
	// u_int8_t neg).
	pfRSrc      = 0
	pfRDst      = 64
	pfRLabel    = 192 // char label[64], after skip[8] (8 bytes each)
	pfRIfName   = 256 // char ifname[IFNAMSIZ]
	pfRMatchTag = 464 // char match_tagname[64]
	pfROSFP     = 792 // pf_osfp_t os_fingerprint
	pfRNr       = 948 // u_int32_t nr
	pfRProb     = 952
	pfRUIDOp    = 984  // struct pf_rule_uid uid at 976: uid[2], then op
	pfRGIDOp    = 996  // struct pf_rule_gid gid at 988
	pfRFlag     = 1000 // u_int32_t rule_flag
	pfRAction   = 1004 // then direction, log, logif, quick, ifnot, match_tag_not, natpass, keep_state, af, proto, type, code, flags, flagset
	pfRTOS      = 1023
	pfRSize     = 1040

	// struct pf_addr_wrap: v.a.addr (16), v.a.mask (16) or v.ifname /
	// v.tblname, then the 8-aligned union p, then type and iflags.
	pfAWMask   = 16
	pfAWType   = 40
	pfAWIFlags = 41
	pfRAXport  = 48 // pf_port_range: port[2] (network order), op
	pfRANeg    = 56
)

// Offsets in struct pfioc_ruleset.
const (
	pfRSetNrOff   = 0
	pfRSetPathOff = 4
	pfRSetNameOff = 1028
	pfAnchorName  = 64 // PF_ANCHOR_NAME_SIZE
)

// pf constants (bsd/net/pfvar.h).
const (
	pfPass = 0 // PF_PASS
	pfDrop = 1 // PF_DROP

	pfInOut = 0 // PF_INOUT
	pfIn    = 1 // PF_IN
	pfOut   = 2 // PF_OUT

	pfOpNone, pfOpIRG, pfOpEQ, pfOpNE, pfOpLT, pfOpLE, pfOpGT, pfOpGE, pfOpXRG, pfOpRRG = 0, 1, 2, 3, 4, 5, 6, 7, 8, 9

	pfAddrMask, pfAddrNoRoute, pfAddrDynIfTL, pfAddrTable, pfAddrRTLabel, pfAddrURPFFailed, pfAddrRange = 0, 1, 2, 3, 4, 5, 6

	pfRuleReturnRST  = 0x0001
	pfRuleFragment   = 0x0002
	pfRuleReturnICMP = 0x0004
	pfRuleReturn     = 0x0008
	pfRuleTOS        = 0x2000
	pfRuleDSCP       = 0x4000
	pfRuleSC         = 0x8000

	pfStateNormal, pfStateModulate, pfStateSynproxy = 1, 2, 3

	pfAFInet, pfAFInet6 = 2, 30

	tcpSYN, tcpACK, tcpECE, tcpCWR = 0x02, 0x10, 0x40, 0x80
)

// pfAddr is a struct pf_rule_addr: an address (or a name) and a port test.
type pfAddr struct {
	Type       uint8
	Addr, Mask [16]byte
	Name       string // the interface (dynamic address) or table name
	IFlags     uint8
	PortOp     uint8
	Port       [2]uint16 // host order
	Neg        bool
}

// pfRule is what diagnosis needs of one pfioc_rule.
type pfRule struct {
	Nr         uint32
	AnchorCall string // the anchor the rule calls, as the kernel writes it: "/abs", "rel", "../rel", with "/*" for its children
	Src, Dst   pfAddr
	Label      string
	IfName     string
	MatchTag   string
	OSFP       uint32
	Prob       uint32
	UIDOp      uint8
	GIDOp      uint8
	RuleFlag   uint32
	Action     uint8
	Direction  uint8
	Log        uint8
	Quick      bool
	IfNot      bool
	KeepState  uint8
	AF         uint8
	Proto      uint8
	Type, Code uint8
	Flags      uint8
	FlagSet    uint8
	TOS        uint8

	// Calls are the rulesets an anchor rule runs, in the kernel's order
	// (one, or every child for "name/*"), filled by the reader; CallErr
	// says why they could not be read.
	Calls   []pfRuleset
	CallErr error
}

// pfRuleset is one ruleset's filter rules: the main one (Path "") or an
// anchor's.
type pfRuleset struct {
	Path  string
	Rules []pfRule
}

var errPFShort = errors.New("pf: short buffer")

// cstr is a NUL-terminated C string in a fixed-size field.
func cstr(b []byte) string {
	if i := slices.Index(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// pfStatusRunning reads pf_status.running: whether pf filters at all.
func pfStatusRunning(b []byte) (bool, error) {
	if len(b) < pfStatusSize {
		return false, errPFShort
	}
	return binary.LittleEndian.Uint32(b[pfStatusRunningOff:]) != 0, nil
}

// decodePFAddr decodes a struct pf_rule_addr at b.
func decodePFAddr(b []byte) pfAddr {
	var a pfAddr
	copy(a.Addr[:], b[:16])
	copy(a.Mask[:], b[pfAWMask:pfAWMask+16])
	a.Type = b[pfAWType]
	a.IFlags = b[pfAWIFlags]
	if a.Type == pfAddrDynIfTL || a.Type == pfAddrTable || a.Type == pfAddrRTLabel {
		a.Name = cstr(b[:32])
	}
	a.Port = [2]uint16{binary.BigEndian.Uint16(b[pfRAXport:]), binary.BigEndian.Uint16(b[pfRAXport+2:])}
	a.PortOp = b[pfRAXport+4]
	a.Neg = b[pfRANeg] != 0
	return a
}

// decodePFIocRule decodes a struct pfioc_rule as DIOCGETRULE fills it.
func decodePFIocRule(b []byte) (pfRule, error) {
	if len(b) < pfIocRuleSize {
		return pfRule{}, errPFShort
	}
	le := binary.LittleEndian
	var r pfRule
	r.AnchorCall = cstr(b[pfIocAnchorCallOff : pfIocAnchorCallOff+pfPathMax])
	rb := b[pfIocRuleOff : pfIocRuleOff+pfRSize]
	r.Src = decodePFAddr(rb[pfRSrc:])
	r.Dst = decodePFAddr(rb[pfRDst:])
	r.Label = cstr(rb[pfRLabel : pfRLabel+64])
	r.IfName = cstr(rb[pfRIfName : pfRIfName+16])
	r.MatchTag = cstr(rb[pfRMatchTag : pfRMatchTag+64])
	r.OSFP = le.Uint32(rb[pfROSFP:])
	r.Nr = le.Uint32(rb[pfRNr:])
	r.Prob = le.Uint32(rb[pfRProb:])
	r.UIDOp = rb[pfRUIDOp]
	r.GIDOp = rb[pfRGIDOp]
	r.RuleFlag = le.Uint32(rb[pfRFlag:])
	f := rb[pfRAction:]
	r.Action, r.Direction, r.Log = f[0], f[1], f[2]
	r.Quick, r.IfNot = f[4] != 0, f[5] != 0
	r.KeepState, r.AF, r.Proto, r.Type, r.Code, r.Flags, r.FlagSet = f[8], f[9], f[10], f[11], f[12], f[13], f[14]
	r.TOS = rb[pfRTOS]
	return r, nil
}

// pfIocRuleRequest builds the pfioc_rule of a DIOCGETRULES (nr unused) or
// DIOCGETRULE for the filter rules (rule.action PF_PASS, zero) of anchor.
func pfIocRuleRequest(b []byte, anchor string, ticket, nr uint32) error {
	if len(b) < pfIocRuleSize || len(anchor) >= pfPathMax {
		return fmt.Errorf("pf anchor path %q too long", anchor)
	}
	clear(b[:pfIocRuleSize])
	binary.LittleEndian.PutUint32(b[pfIocTicketOff:], ticket)
	binary.LittleEndian.PutUint32(b[pfIocNrOff:], nr)
	copy(b[pfIocAnchorOff:], anchor)
	return nil
}

// pfIocRuleCount reads the count and ticket DIOCGETRULES returns.
func pfIocRuleCount(b []byte) (n, ticket uint32) {
	return binary.LittleEndian.Uint32(b[pfIocNrOff:]), binary.LittleEndian.Uint32(b[pfIocTicketOff:])
}

// pfIocRulesetRequest builds the pfioc_ruleset of a DIOCGETRULESETS or
// DIOCGETRULESET for the children of path.
func pfIocRulesetRequest(b []byte, path string, nr uint32) error {
	if len(b) < pfIocRSetSize || len(path) >= pfPathMax {
		return fmt.Errorf("pf anchor path %q too long", path)
	}
	clear(b[:pfIocRSetSize])
	binary.LittleEndian.PutUint32(b[pfRSetNrOff:], nr)
	copy(b[pfRSetPathOff:], path)
	return nil
}

// pfIocRulesetAnswer reads nr (DIOCGETRULESETS: the count) and name
// (DIOCGETRULESET: the child's name).
func pfIocRulesetAnswer(b []byte) (nr uint32, name string) {
	return binary.LittleEndian.Uint32(b[pfRSetNrOff:]), cstr(b[pfRSetNameOff : pfRSetNameOff+pfAnchorName])
}

// pfSource reads rulesets: the ioctls on darwin, a fake in tests.
type pfSource interface {
	// Rules returns the filter rules of the ruleset at path ("" main).
	Rules(path string) ([]pfRule, error)
	// Children returns the names of the anchors under path, in the
	// kernel's order (the order a wildcard runs them).
	Children(path string) ([]string, error)
}

// Bounds of a read: pf's own anchor stack is 64 deep; a ruleset larger
// than this is not one a developer's machine holds.
const (
	pfMaxDepth = 16
	pfMaxRules = 8192
)

var errPFTooMany = errors.New("more pf rules or anchors than netguard reads")

// readPFRuleset reads the ruleset at path and, recursively, the anchors
// its rules call. An anchor that cannot be read is kept as its rule with
// CallErr set: diagnosis then claims nothing it could decide.
func readPFRuleset(src pfSource, path string, depth int, budget *int) (pfRuleset, error) {
	rules, err := src.Rules(path)
	if err != nil {
		return pfRuleset{Path: path}, err
	}
	if *budget -= len(rules); *budget < 0 {
		return pfRuleset{Path: path}, errPFTooMany
	}
	for i := range rules {
		r := &rules[i]
		if r.AnchorCall == "" || r.Direction == pfIn {
			continue
		}
		if depth+1 >= pfMaxDepth {
			r.CallErr = errPFTooMany
			continue
		}
		target, wildcard := pfResolveAnchor(path, r.AnchorCall)
		paths := []string{target}
		if wildcard {
			names, err := src.Children(target)
			if err != nil {
				r.CallErr = err
				continue
			}
			paths = paths[:0]
			for _, n := range names {
				paths = append(paths, pfJoin(target, n))
			}
		}
		for _, p := range paths {
			rs, err := readPFRuleset(src, p, depth+1, budget)
			if err != nil {
				r.Calls, r.CallErr = nil, err
				if errors.Is(err, errPFTooMany) {
					return pfRuleset{Path: path}, err
				}
				break
			}
			r.Calls = append(r.Calls, rs)
		}
	}
	return pfRuleset{Path: path, Rules: rules}, nil
}

// pfResolveAnchor turns an anchor_call read in the ruleset at base into
// the anchor's path, as pf_anchor_copyout wrote it: "/a/b" is absolute,
// "b" and "../b" are relative to base; a trailing "*" runs every child.
func pfResolveAnchor(base, call string) (path string, wildcard bool) {
	if c, ok := strings.CutSuffix(call, "*"); ok {
		call, wildcard = strings.TrimSuffix(c, "/"), true
	}
	if c, ok := strings.CutPrefix(call, "/"); ok {
		return strings.Trim(c, "/"), wildcard
	}
	for {
		c, ok := strings.CutPrefix(call, "../")
		if !ok {
			break
		}
		call = c
		if i := strings.LastIndexByte(base, '/'); i >= 0 {
			base = base[:i]
		} else {
			base = ""
		}
	}
	return pfJoin(base, strings.Trim(call, "/")), wildcard
}

func pfJoin(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "/" + b
}

// PFTable names pf in evidence, and PFMainChain its main ruleset.
const (
	PFTable      = "pf"
	PFMainChain  = "main ruleset"
	pfSourceName = "pf"
)

// pfOutputChain turns the main filter ruleset, with the anchors it calls,
// into one chain the diagnosis evaluator runs first-match. pf decides by
// the LAST rule that matches unless a matching rule is "quick", which
// ends the evaluation (inside an anchor too; an anchor rule that is quick
// ends it after the anchor when anything in it matched), and passes what
// nothing matched. That is the same as first match over: the quick rules
// in order, then the other rules in reverse order, then pass. Anchors are
// inlined with their own rule's tests added to each of theirs; a quick
// anchor becomes its quick rules then its other rules reversed, all final.
// Only rules for outgoing packets (out, or no direction) are kept.
func pfOutputChain(main pfRuleset) netstate.FWChain {
	q, n := pfFlatten(main, pfGuard{})
	slices.Reverse(n)
	return netstate.FWChain{Table: PFTable, Name: PFMainChain, Hook: "output", Policy: netstate.FWAccept, Rules: append(q, n...)}
}

// pfGuard is what the anchor rules around a ruleset test.
type pfGuard struct {
	match  []netstate.FWMatch
	opaque bool
}

func (g pfGuard) apply(r netstate.FWRule) netstate.FWRule {
	r.Match = append(slices.Clip(g.match), r.Match...)
	r.Opaque = r.Opaque || g.opaque
	return r
}

// pfFlatten returns rs's quick rules in pf's order (final on the first
// match) and its other rules in pf's order (the last match wins).
func pfFlatten(rs pfRuleset, g pfGuard) (quick, last []netstate.FWRule) {
	for i := range rs.Rules {
		r := &rs.Rules[i]
		fw, ok := pfFWRule(r)
		if !ok {
			continue // matches none of the packets a start sends
		}
		fw.Anchor = rs.Path
		fw = g.apply(fw)
		if r.AnchorCall == "" {
			if r.Quick {
				quick = append(quick, fw)
			} else {
				last = append(last, fw)
			}
			continue
		}
		inner := pfGuard{match: fw.Match, opaque: fw.Opaque}
		if r.CallErr != nil {
			// Unknown rules could pass or block anything the anchor's
			// own tests let in, quick or not.
			fw.Opaque, fw.Verdict = true, netstate.FWAccept
			fw.Text += fmt.Sprintf(" (not read: %v)", r.CallErr)
			quick = append(quick, fw)
			last = append(last, fw)
			continue
		}
		var aq, al []netstate.FWRule
		for _, c := range r.Calls {
			cq, cl := pfFlatten(c, inner)
			aq, al = append(aq, cq...), append(al, cl...)
		}
		if r.Quick {
			slices.Reverse(al)
			quick = append(append(quick, aq...), al...)
			continue
		}
		quick, last = append(quick, aq...), append(last, al...)
	}
	return quick, last
}

// pfFWRule maps one rule's tests and action; ok is false for a rule that
// matches none of the packets a start sends (TCP SYNs and UDP, never
// fragments) or none going out.
func pfFWRule(r *pfRule) (fw netstate.FWRule, ok bool) {
	fw = netstate.FWRule{Handle: uint64(r.Nr), Text: pfRuleText(r)}
	if r.Direction == pfIn || r.RuleFlag&pfRuleFragment != 0 {
		return fw, false
	}
	switch r.Action {
	case pfPass:
		fw.Verdict = netstate.FWAccept
	case pfDrop:
		fw.Verdict = netstate.FWDrop
		if r.RuleFlag&(pfRuleReturn|pfRuleReturnRST|pfRuleReturnICMP) != 0 {
			fw.Verdict = netstate.FWReject
		}
	default:
		fw.Verdict, fw.Opaque = netstate.FWAccept, true // not a filter action: say nothing
	}
	if r.IfName != "" {
		fw.Match = append(fw.Match, netstate.FWMatch{Field: netstate.FWOIfName, Neg: r.IfNot, Names: []string{r.IfName}})
	}
	switch r.AF {
	case 0:
	case pfAFInet:
		fw.Match = append(fw.Match, netstate.FWMatch{Field: netstate.FWNFProto, Protos: []uint8{4}})
	case pfAFInet6:
		fw.Match = append(fw.Match, netstate.FWMatch{Field: netstate.FWNFProto, Protos: []uint8{6}})
	default:
		return fw, false
	}
	if r.Proto != 0 {
		fw.Match = append(fw.Match, netstate.FWMatch{Field: netstate.FWL4Proto, Protos: []uint8{r.Proto}})
	}
	// The source is this host's own address and an ephemeral port: a rule
	// that tests either may or may not match.
	if r.Src.Type != pfAddrMask || r.Src.Mask != [16]byte{} || (r.Src.PortOp != pfOpNone && pfPorts(r.Proto)) {
		fw.Opaque = true
	} else if r.Src.Neg {
		return fw, false // from ! any
	}
	switch m, kind := pfDstMatch(r.Dst, r.AF); kind {
	case pfMatchNone:
		return fw, false
	case pfMatchOpaque:
		fw.Opaque = true
	case pfMatchSome:
		fw.Match = append(fw.Match, m)
	}
	if r.Dst.PortOp != pfOpNone && pfPorts(r.Proto) {
		m, all, none := pfPortMatch(r.Dst.PortOp, r.Dst.Port)
		switch {
		case none:
			return fw, false
		case !all:
			fw.Match = append(fw.Match, m)
		}
	}
	// TCP flags are tested against the SYN that opens a connection (with
	// ECE and CWR when it asks for ECN, so a test of those is unknown).
	if r.FlagSet != 0 && r.Proto != netstate.ProtoUDP {
		switch {
		case r.FlagSet&(tcpECE|tcpCWR) != 0:
			fw.Opaque = true
		case r.FlagSet&tcpSYN != r.Flags:
			if r.Proto == netstate.ProtoTCP {
				return fw, false
			}
			fw.Match = append(fw.Match, netstate.FWMatch{Field: netstate.FWL4Proto, Neg: true, Protos: []uint8{netstate.ProtoTCP}})
		}
	}
	if r.UIDOp != pfOpNone || r.GIDOp != pfOpNone || r.Prob != 0 || r.MatchTag != "" || r.OSFP != 0 ||
		r.Type != 0 || r.Code != 0 || (r.RuleFlag&(pfRuleTOS|pfRuleDSCP|pfRuleSC) != 0 && r.TOS != 0) {
		fw.Opaque = true // a user, a tag, a probability, an OS, ICMP types or a TOS
	}
	return fw, true
}

// pfPorts reports whether pf tests ports for a rule of protocol proto:
// only for a rule that names TCP or UDP.
func pfPorts(proto uint8) bool { return proto == netstate.ProtoTCP || proto == netstate.ProtoUDP }

type pfMatchKind int

const (
	pfMatchAll pfMatchKind = iota
	pfMatchSome
	pfMatchOpaque
	pfMatchNone
)

// pfDstMatch maps a destination address test.
func pfDstMatch(a pfAddr, af uint8) (netstate.FWMatch, pfMatchKind) {
	if a.Type != pfAddrMask {
		return netstate.FWMatch{}, pfMatchOpaque // a table, an interface's addresses, no-route...
	}
	mask := a.Mask[:]
	if af == pfAFInet {
		mask = mask[:4] // PF_AZERO tests the family's bytes only
	}
	if !slices.ContainsFunc(mask, func(b byte) bool { return b != 0 }) {
		if a.Neg {
			return netstate.FWMatch{}, pfMatchNone // to ! any
		}
		return netstate.FWMatch{}, pfMatchAll
	}
	var p netip.Prefix
	switch af {
	case pfAFInet:
		bitsN, ok := maskLen(a.Mask[:4])
		if !ok {
			return netstate.FWMatch{}, pfMatchOpaque
		}
		p = netip.PrefixFrom(netip.AddrFrom4([4]byte(a.Addr[:4])), bitsN).Masked()
	case pfAFInet6:
		bitsN, ok := maskLen(a.Mask[:])
		if !ok {
			return netstate.FWMatch{}, pfMatchOpaque
		}
		p = netip.PrefixFrom(netip.AddrFrom16(a.Addr), bitsN).Masked()
	default:
		return netstate.FWMatch{}, pfMatchOpaque
	}
	return netstate.FWMatch{Field: netstate.FWDAddr, Neg: a.Neg, Prefixes: []netip.Prefix{p}}, pfMatchSome
}

// maskLen is the prefix length of a contiguous mask.
func maskLen(m []byte) (int, bool) {
	n := 0
	for i, b := range m {
		if b == 0xff {
			n += 8
			continue
		}
		ones := bits.LeadingZeros8(^b)
		if b != byte(0xff<<(8-ones)) || slices.ContainsFunc(m[i+1:], func(c byte) bool { return c != 0 }) {
			return 0, false
		}
		return n + ones, true
	}
	return n, true
}

// pfPortMatch maps a port test as pf_match_port runs it: any when every
// port matches, none when no port does.
func pfPortMatch(op uint8, p [2]uint16) (m netstate.FWMatch, all, none bool) {
	m = netstate.FWMatch{Field: netstate.FWDPort}
	rng := func(lo, hi int) {
		if lo > hi {
			none = true
			return
		}
		m.Ports = []netstate.PortRange{{Lo: uint16(lo), Hi: uint16(hi)}}
	}
	a, b := int(p[0]), int(p[1])
	switch op {
	case pfOpEQ:
		rng(a, a)
	case pfOpNE:
		rng(a, a)
		m.Neg = true
	case pfOpLT:
		rng(0, a-1)
	case pfOpLE:
		rng(0, a)
	case pfOpGT:
		rng(a+1, 65535)
	case pfOpGE:
		rng(a, 65535)
	case pfOpIRG: // a >< b: strictly between
		rng(a+1, b-1)
	case pfOpRRG: // a:b: inclusive
		rng(a, b)
	case pfOpXRG: // a <> b: outside
		if a > b {
			return m, true, false
		}
		rng(a, b)
		m.Neg = true
	case pfOpNone:
		return m, true, false
	default:
		return m, false, true // pf_match answers 0 for an operator it does not know
	}
	return m, false, none
}

// pfRuleText renders a rule as pfctl -sr prints it, ports as numbers
// (pfctl -n).
func pfRuleText(r *pfRule) string {
	var b strings.Builder
	switch {
	case r.AnchorCall != "":
		fmt.Fprintf(&b, "anchor %q", r.AnchorCall)
	case r.Action == pfPass:
		b.WriteString("pass")
	case r.Action == pfDrop:
		b.WriteString("block")
	default:
		fmt.Fprintf(&b, "action(%d)", r.Action)
	}
	if r.Action == pfDrop && r.AnchorCall == "" {
		switch {
		case r.RuleFlag&pfRuleReturn != 0:
			b.WriteString(" return")
		case r.RuleFlag&pfRuleReturnRST != 0:
			b.WriteString(" return-rst")
		case r.RuleFlag&pfRuleReturnICMP != 0:
			b.WriteString(" return-icmp")
		default:
			b.WriteString(" drop")
		}
	}
	switch r.Direction {
	case pfIn:
		b.WriteString(" in")
	case pfOut:
		b.WriteString(" out")
	}
	if r.Log != 0 {
		b.WriteString(" log")
	}
	if r.Quick {
		b.WriteString(" quick")
	}
	if r.IfName != "" {
		b.WriteString(" on ")
		if r.IfNot {
			b.WriteString("! ")
		}
		b.WriteString(r.IfName)
	}
	switch r.AF {
	case pfAFInet:
		b.WriteString(" inet")
	case pfAFInet6:
		b.WriteString(" inet6")
	}
	if r.Proto != 0 {
		b.WriteString(" proto " + protoName(r.Proto))
	}
	if pfIsAny(r.Src) && pfIsAny(r.Dst) && r.OSFP == 0 {
		b.WriteString(" all")
	} else {
		b.WriteString(" from ")
		pfAddrText(&b, r.Src, r.AF)
		b.WriteString(" to ")
		pfAddrText(&b, r.Dst, r.AF)
	}
	if r.UIDOp != pfOpNone {
		b.WriteString(" user")
	}
	if r.GIDOp != pfOpNone {
		b.WriteString(" group")
	}
	if r.Flags != 0 || r.FlagSet != 0 {
		b.WriteString(" flags " + pfFlagsText(r.Flags) + "/" + pfFlagsText(r.FlagSet))
	}
	if r.AnchorCall == "" && r.Action == pfPass {
		switch r.KeepState {
		case 0:
			b.WriteString(" no state")
		case pfStateNormal:
			b.WriteString(" keep state")
		case pfStateModulate:
			b.WriteString(" modulate state")
		case pfStateSynproxy:
			b.WriteString(" synproxy state")
		}
	}
	if r.MatchTag != "" {
		fmt.Fprintf(&b, " tagged %s", r.MatchTag)
	}
	if r.Label != "" {
		fmt.Fprintf(&b, " label %q", r.Label)
	}
	return b.String()
}

func pfIsAny(a pfAddr) bool {
	return a.Type == pfAddrMask && a.Addr == [16]byte{} && a.Mask == [16]byte{} && !a.Neg && a.PortOp == pfOpNone
}

func pfAddrText(b *strings.Builder, a pfAddr, af uint8) {
	if a.Neg {
		b.WriteString("! ")
	}
	switch a.Type {
	case pfAddrDynIfTL:
		b.WriteString("(" + a.Name + ")")
	case pfAddrTable:
		b.WriteString("<" + a.Name + ">")
	case pfAddrNoRoute:
		b.WriteString("no-route")
	case pfAddrURPFFailed:
		b.WriteString("urpf-failed")
	case pfAddrRTLabel:
		fmt.Fprintf(b, "route %q", a.Name)
	case pfAddrRange:
		b.WriteString(pfAddrString(a.Addr, af) + " - " + pfAddrString(a.Mask, af))
	case pfAddrMask:
		if a.Addr == [16]byte{} && a.Mask == [16]byte{} {
			b.WriteString("any")
			break
		}
		b.WriteString(pfAddrString(a.Addr, af))
		m := a.Mask[:]
		full := 128
		if af == pfAFInet {
			m, full = m[:4], 32
		}
		if n, ok := maskLen(m); ok && n != full {
			fmt.Fprintf(b, "/%d", n)
		}
	default:
		fmt.Fprintf(b, "addr-type(%d)", a.Type)
	}
	if a.PortOp != pfOpNone {
		p0, p1 := fmt.Sprint(a.Port[0]), fmt.Sprint(a.Port[1])
		b.WriteString(" port")
		switch a.PortOp {
		case pfOpIRG:
			b.WriteString(" " + p0 + " >< " + p1)
		case pfOpXRG:
			b.WriteString(" " + p0 + " <> " + p1)
		case pfOpEQ:
			b.WriteString(" = " + p0)
		case pfOpNE:
			b.WriteString(" != " + p0)
		case pfOpLT:
			b.WriteString(" < " + p0)
		case pfOpLE:
			b.WriteString(" <= " + p0)
		case pfOpGT:
			b.WriteString(" > " + p0)
		case pfOpGE:
			b.WriteString(" >= " + p0)
		case pfOpRRG:
			b.WriteString(" " + p0 + ":" + p1)
		}
	}
}

func pfAddrString(a [16]byte, af uint8) string {
	if af == pfAFInet {
		return netip.AddrFrom4([4]byte(a[:4])).String()
	}
	return netip.AddrFrom16(a).String()
}

// protoName names an IP protocol number as pfctl and iptables print it
// (the names of /etc/protocols).
func protoName(p uint8) string {
	switch p {
	case 1:
		return "icmp"
	case netstate.ProtoTCP:
		return "tcp"
	case netstate.ProtoUDP:
		return "udp"
	case 47:
		return "gre"
	case 50:
		return "esp"
	case 58:
		return "ipv6-icmp"
	}
	return fmt.Sprint(p)
}

// pfFlagsText prints TCP flags as pfctl does: FSRPAUEW.
func pfFlagsText(f uint8) string {
	const names = "FSRPAUEW"
	var b []byte
	for i := range 8 {
		if f&(1<<i) != 0 {
			b = append(b, names[i])
		}
	}
	return string(b)
}
