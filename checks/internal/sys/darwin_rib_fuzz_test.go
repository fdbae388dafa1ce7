package sys

import (
	"github.com/netguard/netguard/checks/internal/xnu"
	"net/netip"
	"testing"
)

// FuzzParseDarwinRIB feeds arbitrary bytes to the routing-message parser,
// seeded with the dumps and the garbage of darwin_rib_test.go. It must never
// panic (x/net/route did on real XNU messages: golang/go#70528, #71557),
// and what it accepts must be well-formed.
func FuzzParseDarwinRIB(f *testing.F) {
	f.Add(drtRouteDump())
	f.Add(drtARPDump())
	f.Add(drtNDPDump())
	f.Add(darwinBuildRtMsg(xnu.RTMGet, xnu.RTFUp|xnu.RTFHost, 4, true, 1, netip.MustParseAddr("fe80::1")))
	for _, b := range drtGarbage() {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		msgs, err := darwinParseRtMsgs(b)
		rs, rerr := darwinParseRoutes(b)
		ns, nerr := darwinParseNeighbors(b, drtNow)
		if (err == nil) != (rerr == nil) || (err == nil) != (nerr == nil) {
			t.Fatalf("parsers disagree: %v / %v / %v", err, rerr, nerr)
		}
		if err != nil {
			return
		}
		for _, m := range msgs {
			darwinRoute(m, true) // RTM_GET replies take every entry
		}
		for _, r := range rs {
			if !r.Dst.IsValid() || r.Dst != r.Dst.Masked() {
				t.Fatalf("bad route %+v", r)
			}
		}
		for _, n := range ns {
			if !n.IP.IsValid() || n.IP.Zone() != "" || n.Resolved() != (len(n.MAC) > 0) {
				t.Fatalf("bad neighbor %+v", n)
			}
		}
	})
}

// FuzzParseDarwinPcblist does the same for pcblist_n.
func FuzzParseDarwinPcblist(f *testing.F) {
	f.Add(drtTCPList(), 6)
	f.Add(drtPcblist(false, 10, drtPcb{proto: 17, lport: 60000, lastPID: 7, gencnt: 1}), 17)
	f.Add(drtTCPList()[:100], 6)
	f.Fuzz(func(t *testing.T, b []byte, proto int) {
		st, err := darwinParsePcblist(b, proto, 49152, 65535)
		if err == nil && (st.EphemeralInUse > st.Sockets || st.TimeWait > st.Sockets) {
			t.Fatalf("inconsistent %+v", st)
		}
	})
}
