package firewall

import (
	"encoding/binary"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/netguard/netguard/checks/netstate"
)

// xtHandTable writes, field by field from ip_tables.h and x_tables.h, a
// filter table with only the OUTPUT hook:
//
//	OUTPUT: -p tcp -m tcp --dport 443 -j REJECT; -j ks; policy DROP
//	ks:     -o wg0 -j ACCEPT; (footer RETURN)
//
// align is XT_ALIGN's: 8, or 4 on i386 (where ipt_get_entries' table
// starts at 36). It returns the IPT_SO_GET_INFO and IPT_SO_GET_ENTRIES
// answers, little-endian.
func xtHandTable(align, entriesHdr int) (info, entries []byte) {
	le := binary.LittleEndian
	xtAlign := func(n int) int { return (n + align - 1) &^ (align - 1) }
	var blob []byte
	// entry appends an ipt_entry (112 bytes: ipt_ip 0-83, nfcache @84,
	// target_offset @88, next_offset @90, comefrom @92, counters @96)
	// followed by its matches and target, and returns its offset.
	entry := func(fill func(e []byte), matches []byte, target []byte) int {
		e := make([]byte, 112)
		fill(e)
		le.PutUint16(e[88:], uint16(112+len(matches)))             // target_offset
		le.PutUint16(e[90:], uint16(112+len(matches)+len(target))) // next_offset
		off := len(blob)
		blob = append(append(append(blob, e...), matches...), target...)
		return off
	}
	// ext is an xt_entry_match or xt_entry_target: u16 size @0 (the
	// whole, data included), char name[29] @2, u8 revision @31, data @32.
	ext := func(name string, data []byte) []byte {
		b := make([]byte, xtAlign(32+len(data)))
		le.PutUint16(b[0:], uint16(len(b)))
		copy(b[2:31], name)
		copy(b[32:], data)
		return b
	}
	// The standard target's data is its verdict, an int.
	standard := func(verdict int32) []byte {
		v := make([]byte, 4)
		le.PutUint32(v, uint32(verdict))
		return ext("", v)
	}
	none := func([]byte) {}
	// struct xt_tcp: spts[2] @0, dpts[2] @4, option @8, flg_mask @9,
	// flg_cmp @10, invflags @11.
	tcp := make([]byte, 12)
	le.PutUint16(tcp[2:], 65535)
	le.PutUint16(tcp[4:], 443)
	le.PutUint16(tcp[6:], 443)
	entry(func(e []byte) { le.PutUint16(e[80:], 6) }, // ipt_ip.proto = IPPROTO_TCP
		ext("tcp", tcp),
		ext("REJECT", []byte{3, 0, 0, 0})) // ipt_reject_info.with = IPT_ICMP_PORT_UNREACHABLE
	jump := len(blob)
	entry(none, nil, standard(0))                                             // the verdict is patched below: the offset of ks's first rule
	underflow := entry(none, nil, standard(-0-1))                             // policy: -NF_DROP-1
	entry(none, nil, ext("ERROR", append([]byte("ks"), make([]byte, 28)...))) // xt_error_target: errorname[30]
	ksFirst := entry(func(e []byte) {
		copy(e[32:48], "wg0")                          // ipt_ip.outiface
		copy(e[64:80], []byte{0xff, 0xff, 0xff, 0xff}) // outiface_mask: the name and its NUL
	}, nil, standard(-1-1)) // -NF_ACCEPT-1
	entry(none, nil, standard(-5))                                               // footer: XT_RETURN = -NF_REPEAT-1
	entry(none, nil, ext("ERROR", append([]byte("ERROR"), make([]byte, 25)...))) // the table's end
	le.PutUint32(blob[jump+112+32:], uint32(ksFirst))

	// struct ipt_getinfo: name[32] @0, valid_hooks @32, hook_entry[5]
	// @36, underflow[5] @56, num_entries @76, size @80.
	info = make([]byte, 84)
	copy(info, "filter")
	le.PutUint32(info[32:], 1<<3) // NF_INET_LOCAL_OUT only
	le.PutUint32(info[36+4*3:], 0)
	le.PutUint32(info[56+4*3:], uint32(underflow))
	le.PutUint32(info[76:], 7)
	le.PutUint32(info[80:], uint32(len(blob)))
	// struct ipt_get_entries: name[32] @0, size @32, the table after.
	entries = make([]byte, entriesHdr, entriesHdr+len(blob))
	copy(entries, "filter")
	le.PutUint32(entries[32:], uint32(len(blob)))
	return info, append(entries, blob...)
}

func TestXTChainsHandWritten(t *testing.T) {
	want := []netstate.FWChain{
		{Family: "ip", Table: "filter", Name: "OUTPUT", Hook: "output", Policy: netstate.FWDrop, Backend: netstate.BackendIPTablesLegacy, Rules: []netstate.FWRule{
			{Handle: 1, Verdict: netstate.FWReject, Text: "-p tcp -m tcp --dport 443 -j REJECT", Match: []netstate.FWMatch{
				{Field: netstate.FWL4Proto, Protos: []uint8{6}},
				{Field: netstate.FWDPort, Ports: []netstate.PortRange{{Lo: 443, Hi: 443}}},
			}},
			{Handle: 2, Verdict: netstate.FWJump, Target: "ks", Text: "-j ks"},
		}},
		{Family: "ip", Table: "filter", Name: "ks", Policy: netstate.FWAccept, Backend: netstate.BackendIPTablesLegacy, Rules: []netstate.FWRule{
			{Handle: 1, Verdict: netstate.FWAccept, Text: "-o wg0 -j ACCEPT", Match: []netstate.FWMatch{{Field: netstate.FWOIfName, Names: []string{"wg0"}}}},
		}},
	}
	for _, c := range []struct {
		name      string
		align     int
		lay       XTLayout
		underflow uint32
	}{
		// 112 + tcp 32+16 + REJECT 32+8, then 112 + standard 32+8.
		{"64-bit", 8, xtLE64, 200 + 152},
		// 112 + tcp 32+12 + REJECT 32+4, then 112 + standard 32+4.
		{"i386", 4, xtLE386, 192 + 148},
	} {
		t.Run(c.name, func(t *testing.T) {
			ib, eb := xtHandTable(c.align, c.lay.EntriesHdr)
			info, err := ParseXTInfo(ib, c.lay)
			if err != nil {
				t.Fatal(err)
			}
			if info.Underflow[3] != c.underflow {
				t.Fatalf("underflow %d, want %d: the REJECT rule and the jump before the policy", info.Underflow[3], c.underflow)
			}
			got, err := XTChains(4, "filter", info, eb, c.lay)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("chains (-want +got):\n%s", d)
			}
		})
	}
}

// TestXTStateMatches decodes the connection-state matches from their
// headers' layouts: xt_state_info (u32 statemask) and
// xt_conntrack_mtinfo1..3 (match_flags @146, invert_flags @148,
// state_mask @150: u8 in revision 1, u16 after).
func TestXTStateMatches(t *testing.T) {
	le := binary.LittleEndian
	conntrack := func(flags, inv uint16, mask uint16, rev byte) []byte {
		d := make([]byte, 168) // mtinfo3, aligned
		le.PutUint16(d[146:], flags)
		le.PutUint16(d[148:], inv)
		if rev == 1 {
			d[150] = byte(mask)
		} else {
			le.PutUint16(d[150:], mask)
		}
		return d
	}
	state := make([]byte, 8)
	le.PutUint32(state, 8|64) // XT_STATE_BIT(IP_CT_NEW) | XT_STATE_UNTRACKED
	for _, c := range []struct {
		name   string
		rev    byte
		data   []byte
		want   []netstate.FWMatch
		text   string
		opaque bool
	}{
		{"state", 0, state, []netstate.FWMatch{{Field: netstate.FWCtState, Names: []string{"new", "untracked"}}}, "-m state --state NEW,UNTRACKED", false},
		{"conntrack", 1, conntrack(1, 0, 2|4, 1), []netstate.FWMatch{{Field: netstate.FWCtState, Names: []string{"established", "related"}}}, "-m conntrack --ctstate ESTABLISHED,RELATED", false},
		{"conntrack", 3, conntrack(1, 1, 1|256, 3), []netstate.FWMatch{{Field: netstate.FWCtState, Neg: true, Names: []string{"invalid", "untracked"}}}, "-m conntrack ! --ctstate INVALID,UNTRACKED", false},
		{"conntrack", 3, conntrack(1|1<<13, 0, 8, 3), []netstate.FWMatch{{Field: netstate.FWCtState, Names: []string{"new"}}}, "-m state --state NEW", false},
		{"conntrack", 3, conntrack(1, 0, 64, 3), nil, "-m conntrack", true},  // XT_CONNTRACK_STATE_SNAT
		{"conntrack", 2, conntrack(1|2, 0, 8, 2), nil, "-m conntrack", true}, // and --ctproto
		{"conntrack", 0, conntrack(1, 0, 8, 3), nil, "-m conntrack", true},   // revision 0: another layout
	} {
		var e xtEntry
		e.match(c.name, c.rev, c.data, xtLE64)
		text := strings.Join(e.words, " ")
		if d := cmp.Diff(c.want, e.rule.Match); d != "" || text != c.text || e.rule.Opaque != c.opaque {
			t.Errorf("%s rev %d: %q opaque %v, want %q opaque %v; matches (-want +got):\n%s", c.name, c.rev, text, e.rule.Opaque, c.text, c.opaque, d)
		}
	}
}
