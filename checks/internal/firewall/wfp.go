package firewall

// Decoding of the Windows Filtering Platform's filters (fwpmtypes.h,
// fwptypes.h) as FwpmFilterEnum0 returns them, and their mapping to the
// firewall model. This file has no build tag on purpose: the decoder reads
// through a memory accessor with the pointer size as a parameter, so the
// parser tests run on any OS with hand-built bytes; only the calls live in
// wfp_windows.go.
//
// Layouts pinned to fwpmtypes.h/fwptypes.h as mingw-w64 10.0.0 ships them
// (the same declarations as the Windows SDK's): FWPM_FILTER0 is 200 bytes
// on amd64 and arm64 (checked with offsetof against that header) and 152
// on 386, where MSVC aligns the UINT64 members to 8 (wireguard-windows
// pins the same 386 offsets in tunnel/firewall/types_windows_386.go).

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"unicode/utf16"

	"github.com/netguard/netguard/checks/netstate"
)

// wfpMem reads n bytes at addr in the memory the enumeration returned; nil
// when addr is 0 or the bytes cannot be read.
type wfpMem func(addr uint64, n int) []byte

// WFP constants (fwptypes.h, fwpmtypes.h).
const (
	wfpActionBlock              = 0x1001 // FWP_ACTION_BLOCK
	wfpActionPermit             = 0x1002 // FWP_ACTION_PERMIT
	wfpActionCalloutTerminating = 0x5003 // FWP_ACTION_CALLOUT_TERMINATING
	wfpActionCalloutUnknown     = 0x4005 // FWP_ACTION_CALLOUT_UNKNOWN

	wfpFilterFlagClearActionRight = 0x08 // FWPM_FILTER_FLAG_CLEAR_ACTION_RIGHT: a hard permit
	wfpFilterFlagDisabled         = 0x20 // FWPM_FILTER_FLAG_DISABLED

	// FWP_DATA_TYPE
	wfpUint8       = 1
	wfpUint16      = 2
	wfpUint32      = 3
	wfpUint64      = 4
	wfpByteArray16 = 11
	wfpV4AddrMask  = 0x100
	wfpV6AddrMask  = 0x101
	wfpRange       = 0x102

	// FWP_MATCH_TYPE
	wfpMatchEqual    = 0
	wfpMatchRange    = 5
	wfpMatchNotEqual = 10

	// wfpMaxConditions bounds a filter's conditions: the engine accepts
	// far fewer, so more is a misread.
	wfpMaxConditions = 256
)

// Condition fields (fwpmu.h) the model reads.
const (
	wfpCondRemoteAddress  = "b235ae9a-1d64-49b8-a44c-5ff3d9095045" // FWPM_CONDITION_IP_REMOTE_ADDRESS
	wfpCondRemotePort     = "c35a604d-d22b-4e1a-91b4-68f674ee674b" // FWPM_CONDITION_IP_REMOTE_PORT
	wfpCondProtocol       = "3971ef2b-623e-4f9a-8cb1-6e79b806b9a7" // FWPM_CONDITION_IP_PROTOCOL
	wfpCondLocalInterface = "4cd62a49-59c3-4969-b7f3-bda5d32890a4" // FWPM_CONDITION_IP_LOCAL_INTERFACE (a LUID)
)

// The layers a connection the start opens is authorized at (fwpmu.h).
const (
	wfpLayerConnectV4 = "c38d57d1-05a7-4c33-904f-7fbceee60e82" // FWPM_LAYER_ALE_AUTH_CONNECT_V4
	wfpLayerConnectV6 = "4a72393b-319f-44bc-84c3-ba54dcb3b6b4" // FWPM_LAYER_ALE_AUTH_CONNECT_V6
)

// wfpBuiltinProviders are Windows' own providers (fwpmu.h FWPM_PROVIDER_*):
// Windows Firewall's rules are read from the policy store, where they
// carry names and profiles; its service-hardening, app-isolation,
// data-protection and tenant-restriction filters are per service or app;
// the IPsec and TCP providers are no kill switch. Their filters are not
// read.
var wfpBuiltinProviders = []string{
	"decc16ca-3f33-4346-be1e-8fb4ae0f3d62", // MPSSVC_WF
	"4b153735-1049-4480-aab4-d1b9bdc03710", // MPSSVC_WSH
	"3cc2631f-2d5d-43a0-b174-614837d863a1", // MPSSVC_APP_ISOLATION
	"a90296f7-46b8-4457-8f84-b05e05d3c622", // MPSSVC_EDP
	"d0718ff9-44da-4f50-9dc2-c963a4247613", // MPSSVC_TENANT_RESTRICTIONS
	"10ad9216-ccde-456c-8b16-e9f04e60a90b", // IKEEXT
	"3c6c05a9-c05c-4bb9-8338-2327814ce8bf", // IPSEC_DOSP_CONFIG
	"896aa19e-9a34-4bcb-ae79-beb9127c84b9", // TCP_CHIMNEY_OFFLOAD
	"76cfcd30-3394-432d-bed3-441ae50e63c3", // TCP_TEMPLATES
}

// wfpFilterLayout locates FWPM_FILTER0's members for a pointer size.
type wfpFilterLayout struct {
	ptr                                                           int
	name, desc, flags, provider, layer, subLayer, numConds, conds int
	action, effWeight, size                                       int
	condSize, condValue                                           int
}

func alignTo(off, a int) int { return (off + a - 1) / a * a }

// wfpLayout computes the offsets from the C declarations: a GUID is 16
// bytes aligned to 4; FWP_VALUE0 and FWP_CONDITION_VALUE0 are a UINT32
// type and a pointer-sized union; the anonymous union after action holds
// a UINT64, so it and filterId align to 8 on every architecture.
func wfpLayout(ptr int) wfpFilterLayout {
	l := wfpFilterLayout{ptr: ptr}
	value := alignTo(4, ptr) + ptr // FWP_VALUE0
	off := 16                      // filterKey
	l.name, l.desc = off, off+ptr  // displayData
	off += 2 * ptr
	l.flags = off
	off = alignTo(off+4, ptr)
	l.provider = off
	off += ptr
	off += alignTo(4, ptr) + ptr // providerData: FWP_BYTE_BLOB
	l.layer = off
	l.subLayer = off + 16
	off += 32
	off = alignTo(off, ptr) + value // weight
	l.numConds = off
	off = alignTo(off+4, ptr)
	l.conds = off
	off += ptr
	l.action = off
	off = alignTo(off+20, 8) + 16 // FWPM_ACTION0, then the rawContext/providerContextKey union
	off += ptr                    // reserved
	off = alignTo(off, 8) + 8     // filterId
	l.effWeight = off
	off += value
	l.size = alignTo(off, 8)
	l.condValue = alignTo(16+4, ptr)
	l.condSize = alignTo(l.condValue+value, ptr)
	return l
}

// wfpFilter is one decoded FWPM_FILTER0.
type wfpFilter struct {
	Name, Description string
	Flags             uint32
	Provider          string // the provider's key, "" when none
	Layer, SubLayer   string
	Action            uint32
	Weight            uint64 // effectiveWeight
	Conds             []wfpCond
}

// wfpCond is one decoded FWPM_FILTER_CONDITION0; Known is false for a
// value type the decoder does not read.
type wfpCond struct {
	Field  string
	Match  uint32
	Type   uint32
	Known  bool
	Uint   uint64       // UINT8 … UINT64
	Prefix netip.Prefix // an address or address and mask
	Lo, Hi uint64       // a range of integers
}

// wfpGUID renders a GUID as its registry form, lower case.
func wfpGUID(b []byte) string {
	if len(b) < 16 {
		return ""
	}
	le := binary.LittleEndian
	return fmt.Sprintf("%08x-%04x-%04x-%x-%x", le.Uint32(b), le.Uint16(b[4:]), le.Uint16(b[6:]), b[8:10], b[10:16])
}

// wfpPtr reads a pointer of l.ptr bytes.
func (l wfpFilterLayout) wfpPtr(b []byte) uint64 {
	if l.ptr == 4 {
		return uint64(binary.LittleEndian.Uint32(b))
	}
	return binary.LittleEndian.Uint64(b)
}

// wfpString reads a NUL-terminated UTF-16 string, at most 512 units.
func wfpString(mem wfpMem, addr uint64) string {
	if addr == 0 {
		return ""
	}
	var units []uint16
	for i := 0; i < 512; i++ {
		b := mem(addr+uint64(2*i), 2)
		if b == nil {
			break
		}
		u := binary.LittleEndian.Uint16(b)
		if u == 0 {
			break
		}
		units = append(units, u)
	}
	return string(utf16.Decode(units))
}

// decodeWFPFilter decodes the FWPM_FILTER0 at addr.
func decodeWFPFilter(mem wfpMem, addr uint64, l wfpFilterLayout) (wfpFilter, error) {
	b := mem(addr, l.size)
	if b == nil {
		return wfpFilter{}, fmt.Errorf("filter at %#x: unreadable", addr)
	}
	le := binary.LittleEndian
	f := wfpFilter{
		Name:        wfpString(mem, l.wfpPtr(b[l.name:])),
		Description: wfpString(mem, l.wfpPtr(b[l.desc:])),
		Flags:       le.Uint32(b[l.flags:]),
		Layer:       wfpGUID(b[l.layer:]),
		SubLayer:    wfpGUID(b[l.subLayer:]),
		Action:      le.Uint32(b[l.action:]),
	}
	if p := l.wfpPtr(b[l.provider:]); p != 0 {
		f.Provider = wfpGUID(mem(p, 16))
	}
	// effectiveWeight is FWP_UINT64: a pointer to the value.
	if le.Uint32(b[l.effWeight:]) == wfpUint64 {
		if w := mem(l.wfpPtr(b[l.effWeight+alignTo(4, l.ptr):]), 8); w != nil {
			f.Weight = le.Uint64(w)
		}
	}
	n := int(le.Uint32(b[l.numConds:]))
	if n > wfpMaxConditions {
		return f, fmt.Errorf("filter %q: %d conditions", f.Name, n)
	}
	if n == 0 {
		return f, nil
	}
	cb := mem(l.wfpPtr(b[l.conds:]), n*l.condSize)
	if cb == nil {
		return f, fmt.Errorf("filter %q: conditions unreadable", f.Name)
	}
	for i := range n {
		f.Conds = append(f.Conds, decodeWFPCond(mem, cb[i*l.condSize:(i+1)*l.condSize], l))
	}
	return f, nil
}

// decodeWFPProvider decodes the FWPM_PROVIDER0 at addr: its key and
// display name (displayData.name follows the 16-byte key on every
// architecture, a GUID being a multiple of either pointer size).
func decodeWFPProvider(mem wfpMem, addr uint64, l wfpFilterLayout) (key, name string, err error) {
	b := mem(addr, 16+l.ptr)
	if b == nil {
		return "", "", fmt.Errorf("provider at %#x: unreadable", addr)
	}
	return wfpGUID(b), wfpString(mem, l.wfpPtr(b[16:])), nil
}

// decodeWFPCond decodes one condition; its value is a FWP_CONDITION_VALUE0:
// small integers inline in the union, everything else behind a pointer.
func decodeWFPCond(mem wfpMem, b []byte, l wfpFilterLayout) wfpCond {
	le := binary.LittleEndian
	c := wfpCond{Field: wfpGUID(b), Match: le.Uint32(b[16:]), Type: le.Uint32(b[l.condValue:])}
	u := b[l.condValue+alignTo(4, l.ptr):]
	c.Known = true
	switch c.Type {
	case wfpUint8:
		c.Uint = uint64(u[0])
	case wfpUint16:
		c.Uint = uint64(le.Uint16(u))
	case wfpUint32:
		c.Uint = uint64(le.Uint32(u))
	case wfpUint64:
		v := mem(l.wfpPtr(u), 8)
		if v == nil {
			c.Known = false
			break
		}
		c.Uint = le.Uint64(v)
	case wfpByteArray16:
		v := mem(l.wfpPtr(u), 16)
		if v == nil {
			c.Known = false
			break
		}
		c.Prefix = netip.PrefixFrom(netip.AddrFrom16([16]byte(v)), 128)
	case wfpV4AddrMask:
		// FWP_V4_ADDR_AND_MASK: addr and mask in host order.
		v := mem(l.wfpPtr(u), 8)
		if v == nil {
			c.Known = false
			break
		}
		var a [4]byte
		binary.BigEndian.PutUint32(a[:], le.Uint32(v))
		bits := 0
		for m := le.Uint32(v[4:]); m&0x80000000 != 0; m <<= 1 {
			bits++
		}
		c.Prefix = netip.PrefixFrom(netip.AddrFrom4(a), bits).Masked()
	case wfpV6AddrMask:
		v := mem(l.wfpPtr(u), 17)
		if v == nil || v[16] > 128 {
			c.Known = false
			break
		}
		c.Prefix = netip.PrefixFrom(netip.AddrFrom16([16]byte(v[:16])), int(v[16])).Masked()
	case wfpRange:
		// FWP_RANGE0: two FWP_VALUE0; only integer bounds are read.
		vs := alignTo(4, l.ptr) + l.ptr
		v := mem(l.wfpPtr(u), 2*vs)
		if v == nil {
			c.Known = false
			break
		}
		lo, okLo := wfpSmallValue(v[:vs], l)
		hi, okHi := wfpSmallValue(v[vs:], l)
		c.Lo, c.Hi, c.Known = lo, hi, okLo && okHi
	default:
		c.Known = false
	}
	return c
}

// wfpSmallValue reads an inline FWP_VALUE0 of UINT8, UINT16 or UINT32.
func wfpSmallValue(b []byte, l wfpFilterLayout) (uint64, bool) {
	le := binary.LittleEndian
	u := b[alignTo(4, l.ptr):]
	switch le.Uint32(b) {
	case wfpUint8:
		return uint64(u[0]), true
	case wfpUint16:
		return uint64(le.Uint16(u)), true
	case wfpUint32:
		return uint64(le.Uint32(u)), true
	}
	return 0, false
}

// WFPTable names the Windows Filtering Platform's filters in evidence.
const WFPTable = "WFP"

// wfpChains maps the filters at the connect layers to the firewall model:
// one chain per sublayer that holds a block filter (a kill switch, a VPN's
// leak protection, an agent's policy), its permit filters with it, in
// weight order (the engine runs a sublayer's filters from the highest
// weight down, and the first permit or block decides that sublayer; a
// block in any sublayer wins). providers names the providers by key;
// ifName names an interface by LUID ("" when it cannot tell, which leaves
// the filter opaque). Windows' own providers' filters are left out
// (wfpBuiltinProviders).
//
// What the model cannot tell makes a filter Opaque: an application, a
// user, a local address or port, flags; a callout, which decides in code;
// and a hard permit (FWPM_FILTER_FLAG_CLEAR_ACTION_RIGHT), which a block
// in a lower sublayer cannot override, so a block elsewhere is unsure
// wherever it may match. Chains with hard permits come first, so that
// their doubt reaches every block after them.
func wfpChains(filters []wfpFilter, providers map[string]string, ifName func(luid uint64) string) []netstate.FWChain {
	bySub := map[string][]wfpFilter{}
	var order []string
	for _, f := range filters {
		if f.Flags&wfpFilterFlagDisabled != 0 || slices.Contains(wfpBuiltinProviders, f.Provider) {
			continue
		}
		if f.Layer != wfpLayerConnectV4 && f.Layer != wfpLayerConnectV6 {
			continue
		}
		if _, ok := bySub[f.SubLayer]; !ok {
			order = append(order, f.SubLayer)
		}
		bySub[f.SubLayer] = append(bySub[f.SubLayer], f)
	}
	var chains, hardChains []netstate.FWChain
	for _, sub := range order {
		fs := bySub[sub]
		if !slices.ContainsFunc(fs, func(f wfpFilter) bool { return f.Action == wfpActionBlock }) {
			continue
		}
		hard := slices.ContainsFunc(fs, wfpHardPermit)
		slices.SortStableFunc(fs, func(a, b wfpFilter) int {
			switch {
			case a.Weight > b.Weight:
				return -1
			case a.Weight < b.Weight:
				return 1
			}
			return 0
		})
		c := netstate.FWChain{Table: WFPTable, Name: "sublayer " + sub, Hook: "output", Policy: netstate.FWAccept}
		owner := ""
		for _, f := range fs {
			r, ok := wfpRule(f, ifName)
			if !ok {
				continue
			}
			prov := providers[f.Provider]
			if prov == "" {
				prov = f.Provider
			}
			if prov != "" {
				r.Text = fmt.Sprintf("%q of %s: %s", f.Name, prov, r.Text)
				if owner == "" {
					owner = prov
				}
			} else {
				r.Text = fmt.Sprintf("%q: %s", f.Name, r.Text)
			}
			c.Rules = append(c.Rules, r)
		}
		if owner != "" {
			c.Name = owner + " sublayer"
		}
		if hard {
			hardChains = append(hardChains, c)
		} else {
			chains = append(chains, c)
		}
	}
	return append(hardChains, chains...)
}

// wfpHardPermit reports whether f is a hard permit: one a block in a lower
// sublayer cannot override.
func wfpHardPermit(f wfpFilter) bool {
	return f.Action == wfpActionPermit && f.Flags&wfpFilterFlagClearActionRight != 0
}

// wfpRule maps one filter; ok is false for an action that decides nothing
// (an inspection callout, continue).
func wfpRule(f wfpFilter, ifName func(uint64) string) (r netstate.FWRule, ok bool) {
	switch f.Action {
	case wfpActionBlock:
		r.Verdict = netstate.FWDrop
	case wfpActionPermit:
		r.Verdict = netstate.FWAccept
	case wfpActionCalloutTerminating, wfpActionCalloutUnknown:
		// Decided in a driver's code: it may permit.
		r.Verdict, r.Opaque = netstate.FWAccept, true
	default:
		return r, false
	}
	hard := wfpHardPermit(f)
	if hard {
		r.Opaque = true
	}
	// Conditions on the same field are alternatives, different fields
	// must all hold.
	for _, c := range f.Conds {
		m, good := wfpMatch(c, ifName)
		if !good {
			r.Opaque = true
			continue
		}
		if i := slices.IndexFunc(r.Match, func(x netstate.FWMatch) bool { return x.Field == m.Field }); i >= 0 {
			x := &r.Match[i]
			if x.Neg || m.Neg {
				r.Opaque = true // an alternative of negations: not modelled
				continue
			}
			x.Protos = append(x.Protos, m.Protos...)
			x.Ports = append(x.Ports, m.Ports...)
			x.Prefixes = append(x.Prefixes, m.Prefixes...)
			x.Names = append(x.Names, m.Names...)
			continue
		}
		r.Match = append(r.Match, m)
	}
	words := []string{"block"}
	if r.Verdict == netstate.FWAccept {
		words[0] = "permit"
	}
	for _, m := range r.Match {
		w := matchWords(m)
		if m.Field == netstate.FWOIfName {
			w = "through " + strings.Join(m.Names, ", ")
		}
		if m.Neg {
			w = "not " + w
		}
		words = append(words, w)
	}
	if len(r.Match) == 0 && !r.Opaque {
		words = append(words, "all")
	}
	if hard {
		words = append(words, "(hard permit)")
	}
	if r.Opaque {
		words = append(words, "(and conditions not modelled)")
	}
	r.Text = strings.Join(words, " ")
	return r, true
}

// wfpMatch maps one condition the model reads; good is false otherwise.
func wfpMatch(c wfpCond, ifName func(uint64) string) (m netstate.FWMatch, good bool) {
	if !c.Known {
		return m, false
	}
	switch c.Match {
	case wfpMatchEqual:
	case wfpMatchNotEqual:
		m.Neg = true
	case wfpMatchRange:
		if c.Type != wfpRange {
			return m, false
		}
	default:
		return m, false
	}
	switch c.Field {
	case wfpCondProtocol:
		if c.Type != wfpUint8 {
			return m, false
		}
		m.Field, m.Protos = netstate.FWL4Proto, []uint8{uint8(c.Uint)}
	case wfpCondRemotePort:
		m.Field = netstate.FWDPort
		switch {
		case c.Type == wfpUint16:
			m.Ports = []netstate.PortRange{{Lo: uint16(c.Uint), Hi: uint16(c.Uint)}}
		case c.Type == wfpRange && c.Lo <= c.Hi && c.Hi <= 0xffff:
			m.Ports = []netstate.PortRange{{Lo: uint16(c.Lo), Hi: uint16(c.Hi)}}
		default:
			return m, false
		}
	case wfpCondRemoteAddress:
		m.Field = netstate.FWDAddr
		switch c.Type {
		case wfpUint32:
			// An IPv4 address in host order.
			var a [4]byte
			binary.BigEndian.PutUint32(a[:], uint32(c.Uint))
			m.Prefixes = []netip.Prefix{netip.PrefixFrom(netip.AddrFrom4(a), 32)}
		case wfpByteArray16, wfpV4AddrMask, wfpV6AddrMask:
			m.Prefixes = []netip.Prefix{c.Prefix}
		default:
			return m, false
		}
	case wfpCondLocalInterface:
		name := ""
		if c.Type == wfpUint64 && ifName != nil {
			name = ifName(c.Uint)
		}
		if name == "" {
			return m, false
		}
		m.Field, m.Names = netstate.FWOIfName, []string{name}
	default:
		return m, false
	}
	return m, true
}
