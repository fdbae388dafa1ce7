package firewall

import (
	"encoding/binary"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/google/go-cmp/cmp"
	"github.com/netguard/netguard/checks/netstate"
)

// wfpFixture is memory laid out as FwpmFilterEnum0 returns it, at made-up
// addresses.
type wfpFixture struct {
	ptr  int
	mem  map[uint64][]byte
	next uint64
}

func newWFPFixture(ptr int) *wfpFixture {
	return &wfpFixture{ptr: ptr, mem: map[uint64][]byte{}, next: 0x10000}
}

func (f *wfpFixture) alloc(b []byte) uint64 {
	a := f.next
	f.mem[a] = b
	f.next += uint64(len(b)+15)&^15 + 16
	return a
}

func (f *wfpFixture) read(addr uint64, n int) []byte {
	for base, b := range f.mem {
		if addr >= base && addr+uint64(n) <= base+uint64(len(b)) {
			return b[addr-base : addr-base+uint64(n)]
		}
	}
	return nil
}

func (f *wfpFixture) putPtr(b []byte, off int, v uint64) {
	if f.ptr == 4 {
		binary.LittleEndian.PutUint32(b[off:], uint32(v))
		return
	}
	binary.LittleEndian.PutUint64(b[off:], v)
}

func (f *wfpFixture) str(s string) uint64 {
	u := append(utf16.Encode([]rune(s)), 0)
	b := make([]byte, 2*len(u))
	for i, c := range u {
		binary.LittleEndian.PutUint16(b[2*i:], c)
	}
	return f.alloc(b)
}

func (f *wfpFixture) u64(v uint64) uint64 {
	return f.alloc(binary.LittleEndian.AppendUint64(nil, v))
}

// guidBytes encodes a GUID as Windows stores it: Data1-3 little-endian.
func guidBytes(s string) []byte {
	var h []byte
	for _, c := range strings.ReplaceAll(s, "-", "") {
		v := byte(strings.IndexRune("0123456789abcdef", c))
		h = append(h, v)
	}
	b := make([]byte, 16)
	for i := range b {
		b[i] = h[2*i]<<4 | h[2*i+1]
	}
	// Data1, Data2, Data3 are stored little-endian.
	b[0], b[1], b[2], b[3] = b[3], b[2], b[1], b[0]
	b[4], b[5] = b[5], b[4]
	b[6], b[7] = b[7], b[6]
	return b
}

// wfpCondSpec is one condition to encode: an inline value, or bytes
// behind a pointer.
type wfpCondSpec struct {
	field        string
	match, typ   uint32
	inline       uint64
	pointed      []byte
	pointedValue bool
}

type wfpFilterSpec struct {
	name, provider, layer, sub string
	flags, action              uint32
	weight                     uint64
	conds                      []wfpCondSpec
}

// filter encodes a FWPM_FILTER0 through the layout under test.
func (f *wfpFixture) filter(s wfpFilterSpec) uint64 {
	l := wfpLayout(f.ptr)
	b := make([]byte, l.size)
	le := binary.LittleEndian
	f.putPtr(b, l.name, f.str(s.name))
	le.PutUint32(b[l.flags:], s.flags)
	if s.provider != "" {
		f.putPtr(b, l.provider, f.alloc(guidBytes(s.provider)))
	}
	copy(b[l.layer:], guidBytes(s.layer))
	copy(b[l.subLayer:], guidBytes(s.sub))
	le.PutUint32(b[l.action:], s.action)
	le.PutUint32(b[l.effWeight:], wfpUint64)
	f.putPtr(b, l.effWeight+alignTo(4, f.ptr), f.u64(s.weight))
	le.PutUint32(b[l.numConds:], uint32(len(s.conds)))
	if len(s.conds) > 0 {
		cb := make([]byte, len(s.conds)*l.condSize)
		for i, c := range s.conds {
			e := cb[i*l.condSize:]
			copy(e, guidBytes(c.field))
			le.PutUint32(e[16:], c.match)
			le.PutUint32(e[l.condValue:], c.typ)
			u := l.condValue + alignTo(4, f.ptr)
			if c.pointedValue {
				f.putPtr(e, u, f.alloc(c.pointed))
			} else {
				le.PutUint32(e[u:], uint32(c.inline))
			}
		}
		f.putPtr(b, l.conds, f.alloc(cb))
	}
	return f.alloc(b)
}

// TestWFPLayout pins the offsets to the C ones (amd64/arm64 checked with
// offsetof against mingw-w64's fwpmtypes.h; 386 as wireguard-windows pins
// them).
func TestWFPLayout(t *testing.T) {
	for _, tc := range []struct {
		ptr  int
		want wfpFilterLayout
	}{
		{8, wfpFilterLayout{ptr: 8, name: 16, desc: 24, flags: 32, provider: 40, layer: 64, subLayer: 80, numConds: 112, conds: 120, action: 128, effWeight: 184, size: 200, condSize: 40, condValue: 24}},
		{4, wfpFilterLayout{ptr: 4, name: 16, desc: 20, flags: 24, provider: 28, layer: 40, subLayer: 56, numConds: 80, conds: 84, action: 88, effWeight: 144, size: 152, condSize: 28, condValue: 20}},
	} {
		if got := wfpLayout(tc.ptr); got != tc.want {
			t.Errorf("wfpLayout(%d) = %+v, want %+v", tc.ptr, got, tc.want)
		}
	}
}

const (
	testWGProvider = "e1d4b7a0-1f3c-4c6d-9b42-0a1b2c3d4e5f"
	testWGSublayer = "5a0b3c1d-7e2f-4a6b-8c9d-0e1f2a3b4c5d"
)

// TestDecodeWFPFilterByHand decodes a FWPM_FILTER0 written byte by byte
// from fwpmtypes.h for amd64, not through the layout under test.
func TestDecodeWFPFilterByHand(t *testing.T) {
	f := newWFPFixture(8)
	le := binary.LittleEndian
	b := make([]byte, 200)
	f.putPtr(b, 16, f.str("Block all traffic")) // displayData.name
	// 24: displayData.description NULL; 32: flags 0
	f.putPtr(b, 40, f.alloc(guidBytes(testWGProvider))) // providerKey
	copy(b[64:], guidBytes(wfpLayerConnectV4))          // layerKey
	copy(b[80:], guidBytes(testWGSublayer))             // subLayerKey
	le.PutUint32(b[112:], 1)                            // numFilterConditions
	le.PutUint32(b[128:], wfpActionBlock)               // action.type
	le.PutUint32(b[184:], wfpUint64)                    // effectiveWeight.type
	f.putPtr(b, 192, f.u64(0x0000_0000_0000_0007))      // effectiveWeight.uint64
	cond := make([]byte, 40)                            // FWPM_FILTER_CONDITION0
	copy(cond, guidBytes(wfpCondRemotePort))            // fieldKey
	le.PutUint32(cond[16:], wfpMatchEqual)              // matchType
	le.PutUint32(cond[24:], wfpUint16)                  // conditionValue.type
	le.PutUint16(cond[32:], 443)                        // conditionValue.uint16
	f.putPtr(b, 120, f.alloc(cond))                     // filterCondition
	got, err := decodeWFPFilter(f.read, f.alloc(b), wfpLayout(8))
	if err != nil {
		t.Fatal(err)
	}
	want := wfpFilter{
		Name: "Block all traffic", Provider: testWGProvider, Layer: wfpLayerConnectV4, SubLayer: testWGSublayer,
		Action: wfpActionBlock, Weight: 7,
		Conds: []wfpCond{{Field: wfpCondRemotePort, Match: wfpMatchEqual, Type: wfpUint16, Known: true, Uint: 443}},
	}
	if d := cmp.Diff(want, got, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); d != "" {
		t.Errorf("filter (-want +got):\n%s", d)
	}
}

// wireGuardKillSwitch is what WireGuard for Windows adds with
// blockUntunneledTraffic, plus a DNS permit and filters the model skips.
func wireGuardKillSwitch() []wfpFilterSpec {
	v4mask := binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(nil, 0x0a400000), 0xffff0000)
	return []wfpFilterSpec{
		{name: "Block all traffic", provider: testWGProvider, layer: wfpLayerConnectV4, sub: testWGSublayer, action: wfpActionBlock, weight: 0},
		{name: "Permit outbound IPv4 traffic on TUN", provider: testWGProvider, layer: wfpLayerConnectV4, sub: testWGSublayer, action: wfpActionPermit, weight: 12,
			conds: []wfpCondSpec{{field: wfpCondLocalInterface, match: wfpMatchEqual, typ: wfpUint64, pointed: binary.LittleEndian.AppendUint64(nil, 0x1234), pointedValue: true}}},
		{name: "Permit unrestricted outbound traffic for WireGuard service (IPv4)", provider: testWGProvider, layer: wfpLayerConnectV4, sub: testWGSublayer, action: wfpActionPermit, weight: 12, flags: wfpFilterFlagClearActionRight,
			conds: []wfpCondSpec{{field: "d78e1e87-8644-4ea5-9437-d809ecefc971", match: wfpMatchEqual, typ: 12, pointed: []byte{4, 0, 0, 0}, pointedValue: true}}},
		{name: "Permit DNS", provider: testWGProvider, layer: wfpLayerConnectV4, sub: testWGSublayer, action: wfpActionPermit, weight: 10,
			conds: []wfpCondSpec{
				{field: wfpCondProtocol, match: wfpMatchEqual, typ: wfpUint8, inline: 17},
				{field: wfpCondRemotePort, match: wfpMatchEqual, typ: wfpUint16, inline: 53},
				{field: wfpCondRemoteAddress, match: wfpMatchEqual, typ: wfpUint32, inline: 0x0a400001},
				{field: wfpCondRemoteAddress, match: wfpMatchEqual, typ: wfpV4AddrMask, pointed: v4mask, pointedValue: true},
			}},
		// Windows Firewall's own filter: read from the policy store instead.
		{name: "Block outbound default rule", provider: "decc16ca-3f33-4346-be1e-8fb4ae0f3d62", layer: wfpLayerConnectV4, sub: "b3cdd441-af90-41ba-a745-7c6008ff2301", action: wfpActionBlock},
		// A sublayer with permits only decides nothing the model needs.
		{name: "Permit all", layer: wfpLayerConnectV4, sub: "11111111-2222-3333-4444-555555555555", action: wfpActionPermit},
	}
}

// TestWFPChains decodes a WireGuard kill switch for both pointer sizes and
// maps it: the tunnel permit names the interface, the service's hard
// permit is not modelled, and the block-all comes last by weight.
func TestWFPChains(t *testing.T) {
	for _, ptr := range []int{8, 4} {
		f := newWFPFixture(ptr)
		var filters []wfpFilter
		for _, s := range wireGuardKillSwitch() {
			d, err := decodeWFPFilter(f.read, f.filter(s), wfpLayout(ptr))
			if err != nil {
				t.Fatalf("ptr %d: %v", ptr, err)
			}
			filters = append(filters, d)
		}
		ifName := func(luid uint64) string {
			if luid == 0x1234 {
				return "wg0"
			}
			return ""
		}
		got := wfpChains(filters, map[string]string{testWGProvider: "WireGuard"}, ifName)
		want := []netstate.FWChain{{Table: WFPTable, Name: "WireGuard sublayer", Hook: "output", Policy: netstate.FWAccept, Rules: []netstate.FWRule{
			{Verdict: netstate.FWAccept, Text: `"Permit outbound IPv4 traffic on TUN" of WireGuard: permit through wg0`,
				Match: []netstate.FWMatch{{Field: netstate.FWOIfName, Names: []string{"wg0"}}}},
			{Verdict: netstate.FWAccept, Opaque: true, Text: `"Permit unrestricted outbound traffic for WireGuard service (IPv4)" of WireGuard: permit (hard permit) (and conditions not modelled)`},
			{Verdict: netstate.FWAccept, Text: `"Permit DNS" of WireGuard: permit udp port 53 to 10.64.0.1/32, to 10.64.0.0/16`, Match: []netstate.FWMatch{
				{Field: netstate.FWL4Proto, Protos: []uint8{17}},
				{Field: netstate.FWDPort, Ports: []netstate.PortRange{{Lo: 53, Hi: 53}}},
				{Field: netstate.FWDAddr, Prefixes: []netip.Prefix{netip.MustParsePrefix("10.64.0.1/32"), netip.MustParsePrefix("10.64.0.0/16")}},
			}},
			{Verdict: netstate.FWDrop, Text: `"Block all traffic" of WireGuard: block all`},
		}}}
		if d := cmp.Diff(want, got, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); d != "" {
			t.Errorf("ptr %d: chains (-want +got):\n%s", ptr, d)
		}
	}
}

// TestDecodeWFPProvider decodes a FWPM_PROVIDER0 written by hand for
// both pointer sizes: the key, then displayData.name at 16.
func TestDecodeWFPProvider(t *testing.T) {
	for _, ptr := range []int{8, 4} {
		f := newWFPFixture(ptr)
		b := make([]byte, 16+4*ptr+8)
		copy(b, guidBytes(testWGProvider))  // providerKey
		f.putPtr(b, 16, f.str("WireGuard")) // displayData.name
		key, name, err := decodeWFPProvider(f.read, f.alloc(b), wfpLayout(ptr))
		if err != nil || key != testWGProvider || name != "WireGuard" {
			t.Errorf("ptr %d: %q %q %v", ptr, key, name, err)
		}
	}
	if _, _, err := decodeWFPProvider(newWFPFixture(8).read, 0x42, wfpLayout(8)); err == nil {
		t.Error("unreadable provider: no error")
	}
}

// TestDecodeWFPFilterBad: an unreadable filter, a count of conditions no
// engine accepts, and unreadable conditions are errors, never a panic.
func TestDecodeWFPFilterBad(t *testing.T) {
	l := wfpLayout(8)
	f := newWFPFixture(8)
	if _, err := decodeWFPFilter(f.read, 0x999999, l); err == nil {
		t.Error("unreadable filter: no error")
	}
	b := make([]byte, l.size)
	binary.LittleEndian.PutUint32(b[l.numConds:], 1<<20)
	if _, err := decodeWFPFilter(f.read, f.alloc(b), l); err == nil {
		t.Error("a million conditions: no error")
	}
	b = make([]byte, l.size)
	binary.LittleEndian.PutUint32(b[l.numConds:], 2)
	f.putPtr(b, l.conds, 0x888888)
	if _, err := decodeWFPFilter(f.read, f.alloc(b), l); err == nil {
		t.Error("conditions unreadable: no error")
	}
}

// FuzzDecodeWFPFilter feeds arbitrary bytes as a filter and as the memory
// its pointers lead to.
func FuzzDecodeWFPFilter(f *testing.F) {
	fx := newWFPFixture(8)
	for _, s := range wireGuardKillSwitch() {
		a := fx.filter(s)
		f.Add(fx.mem[a], uint8(8))
	}
	f.Fuzz(func(t *testing.T, b []byte, ptr uint8) {
		p := 8
		if ptr%2 == 1 {
			p = 4
		}
		l := wfpLayout(p)
		// Every pointer leads back into the same bytes, wherever it points.
		mem := func(addr uint64, n int) []byte {
			if addr == 0 || n > len(b) {
				return nil
			}
			off := int(addr % uint64(len(b)-n+1))
			return b[off : off+n]
		}
		if len(b) < l.size {
			return
		}
		fl, err := decodeWFPFilter(mem, 1, l)
		if err == nil {
			wfpChains([]wfpFilter{fl}, nil, func(uint64) string { return "x" })
		}
	})
}

// TestWFPChainsHardPermitFirst: a sublayer with a hard permit comes first,
// so that the doubt its permit casts reaches every block after it.
func TestWFPChainsHardPermitFirst(t *testing.T) {
	filters := []wfpFilter{
		{Name: "Block all", Provider: "p1", Layer: wfpLayerConnectV4, SubLayer: "s1", Action: wfpActionBlock},
		{Name: "Block all", Provider: "p2", Layer: wfpLayerConnectV4, SubLayer: "s2", Action: wfpActionBlock},
		{Name: "Permit the service", Provider: "p2", Layer: wfpLayerConnectV6, SubLayer: "s2", Action: wfpActionPermit, Flags: wfpFilterFlagClearActionRight, Weight: 9},
		{Name: "Disabled", Provider: "p3", Layer: wfpLayerConnectV4, SubLayer: "s3", Action: wfpActionBlock, Flags: wfpFilterFlagDisabled},
	}
	got := wfpChains(filters, map[string]string{"p1": "First", "p2": "Second"}, nil)
	var names []string
	for _, c := range got {
		names = append(names, c.Name)
	}
	if want := []string{"Second sublayer", "First sublayer"}; !slices.Equal(names, want) {
		t.Errorf("chains %q, want %q", names, want)
	}
}
