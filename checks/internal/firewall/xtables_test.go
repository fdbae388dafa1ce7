package firewall

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/netguard/netguard/checks/netstate"
)

// xtLE64 is the layout the fixtures were captured in: amd64's.
var xtLE64 = XTLayout{Order: binary.LittleEndian, EntriesHdr: 40, Entry6Size: 168}

// xtLE386 is i386's.
var xtLE386 = XTLayout{Order: binary.LittleEndian, EntriesHdr: 36, Entry6Size: 164}

func xtFixtureName(fam int) string { return fmt.Sprintf("legacy-filter-ip%stables", v6Suffix(fam)) }

// xtChainSum is a chain as the tests compare it.
type xtChainSum struct {
	Name, Hook string
	Policy     netstate.FWVerdict
	Rules      []string // "handle: text [verdict target] (opaque)"
}

func xtSummary(chains []netstate.FWChain) []xtChainSum {
	var out []xtChainSum
	for _, c := range chains {
		s := xtChainSum{Name: c.Backend + " " + c.Family + " " + c.Table + " " + c.Name, Hook: c.Hook, Policy: c.Policy}
		for _, r := range c.Rules {
			line := fmt.Sprintf("%d: %s [%s %s]", r.Handle, r.Text, r.Verdict, r.Target)
			if r.Opaque {
				line += " (opaque)"
			}
			s.Rules = append(s.Rules, line)
		}
		out = append(out, s)
	}
	return out
}

// xtWant is what the ruleset of TestLegacyFilterNetns decodes to.
func xtWant(fam int) []xtChainSum {
	if fam == 6 {
		return []xtChainSum{{Name: "iptables-legacy ip6 filter OUTPUT", Hook: "output", Policy: netstate.FWAccept, Rules: []string{
			"1: -p tcp -m tcp --dport 443 -j REJECT [reject ]",
			"2: -d 2001:db8::/32 ! -o eth0 -j DROP [drop ]",
		}}}
	}
	return []xtChainSum{
		{Name: "iptables-legacy ip filter OUTPUT", Hook: "output", Policy: netstate.FWDrop, Rules: []string{
			"1: -o lo -j ACCEPT [accept ]",
			"2: -o wg+ -j ACCEPT [accept ]",
			"3: -p tcp -m tcp --dport 443 -j REJECT [reject ]",
			"4: ! -d 10.64.0.1 -p udp -m udp --dport 53 -j DROP [drop ]",
			"5: -p tcp -m multiport --dports 80,8000:8080 -j vpn [jump vpn]",
			"6: -m conntrack --ctstate ESTABLISHED -j ACCEPT [accept ]",
			"7: -m state --state ESTABLISHED,RELATED -j ACCEPT [accept ]", // iptables' state is conntrack's alias
			"8: -m conntrack -j ACCEPT [accept ] (opaque)",                // --ctproto beside the state
			"9: -m conntrack -j DROP [drop ] (opaque)",                    // SNAT is not modelled
			"10: -m owner -j DROP [drop ] (opaque)",
			"11: -d 192.0.2.0/24 -g vpn [goto vpn]",
			"12: -p tcp -m tcp ! --dport 1000:2000 -j LOG [ ]",
			"13: -p tcp -m tcp --dport 25 [ ]", // no target: it falls through
			"14: -p tcp -m tcp --tcp-flags -j DROP [drop ] (opaque)",
		}},
		// The chain's footer (its implicit RETURN) is not a rule; the
		// explicit one is.
		{Name: "iptables-legacy ip filter vpn", Policy: netstate.FWAccept, Rules: []string{
			"1: -d 198.51.100.7 -j DROP [drop ]",
			"2: -j RETURN [return ]",
		}},
	}
}

// TestXTChainsCaptured decodes the kernel's own answers, captured from a
// namespace holding xtLegacyRuleset (TestLegacyFilterNetns).
// The -i386 fixtures are a 386 binary's view (GOARCH=386 go test
// -update-xtables): the same rules in the i386 layout.
func TestXTChainsCaptured(t *testing.T) {
	for _, c := range []struct {
		fam    int
		suffix string
		lay    XTLayout
	}{{4, "", xtLE64}, {6, "", xtLE64}, {4, "-i386", xtLE386}, {6, "-i386", xtLE386}} {
		fam := c.fam
		base := filepath.Join("testdata", "xtables", xtFixtureName(fam)+c.suffix)
		ib, err := os.ReadFile(base + ".info.bin")
		if err != nil {
			t.Fatal(err)
		}
		eb, err := os.ReadFile(base + ".entries.bin")
		if err != nil {
			t.Fatal(err)
		}
		info, err := ParseXTInfo(ib, c.lay)
		if err != nil {
			t.Fatal(err)
		}
		chains, err := XTChains(fam, "filter", info, eb, c.lay)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(xtWant(fam), xtSummary(chains)); d != "" {
			t.Errorf("ip%stables%s chains (-want +got):\n%s", v6Suffix(fam), c.suffix, d)
		}
	}
}

// TestXTChainsCapturedMatches pins the matches behind the texts: what
// diagnosis evaluates.
func TestXTChainsCapturedMatches(t *testing.T) {
	rules := func(fam int) []netstate.FWRule {
		base := filepath.Join("testdata", "xtables", xtFixtureName(fam))
		ib, err1 := os.ReadFile(base + ".info.bin")
		eb, err2 := os.ReadFile(base + ".entries.bin")
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		info, _ := ParseXTInfo(ib, xtLE64)
		chains, err := XTChains(fam, "filter", info, eb, xtLE64)
		if err != nil {
			t.Fatal(err)
		}
		return chains[0].Rules
	}
	pfx := netip.MustParsePrefix
	r4, r6 := rules(4), rules(6)
	for _, c := range []struct {
		rule netstate.FWRule
		want []netstate.FWMatch
	}{
		{r4[1], []netstate.FWMatch{{Field: netstate.FWOIfName, Names: []string{"wg+"}}}},
		{r4[3], []netstate.FWMatch{
			{Field: netstate.FWDAddr, Neg: true, Prefixes: []netip.Prefix{pfx("10.64.0.1/32")}},
			{Field: netstate.FWL4Proto, Protos: []uint8{netstate.ProtoUDP}},
			{Field: netstate.FWDPort, Ports: []netstate.PortRange{{Lo: 53, Hi: 53}}},
		}},
		{r4[4], []netstate.FWMatch{
			{Field: netstate.FWL4Proto, Protos: []uint8{netstate.ProtoTCP}},
			{Field: netstate.FWDPort, Ports: []netstate.PortRange{{Lo: 80, Hi: 80}, {Lo: 8000, Hi: 8080}}},
		}},
		{r4[6], []netstate.FWMatch{{Field: netstate.FWCtState, Names: []string{"established", "related"}}}},
		{r4[11], []netstate.FWMatch{
			{Field: netstate.FWL4Proto, Protos: []uint8{netstate.ProtoTCP}},
			{Field: netstate.FWDPort, Neg: true, Ports: []netstate.PortRange{{Lo: 1000, Hi: 2000}}},
		}},
		{r6[1], []netstate.FWMatch{
			{Field: netstate.FWDAddr, Prefixes: []netip.Prefix{pfx("2001:db8::/32")}},
			{Field: netstate.FWOIfName, Neg: true, Names: []string{"eth0"}},
		}},
	} {
		if d := cmp.Diff(c.want, c.rule.Match, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); d != "" {
			t.Errorf("%s: matches (-want +got):\n%s", c.rule.Text, d)
		}
	}
}

// FuzzXTChains: the kernel's bytes never panic the decoder, and a jump it
// resolves names a chain it returns.
func FuzzXTChains(f *testing.F) {
	for _, fam := range []int{4, 6} {
		base := filepath.Join("testdata", "xtables", xtFixtureName(fam))
		ib, err1 := os.ReadFile(base + ".info.bin")
		eb, err2 := os.ReadFile(base + ".entries.bin")
		if err1 != nil || err2 != nil {
			f.Fatal(err1, err2)
		}
		f.Add(fam == 6, ib, eb)
	}
	ib, eb := xtHandTable(8, 40)
	f.Add(false, ib, eb)
	f.Fuzz(func(t *testing.T, v6 bool, ib, eb []byte) {
		fam := 4
		if v6 {
			fam = 6
		}
		info, err := ParseXTInfo(ib, xtLE64)
		if err != nil {
			return
		}
		chains, err := XTChains(fam, "filter", info, eb, xtLE64)
		if err != nil {
			return
		}
		names := map[string]bool{}
		for _, c := range chains {
			names[c.Name] = true
		}
		for _, c := range chains {
			for _, r := range c.Rules {
				if (r.Verdict == netstate.FWJump || r.Verdict == netstate.FWGoto) && !r.Opaque && !names[r.Target] {
					t.Errorf("%s rule %d jumps to %q, not a chain returned", c.Name, r.Handle, r.Target)
				}
			}
		}
	})
}

// TestXTChainsWrongLayout: the i386 capture read with the 64-bit layout
// (and back) fails or decodes to something else, so the layout each test
// uses is the one that matters.
func TestXTChainsWrongLayout(t *testing.T) {
	for _, c := range []struct {
		suffix string
		lay    XTLayout
	}{{"-i386", xtLE64}, {"", xtLE386}} {
		base := filepath.Join("testdata", "xtables", xtFixtureName(4)+c.suffix)
		ib, err1 := os.ReadFile(base + ".info.bin")
		eb, err2 := os.ReadFile(base + ".entries.bin")
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		info, err := ParseXTInfo(ib, c.lay)
		if err != nil {
			t.Fatal(err)
		}
		chains, err := XTChains(4, "filter", info, eb, c.lay)
		if err == nil && cmp.Equal(xtWant(4), xtSummary(chains)) {
			t.Errorf("%s read with the other layout decodes as if it were right", base)
		}
	}
}
