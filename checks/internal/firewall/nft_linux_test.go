//go:build linux

package firewall

import (
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/nftables"
	"github.com/google/nftables/expr"
	"github.com/netguard/netguard/checks/internal/netnstest"
	"github.com/netguard/netguard/checks/netstate"
	"golang.org/x/sys/unix"
)

// TestOutputFilterNetns reads a ruleset loaded into a namespace of its own
// and pins how each rule is modelled: what diagnosis can evaluate, and
// what it must not (Opaque).
func TestOutputFilterNetns(t *testing.T) {
	netnstest.Run(t, func(t *testing.T) {
		cmd := exec.Command("nft", "-f", "-")
		cmd.Stdin = strings.NewReader(`
table inet ks {
	set allowed { type ipv4_addr; elements = { 10.64.0.1 } }
	chain output {
		type filter hook output priority 0; policy drop;
		ct state established,related accept
		oifname "lo" accept
		oifname "wg*" accept
		tcp dport { 443, 8443 } reject
		udp dport 53 ip daddr != @allowed drop
		tcp dport 1000-2000 jump sub
		meta mark 0x1 accept
		meta skuid 1000 reject
	}
	chain sub {
		ip daddr 192.0.2.0/24 drop
	}
}
table ip nat {
	chain output {
		type nat hook output priority -100;
	}
}
table ip other {
	chain input {
		type filter hook input priority 0; policy drop;
	}
}
`)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("nft -f: %v\n%s", err, out)
		}
		// Read on this thread, the one in the namespace (ReadOutput
		// reads on another goroutine, which may run on any thread).
		fs := readOutputFilter()
		if fs.Read != netstate.TriYes || fs.Err != nil {
			t.Fatalf("read %v, err %v", fs.Read, fs.Err)
		}
		type chain struct {
			Name, Hook string
			Policy     netstate.FWVerdict
			Rules      []string
		}
		var got []chain
		opaque := map[string]bool{}
		for _, c := range fs.Chains {
			ch := chain{Name: c.Family + " " + c.Table + " " + c.Name, Hook: c.Hook, Policy: c.Policy}
			for _, r := range c.Rules {
				ch.Rules = append(ch.Rules, r.Text)
				if r.Opaque {
					opaque[r.Text] = true
				}
			}
			got = append(got, ch)
		}
		want := []chain{
			{Name: "inet ks output", Hook: "output", Policy: netstate.FWDrop, Rules: []string{
				"ct state { established, related } accept",
				"oifname lo accept",
				"oifname wg+ accept",
				"meta l4proto tcp th dport { 443, 8443 } reject",
				"meta l4proto udp th dport 53 meta nfproto ipv4 ip daddr != 10.64.0.1 drop",
				"meta l4proto tcp th dport 1000-65535 th dport 0-2000 jump sub",
				"mark 0x1 accept",
				"meta 10 cmp reject",
			}},
			{Name: "inet ks sub", Policy: netstate.FWAccept, Rules: []string{"meta nfproto ipv4 ip daddr 192.0.2.0/24 drop"}},
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("chains (-want +got):\n%s", d)
		}
		if d := cmp.Diff(map[string]bool{"meta 10 cmp reject": true}, opaque); d != "" {
			t.Errorf("opaque rules (-want +got):\n%s", d)
		}
	})
}

// TestFWRuleOfIptablesNFT pins the expressions iptables-nft writes, and
// that what is not modelled makes a rule opaque.
func TestFWRuleOfIptablesNFT(t *testing.T) {
	// iptables-nft's "-p tcp --dport 443 -o eth0 -j REJECT": the IPv4
	// protocol byte, the port, the interface name, the xtables target.
	exprs := []expr.Any{
		&expr.Meta{Key: expr.MetaKeyOIFNAME, Register: 1},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte("eth0\x00")},
		&expr.Payload{OperationType: expr.PayloadLoad, DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: 9, Len: 1},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{unix.IPPROTO_TCP}},
		&expr.Payload{OperationType: expr.PayloadLoad, DestRegister: 1, Base: expr.PayloadBaseTransportHeader, Offset: 2, Len: 2},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{1, 187}},
		&expr.Counter{},
		&expr.Target{Name: "REJECT"},
	}
	got := FWRuleOf(4, exprs, nil)
	want := netstate.FWRule{Handle: 4, Verdict: netstate.FWReject, Text: "oifname eth0 meta l4proto tcp th dport 443 reject", Match: []netstate.FWMatch{
		{Field: netstate.FWOIfName, Names: []string{"eth0"}},
		{Field: netstate.FWL4Proto, Protos: []uint8{6}},
		{Field: netstate.FWDPort, Ports: []netstate.PortRange{{Lo: 443, Hi: 443}}},
	}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("rule (-want +got):\n%s", d)
	}
	// An xtables match (conntrack, owner) is not modelled: opaque.
	got = FWRuleOf(5, []expr.Any{&expr.Match{Name: "owner"}, &expr.Verdict{Kind: expr.VerdictAccept}}, nil)
	if !got.Opaque || got.Verdict != netstate.FWAccept {
		t.Errorf("xt match: %+v, want opaque accept", got)
	}
	// A set that cannot be read makes the rule opaque, never a match of
	// nothing.
	got = FWRuleOf(6, []expr.Any{
		&expr.Payload{OperationType: expr.PayloadLoad, DestRegister: 1, Base: expr.PayloadBaseTransportHeader, Offset: 2, Len: 2},
		&expr.Lookup{SourceRegister: 1, SetName: "gone"},
		&expr.Verdict{Kind: expr.VerdictDrop},
	}, func(string, uint32) ([]nftables.SetElement, *nftables.Set) { return nil, nil })
	if !got.Opaque || got.Verdict != netstate.FWDrop {
		t.Errorf("unreadable set: %+v, want opaque drop", got)
	}
}

// TestOutputFilterIptablesNFT reads what Debian's default iptables
// (iptables-nft) writes: native expressions with a counter, and xtables
// compat matches where nft has no equivalent, which must stay opaque.
func TestOutputFilterIptablesNFT(t *testing.T) {
	netnstest.Run(t, func(t *testing.T) {
		for _, args := range [][]string{
			{"-A", "OUTPUT", "-m", "owner", "--uid-owner", "12345", "-j", "ACCEPT"},
			{"-A", "OUTPUT", "-m", "owner", "--gid-owner", "5", "--suppl-groups", "-j", "ACCEPT"},
			{"-A", "OUTPUT", "-m", "conntrack", "--ctexpire", "1:100", "-j", "ACCEPT"},
			{"-A", "OUTPUT", "-m", "conntrack", "--ctstate", "ESTABLISHED", "-j", "ACCEPT"},
			{"-A", "OUTPUT", "-p", "tcp", "-m", "multiport", "--dports", "80,443", "-j", "DROP"},
			{"-A", "OUTPUT", "-p", "tcp", "--dport", "443", "-j", "REJECT"},
		} {
			if out, err := exec.Command("iptables-nft", args...).CombinedOutput(); err != nil {
				t.Fatalf("iptables-nft %s: %v\n%s", strings.Join(args, " "), err, out)
			}
		}
		fs := readOutputFilter()
		if fs.Read != netstate.TriYes || len(fs.Chains) != 1 {
			t.Fatalf("read %v, err %v, %d chains; want ip filter OUTPUT", fs.Read, fs.Err, len(fs.Chains))
		}
		c := fs.Chains[0]
		if c.Family+" "+c.Table+" "+c.Name != "ip filter OUTPUT" || c.Hook != "output" {
			t.Fatalf("chain %s %s %s hook %q, want ip filter OUTPUT on output", c.Family, c.Table, c.Name, c.Hook)
		}
		type rule struct {
			Text   string
			Opaque bool
		}
		var got []rule
		for _, r := range c.Rules {
			got = append(got, rule{r.Text, r.Opaque})
		}
		// iptables-nft writes a native expression or the compat match
		// for the same option depending on its version and on whether
		// the kernel has nft_compat loaded: either is read right.
		want := [][]rule{
			{{"meta 10 cmp accept", true}, {"xt match owner accept", true}}, // meta skuid is not modelled
			{{"xt match owner accept", true}},                               // --suppl-groups
			{{"xt match conntrack accept", true}},                           // --ctexpire
			{{"ct state established accept", false}, {"xt match conntrack accept", true}},
			{{"meta l4proto tcp xt match multiport drop", true}},
			{{"meta l4proto tcp th dport 443 reject", false}}, // the counter has no word
		}
		if len(got) != len(want) {
			t.Fatalf("rules %v, want %d", got, len(want))
		}
		for i, r := range got {
			if !slices.Contains(want[i], r) {
				t.Errorf("rule %d: %+v, want one of %+v", i+1, r, want[i])
			}
		}
		if r := c.Rules[5]; r.Verdict != netstate.FWReject || len(r.Match) != 2 {
			t.Errorf("reject rule %+v, want a reject of tcp port 443", r)
		}
	})
}
