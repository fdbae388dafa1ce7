package diagnose

import (
	"net/netip"
	"testing"

	"github.com/netguard/netguard/checks/netstate"
)

// TestFWEval runs packets through a ruleset in the shapes nft and
// iptables-nft write: the verdict and whether it is sure.
func TestFWEval(t *testing.T) {
	newState := []netstate.FWMatch{{Field: netstate.FWCtState, Names: []string{"established", "related"}}}
	fs := &netstate.FirewallState{Read: netstate.TriYes, Chains: []netstate.FWChain{
		{Family: "ip", Table: "t", Name: "out", Hook: "output", Policy: netstate.FWAccept, Rules: []netstate.FWRule{
			{Handle: 1, Match: newState, Verdict: netstate.FWAccept},
			{Handle: 2, Match: []netstate.FWMatch{{Field: netstate.FWDPort, Ports: []netstate.PortRange{{Lo: 1000, Hi: 65535}}}, {Field: netstate.FWDPort, Ports: []netstate.PortRange{{Lo: 0, Hi: 2000}}}}, Verdict: netstate.FWJump, Target: "sub"},
			{Handle: 3, Match: []netstate.FWMatch{{Field: netstate.FWOIfName, Names: []string{"wg+"}}}, Verdict: netstate.FWAccept},
			{Handle: 7, Match: []netstate.FWMatch{{Field: netstate.FWMark, Marks: []uint32{0xca6c}}}, Verdict: netstate.FWAccept},
			{Handle: 8, Match: append(tcpDport(9090), netstate.FWMatch{Field: netstate.FWMark, Neg: true, Marks: []uint32{0xca6c}}), Verdict: netstate.FWReject},
			{Handle: 4, Match: []netstate.FWMatch{{Field: netstate.FWDPort, Ports: []netstate.PortRange{{Lo: 8080, Hi: 8080}}}}, Opaque: true, Verdict: netstate.FWAccept},
			{Handle: 5, Match: tcpDport(8080), Verdict: netstate.FWReject},
		}},
		{Family: "ip", Table: "t", Name: "sub", Rules: []netstate.FWRule{
			{Handle: 6, Match: []netstate.FWMatch{{Field: netstate.FWDAddr, Prefixes: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}}}, Verdict: netstate.FWDrop},
		}},
	}}
	a := netip.MustParseAddr("192.0.2.7")
	for _, tc := range []struct {
		name   string
		p      netstate.FWPacket
		want   netstate.FWVerdict
		handle uint64
		sure   bool
	}{
		{"port in the jump's range, address in sub's prefix", netstate.FWPacket{Family: 4, L4Proto: 6, DAddr: a, DPort: 1500, OIfName: "eth0"}, netstate.FWDrop, 6, true},
		{"address outside sub's prefix returns and falls to the policy", netstate.FWPacket{Family: 4, L4Proto: 6, DAddr: netip.MustParseAddr("198.51.100.1"), DPort: 1500, OIfName: "eth0"}, netstate.FWAccept, 0, true},
		{"through the tunnel wildcard", netstate.FWPacket{Family: 4, L4Proto: 6, DAddr: a, DPort: 8080, OIfName: "wg0"}, netstate.FWAccept, 0, true},
		{"an opaque accept before the reject: not sure", netstate.FWPacket{Family: 4, L4Proto: 6, DAddr: a, DPort: 8080, OIfName: "eth0"}, netstate.FWReject, 5, false},
		{"a packet without the tunnel's mark is rejected for sure", netstate.FWPacket{Family: 4, L4Proto: 6, DAddr: a, DPort: 9090, OIfName: "eth0"}, netstate.FWReject, 8, true},
		{"an ip table does not see IPv6", netstate.FWPacket{Family: 6, L4Proto: 6, DAddr: netip.MustParseAddr("2001:db8::1"), DPort: 1500, OIfName: "eth0"}, netstate.FWAccept, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := fwEval(fs, tc.p)
			var h uint64
			if o.Rule != nil {
				h = o.Rule.Handle
			}
			if o.Verdict != tc.want || h != tc.handle || o.Sure != tc.sure {
				t.Errorf("got %s by handle %d (sure %v), want %s by %d (sure %v)", o.Verdict, h, o.Sure, tc.want, tc.handle, tc.sure)
			}
		})
	}
}
