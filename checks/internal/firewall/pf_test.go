package firewall

import (
	"errors"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/netguard/netguard/checks/netstate"
)

// The fixtures below are written byte by byte from xnu-11417.121.6
// bsd/net/pfvar.h (LP64): struct pfioc_rule is action(0) ticket(4)
// pool_ticket(8) nr(12) anchor[1024](16) anchor_call[1024](1040), then
// struct pf_rule at 2064 (1040 bytes).

// TestPFIoctlNumbers: the requests encode the pinned struct sizes; pfctl
// binaries of macOS 14 and 15 use the same numbers for DIOCGETSTATUS and
// DIOCGETRULES.
func TestPFIoctlNumbers(t *testing.T) {
	for _, tc := range []struct {
		name      string
		got, want uint
	}{
		{"DIOCGETSTATUS", pfDIOCGETSTATUS, 0xc1b84415},
		{"DIOCGETRULES", pfDIOCGETRULES, 0xcc204406},
		{"DIOCGETRULE", pfDIOCGETRULE, 0xcc204407},
		{"DIOCGETRULESETS", pfDIOCGETRULESETS, 0xc444443a},
		{"DIOCGETRULESET", pfDIOCGETRULESET, 0xc444443b},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %#x, want %#x", tc.name, tc.got, tc.want)
		}
	}
}

// pfBlock443 is "block return out quick proto tcp from any to any port = 443",
// rule 3 of its ruleset.
func pfBlock443() []byte {
	b := make([]byte, pfIocRuleSize)
	// rule.dst (2064+64) .xport.range.port[0] at +48: 443 in network order.
	b[2176], b[2177] = 0x01, 0xbb
	// rule.dst.xport.range.op at 2064+64+52: PF_OP_EQ.
	b[2180] = 2
	// rule.nr at 2064+948.
	b[3012] = 3
	// rule.rule_flag at 2064+1000: PFRULE_RETURN.
	b[3064] = 0x08
	// rule.action at 2064+1004: PF_DROP; direction 3069: PF_OUT; quick 3072.
	b[3068], b[3069], b[3072] = 1, 2, 1
	// rule.proto at 2064+1014: IPPROTO_TCP.
	b[3078] = 6
	return b
}

// pfPassTunnel is "pass out quick on utun3 inet from any to 10.64.0.0/10
// flags S/SA keep state".
func pfPassTunnel() []byte {
	b := make([]byte, pfIocRuleSize)
	// rule.dst.addr.v.a.addr at 2064+64: 10.64.0.0; .mask at +16: 255.192.0.0.
	copy(b[2128:], []byte{10, 64, 0, 0})
	copy(b[2144:], []byte{0xff, 0xc0, 0, 0})
	// rule.ifname at 2064+256.
	copy(b[2320:], "utun3")
	// rule.action 3068: PF_PASS; direction 3069: PF_OUT; quick 3072;
	// keep_state 3076: PF_STATE_NORMAL; af 3077: AF_INET; flags 3081: S;
	// flagset 3082: SA.
	b[3069], b[3072], b[3076], b[3077], b[3081], b[3082] = 2, 1, 1, 2, 0x02, 0x12
	return b
}

// pfAnchorApple is the main ruleset's "anchor "com.apple/*" all".
func pfAnchorApple() []byte {
	b := make([]byte, pfIocRuleSize)
	copy(b[1040:], "com.apple/*") // anchor_call
	// rule.nr 3012: 5; action PF_PASS (0), no direction, no quick.
	b[3012] = 5
	return b
}

func TestDecodePFIocRule(t *testing.T) {
	for _, tc := range []struct {
		name string
		b    []byte
		text string
		want netstate.FWRule
	}{
		{"block 443", pfBlock443(), "block return out quick proto tcp from any to any port = 443", netstate.FWRule{
			Handle: 3, Verdict: netstate.FWReject, Match: []netstate.FWMatch{
				{Field: netstate.FWL4Proto, Protos: []uint8{6}},
				{Field: netstate.FWDPort, Ports: []netstate.PortRange{{Lo: 443, Hi: 443}}},
			}}},
		{"pass on the tunnel", pfPassTunnel(), "pass out quick on utun3 inet from any to 10.64.0.0/10 flags S/SA keep state", netstate.FWRule{
			Verdict: netstate.FWAccept, Match: []netstate.FWMatch{
				{Field: netstate.FWOIfName, Names: []string{"utun3"}},
				{Field: netstate.FWNFProto, Protos: []uint8{4}},
				{Field: netstate.FWDAddr, Prefixes: []netip.Prefix{netip.MustParsePrefix("10.64.0.0/10")}},
			}}},
		{"anchor", pfAnchorApple(), `anchor "com.apple/*" all`, netstate.FWRule{Handle: 5, Verdict: netstate.FWAccept}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := decodePFIocRule(tc.b)
			if err != nil {
				t.Fatal(err)
			}
			fw, ok := pfFWRule(&r)
			if !ok {
				t.Fatal("rule taken as matching nothing")
			}
			if fw.Text != tc.text {
				t.Errorf("text %q, want %q", fw.Text, tc.text)
			}
			fw.Text = ""
			if !fwRuleEqual(fw, tc.want) {
				t.Errorf("got %+v, want %+v", fw, tc.want)
			}
		})
	}
	if _, err := decodePFIocRule(make([]byte, pfIocRuleSize-1)); !errors.Is(err, errPFShort) {
		t.Errorf("short buffer: %v", err)
	}
}

func fwRuleEqual(a, b netstate.FWRule) bool {
	return a.Handle == b.Handle && a.Verdict == b.Verdict && a.Opaque == b.Opaque && a.Anchor == b.Anchor &&
		slices.EqualFunc(a.Match, b.Match, func(x, y netstate.FWMatch) bool {
			return x.Field == y.Field && x.Neg == y.Neg && slices.Equal(x.Protos, y.Protos) && slices.Equal(x.Ports, y.Ports) &&
				slices.Equal(x.Prefixes, y.Prefixes) && slices.Equal(x.Names, y.Names)
		})
}

func TestPFStatusRunning(t *testing.T) {
	b := make([]byte, pfStatusSize)
	if on, err := pfStatusRunning(b); on || err != nil {
		t.Errorf("zeroed status: running %v, %v", on, err)
	}
	// pf_status.running at 376: after counters[17], lcounters[7],
	// fcounters[3], scounters[3] (u_int64_t each, 240 bytes),
	// pcounters[2][2][3] (96), bcounters[2][2] (32) and stateid (8).
	b[376] = 1
	if on, err := pfStatusRunning(b); !on || err != nil {
		t.Errorf("running: %v, %v", on, err)
	}
	if _, err := pfStatusRunning(b[:100]); err == nil {
		t.Error("short status accepted")
	}
}

func TestPFIocRequests(t *testing.T) {
	b := make([]byte, pfIocRuleSize)
	b[3068] = 9 // garbage of a previous answer: rule.action must go back to PF_PASS
	if err := pfIocRuleRequest(b, "com.apple/250.ApplicationFirewall", 77, 4); err != nil {
		t.Fatal(err)
	}
	if got := cstr(b[16:1040]); got != "com.apple/250.ApplicationFirewall" || b[3068] != 0 || b[12] != 4 || b[4] != 77 {
		t.Errorf("request: anchor %q action %d nr %d ticket %d", got, b[3068], b[12], b[4])
	}
	b[12], b[4] = 12, 99 // DIOCGETRULES answers the count in nr and the ticket
	if n, ticket := pfIocRuleCount(b); n != 12 || ticket != 99 {
		t.Errorf("count %d ticket %d", n, ticket)
	}
	if err := pfIocRuleRequest(b, strings.Repeat("a", pfPathMax), 0, 0); err == nil {
		t.Error("an anchor path longer than MAXPATHLEN accepted")
	}
	rs := make([]byte, pfIocRSetSize)
	if err := pfIocRulesetRequest(rs, "com.apple", 2); err != nil {
		t.Fatal(err)
	}
	copy(rs[1028:], "200.AirDrop") // pfioc_ruleset.name at 4+MAXPATHLEN
	if nr, name := pfIocRulesetAnswer(rs); nr != 2 || name != "200.AirDrop" || cstr(rs[4:1028]) != "com.apple" {
		t.Errorf("ruleset: nr %d name %q path %q", nr, name, cstr(rs[4:1028]))
	}
}

func TestPFResolveAnchor(t *testing.T) {
	for _, tc := range []struct {
		base, call, want string
		wild             bool
	}{
		{"", "com.apple/*", "com.apple", true},
		{"", "/mullvad", "mullvad", false},
		{"com.apple", "200.AirDrop/*", "com.apple/200.AirDrop", true},
		{"a/b", "../c", "a/c", false},
		{"a/b", "../../c", "c", false},
		{"a", "*", "a", true},
	} {
		got, wild := pfResolveAnchor(tc.base, tc.call)
		if got != tc.want || wild != tc.wild {
			t.Errorf("pfResolveAnchor(%q, %q) = %q %v, want %q %v", tc.base, tc.call, got, wild, tc.want, tc.wild)
		}
	}
}

// fakePF is a pf ruleset tree: rulesets by path, children by path.
type fakePF struct {
	rules map[string][]pfRule
	errs  map[string]error
}

func (f fakePF) Rules(path string) ([]pfRule, error) {
	if err := f.errs[path]; err != nil {
		return nil, err
	}
	rs, ok := f.rules[path]
	if !ok {
		return nil, syscall.EINVAL // pf_find_ruleset found none
	}
	return slices.Clone(rs), nil
}

func (f fakePF) Children(path string) ([]string, error) {
	var out []string
	for p := range f.rules {
		if rest, ok := strings.CutPrefix(p, path+"/"); ok && path != "" && !strings.Contains(rest, "/") {
			out = append(out, rest)
		}
	}
	slices.Sort(out) // the kernel's RB tree orders anchors by path
	return out, nil
}

func pfR(nr uint32, action uint8, quick bool, opts ...func(*pfRule)) pfRule {
	r := pfRule{Nr: nr, Action: action, Quick: quick, Direction: pfOut}
	for _, o := range opts {
		o(&r)
	}
	return r
}

func onIf(n string) func(*pfRule) { return func(r *pfRule) { r.IfName = n } }
func callAnchor(a string) func(*pfRule) {
	return func(r *pfRule) { r.AnchorCall, r.Action = a, pfPass }
}
func tcpPort(p uint16) func(*pfRule) {
	return func(r *pfRule) { r.Proto, r.Dst.PortOp, r.Dst.Port = netstate.ProtoTCP, pfOpEQ, [2]uint16{p, 0} }
}

// TestPFOutputChain pins the order the chain is built in: quick rules in
// pf's order (a quick anchor's rules with them), then the others reversed.
func TestPFOutputChain(t *testing.T) {
	src := fakePF{rules: map[string][]pfRule{
		"": {
			pfR(0, pfDrop, false),                           // block drop out all
			pfR(1, pfPass, false, onIf("utun3")),            // pass out on utun3 all
			pfR(2, pfDrop, true, tcpPort(443)),              // block out quick proto tcp ... port = 443
			pfR(3, pfPass, false, callAnchor("vpn")),        // anchor "vpn"
			pfR(4, pfPass, true, callAnchor("com.apple/*")), // anchor "com.apple/*" quick
			{Nr: 5, Action: pfDrop, Direction: pfIn},        // block in all: not for output
		},
		"vpn":             {pfR(0, pfPass, true, onIf("utun3")), pfR(1, pfDrop, false)},
		"com.apple":       {pfR(0, pfDrop, true)}, // not run: the wildcard runs the children
		"com.apple/200.b": {pfR(0, pfDrop, false, tcpPort(22))},
		"com.apple/100.a": {pfR(0, pfPass, false, tcpPort(22)), pfR(1, pfPass, true, tcpPort(8080))},
	}}
	budget := pfMaxRules
	main, err := readPFRuleset(src, "", 0, &budget)
	if err != nil {
		t.Fatal(err)
	}
	c := pfOutputChain(main)
	var got []string
	for _, r := range c.Rules {
		got = append(got, r.Anchor+"#"+string(rune('0'+r.Handle)))
	}
	want := []string{
		"#2", "vpn#0", // quick, in order
		"com.apple/100.a#1",                      // the quick anchor: its quick rules,
		"com.apple/200.b#0", "com.apple/100.a#0", // then its others reversed, all final
		"vpn#1", "#1", "#0", // the others, reversed
	}
	if !slices.Equal(got, want) {
		t.Errorf("order %q, want %q", got, want)
	}
	if c.Table != PFTable || c.Hook != "output" || c.Policy != netstate.FWAccept {
		t.Errorf("chain %+v", c)
	}
}

// TestPFUnreadableAnchor: an anchor whose rules cannot be read may pass
// anything its own tests let in, quick or not.
func TestPFUnreadableAnchor(t *testing.T) {
	src := fakePF{
		rules: map[string][]pfRule{"": {pfR(0, pfDrop, false), pfR(1, pfPass, false, callAnchor("x"), onIf("utun3"))}},
		errs:  map[string]error{"x": syscall.EBUSY},
	}
	budget := pfMaxRules
	main, err := readPFRuleset(src, "", 0, &budget)
	if err != nil {
		t.Fatal(err)
	}
	c := pfOutputChain(main)
	if len(c.Rules) != 3 || !c.Rules[0].Opaque || c.Rules[0].Verdict != netstate.FWAccept || !c.Rules[1].Opaque || c.Rules[2].Opaque {
		t.Fatalf("rules %+v", c.Rules)
	}
	if !strings.Contains(c.Rules[0].Text, `anchor "x" out on utun3 all (not read:`) {
		t.Errorf("text %q", c.Rules[0].Text)
	}
	// The main ruleset itself unreadable: an error, not an empty ruleset.
	src.errs[""] = syscall.EPERM
	if _, err := readPFRuleset(src, "", 0, &budget); !errors.Is(err, syscall.EPERM) {
		t.Errorf("main unreadable: %v", err)
	}
}

// TestPFTooMany: a ruleset past the bounds is refused, and an anchor loop
// ends at the depth bound.
func TestPFTooMany(t *testing.T) {
	src := fakePF{rules: map[string][]pfRule{"": {pfR(0, pfPass, false, callAnchor("/"))}}}
	budget := pfMaxRules
	main, err := readPFRuleset(src, "", 0, &budget)
	if err != nil {
		t.Fatal(err)
	}
	c := pfOutputChain(main)
	if !slices.ContainsFunc(c.Rules, func(r netstate.FWRule) bool { return r.Opaque }) {
		t.Errorf("an anchor calling the main ruleset read to the end: %+v", c.Rules)
	}
	budget = 1
	src.rules[""] = []pfRule{pfR(0, pfPass, false), pfR(1, pfPass, false)}
	if _, err := readPFRuleset(src, "", 0, &budget); !errors.Is(err, errPFTooMany) {
		t.Errorf("over budget: %v", err)
	}
}

func TestPFFWRuleShapes(t *testing.T) {
	v4 := func(a, m [4]byte) pfAddr {
		var x pfAddr
		copy(x.Addr[:], a[:])
		copy(x.Mask[:], m[:])
		return x
	}
	for _, tc := range []struct {
		name   string
		r      pfRule
		ok     bool
		opaque bool
		text   string
	}{
		{"to a table", pfRule{Action: pfDrop, Dst: pfAddr{Type: pfAddrTable, Name: "vpn_servers"}}, true, true, "block drop from any to <vpn_servers>"},
		{"from the interface's address", pfRule{Action: pfPass, Src: pfAddr{Type: pfAddrDynIfTL, Name: "en0"}, KeepState: 1}, true, true, "pass from (en0) to any keep state"},
		{"a user", pfRule{Action: pfDrop, Direction: pfOut, UIDOp: pfOpEQ}, true, true, "block drop out all user"},
		{"fragments only", pfRule{Action: pfDrop, RuleFlag: pfRuleFragment}, false, false, "block drop all"},
		{"inbound", pfRule{Action: pfDrop, Direction: pfIn}, false, false, "block drop in all"},
		{"to ! any", pfRule{Action: pfDrop, Dst: pfAddr{Neg: true}}, false, false, "block drop from any to ! any"},
		{"port < 0", pfRule{Action: pfDrop, Proto: 6, Dst: pfAddr{PortOp: pfOpLT}}, false, false, "block drop proto tcp from any to any port < 0"},
		{"tcp flags A/A never on a SYN", pfRule{Action: pfDrop, Proto: 6, Flags: tcpACK, FlagSet: tcpACK}, false, false, "block drop proto tcp all flags A/A"},
		{"a non-contiguous mask", pfRule{Action: pfDrop, AF: pfAFInet, Dst: v4([4]byte{10, 0, 0, 1}, [4]byte{255, 0, 255, 0})}, true, true, "block drop inet from any to 10.0.0.1"},
		{"return-rst", pfRule{Action: pfDrop, RuleFlag: pfRuleReturnRST, Proto: 6, Dst: pfAddr{PortOp: pfOpRRG, Port: [2]uint16{8000, 8100}}}, true, false, "block return-rst proto tcp from any to any port 8000:8100"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fw, ok := pfFWRule(&tc.r)
			if ok != tc.ok || (ok && fw.Opaque != tc.opaque) || fw.Text != tc.text {
				t.Errorf("ok %v opaque %v text %q, want %v %v %q", ok, fw.Opaque, fw.Text, tc.ok, tc.opaque, tc.text)
			}
		})
	}
}

// pfPkt is a packet for the differential test.
type pfPkt struct {
	fam   int
	proto uint8
	dst   netip.Addr
	port  uint16
	oif   string
}

// pfRefMatches tests one rule the way pf_test_rule does, for the features
// the random rulesets use.
func pfRefMatches(r *pfRule, p pfPkt) bool {
	if r.IfName != "" && (r.IfName == p.oif) == r.IfNot {
		return false
	}
	if r.Direction == pfIn {
		return false
	}
	if (r.AF == pfAFInet && p.fam != 4) || (r.AF == pfAFInet6 && p.fam != 6) {
		return false
	}
	if r.Proto != 0 && r.Proto != p.proto {
		return false
	}
	if r.Dst.Mask != [16]byte{} {
		in := false
		if p.fam == 4 && r.AF == pfAFInet {
			n, _ := maskLen(r.Dst.Mask[:4])
			in = netip.PrefixFrom(netip.AddrFrom4([4]byte(r.Dst.Addr[:4])), n).Contains(p.dst)
		}
		if in == r.Dst.Neg {
			return false
		}
	} else if r.Dst.Neg {
		return false
	}
	if r.Proto == p.proto && pfPorts(r.Proto) && r.Dst.PortOp != pfOpNone {
		a, b, x := int(r.Dst.Port[0]), int(r.Dst.Port[1]), int(p.port)
		ok := map[uint8]bool{pfOpIRG: x > a && x < b, pfOpXRG: x < a || x > b, pfOpRRG: x >= a && x <= b, pfOpEQ: x == a,
			pfOpNE: x != a, pfOpLT: x < a, pfOpLE: x <= a, pfOpGT: x > a, pfOpGE: x >= a}[r.Dst.PortOp]
		if !ok {
			return false
		}
	}
	if p.proto == netstate.ProtoTCP && r.FlagSet&tcpSYN != r.Flags {
		return false
	}
	return true
}

// pfRefEval runs p through rs as pf_test_rule's loop does: the last match
// wins, a quick match stops everything, a quick anchor stops after itself
// when anything in it matched. It returns whether evaluation stopped.
func pfRefEval(rs *pfRuleset, p pfPkt, last **pfRule, matches *int) bool {
	for i := range rs.Rules {
		r := &rs.Rules[i]
		if !pfRefMatches(r, p) {
			continue
		}
		if r.AnchorCall == "" {
			*last = r
			*matches++
			if r.Quick {
				return true
			}
			continue
		}
		before := *matches
		for j := range r.Calls {
			if pfRefEval(&r.Calls[j], p, last, matches) {
				return true
			}
		}
		if r.Quick && *matches > before {
			return true
		}
	}
	return false
}

// pfFirstMatch runs p through a chain of rules the model reads fully.
func pfFirstMatch(c netstate.FWChain, p pfPkt) netstate.FWVerdict {
	for _, r := range c.Rules {
		if !slices.ContainsFunc(r.Match, func(m netstate.FWMatch) bool {
			var holds bool
			switch m.Field {
			case netstate.FWNFProto:
				holds = slices.Contains(m.Protos, uint8(p.fam))
			case netstate.FWL4Proto:
				holds = slices.Contains(m.Protos, p.proto)
			case netstate.FWDPort:
				holds = slices.ContainsFunc(m.Ports, func(r netstate.PortRange) bool { return p.port >= r.Lo && p.port <= r.Hi })
			case netstate.FWDAddr:
				holds = slices.ContainsFunc(m.Prefixes, func(x netip.Prefix) bool { return x.Contains(p.dst) })
			case netstate.FWOIfName:
				holds = slices.Contains(m.Names, p.oif)
			}
			return holds == m.Neg
		}) {
			return r.Verdict
		}
	}
	return c.Policy
}

// TestPFChainDifferential checks the first-match chain against pf's own
// last-match loop over random rulesets with nested, quick and wildcard
// anchors.
func TestPFChainDifferential(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 5))
	ports := []uint16{53, 80, 443, 1000}
	pick := func(n int) int { return rng.IntN(n) }
	var rule func(nr uint32, path string, depth int, tree map[string][]pfRule) pfRule
	ruleset := func(path string, depth int, tree map[string][]pfRule) {
		n := 1 + pick(5)
		for i := range n {
			tree[path] = append(tree[path], rule(uint32(i), path, depth, tree))
		}
	}
	rule = func(nr uint32, path string, depth int, tree map[string][]pfRule) pfRule {
		r := pfRule{Nr: nr, Action: uint8(pick(2)), Quick: pick(3) == 0, Direction: []uint8{pfInOut, pfOut, pfOut, pfIn}[pick(4)]}
		r.IfName = []string{"", "", "en0", "utun3"}[pick(4)]
		r.IfNot = r.IfName != "" && pick(3) == 0
		r.AF = []uint8{0, 0, pfAFInet, pfAFInet6}[pick(4)]
		r.Proto = []uint8{0, netstate.ProtoTCP, netstate.ProtoUDP}[pick(3)]
		if r.AF == pfAFInet && pick(2) == 0 {
			copy(r.Dst.Addr[:], []byte{203, 0, 113, 0})
			copy(r.Dst.Mask[:], []byte{255, 255, 255, 0})
			r.Dst.Neg = pick(3) == 0
		}
		if pfPorts(r.Proto) && pick(2) == 0 {
			r.Dst.PortOp = uint8(1 + pick(9))
			r.Dst.Port = [2]uint16{ports[pick(4)], ports[pick(4)]}
		}
		if pick(4) == 0 {
			r.Flags, r.FlagSet = []uint8{tcpSYN, tcpACK}[pick(2)], tcpSYN|tcpACK
		}
		if depth < 3 && pick(4) == 0 {
			name := pfJoin(path, string(rune('a'+nr)))
			r.Action = pfPass
			if pick(2) == 0 {
				r.AnchorCall = string(rune('a'+nr)) + "/*"
				for k := range 1 + pick(3) {
					ruleset(pfJoin(name, string(rune('p'+k))), depth+1, tree)
				}
				if _, ok := tree[name]; !ok {
					tree[name] = nil
				}
			} else {
				r.AnchorCall = string(rune('a' + nr))
				ruleset(name, depth+1, tree)
			}
		}
		return r
	}
	addrs := []netip.Addr{netip.MustParseAddr("203.0.113.5"), netip.MustParseAddr("198.51.100.1"), netip.MustParseAddr("2001:db8::1")}
	for i := range 400 {
		tree := map[string][]pfRule{}
		ruleset("", 0, tree)
		budget := pfMaxRules
		main, err := readPFRuleset(fakePF{rules: tree}, "", 0, &budget)
		if err != nil {
			t.Fatal(err)
		}
		c := pfOutputChain(main)
		for _, a := range addrs {
			for _, proto := range []uint8{netstate.ProtoTCP, netstate.ProtoUDP} {
				for _, port := range ports {
					for _, oif := range []string{"en0", "utun3"} {
						p := pfPkt{fam: netstate.FamilyOf(a), proto: proto, dst: a, port: port, oif: oif}
						var last *pfRule
						n := 0
						pfRefEval(&main, p, &last, &n)
						want := netstate.FWAccept
						if last != nil && last.Action == pfDrop {
							want = netstate.FWDrop
						}
						if got := pfFirstMatch(c, p); got != want {
							t.Fatalf("ruleset %d, %+v: chain says %s, pf %s\ntree %+v\nchain %+v", i, p, got, want, tree, c.Rules)
						}
					}
				}
			}
		}
	}
}
