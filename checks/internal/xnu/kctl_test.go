package xnu

import (
	"encoding/binary"
	"errors"
	"reflect"
	"testing"
)

// kctlItem is an item of n bytes with {len, kind} written and the given
// u32 fields at their offsets, the rest zero as the kernel's bzero leaves
// it.
func kctlItem(n, kind int, u32 map[int]uint32) []byte {
	b := make([]byte, n)
	binary.LittleEndian.PutUint32(b[0:], uint32(n))
	binary.LittleEndian.PutUint32(b[4:], uint32(kind))
	for off, v := range u32 {
		binary.LittleEndian.PutUint32(b[off:], v)
	}
	return b
}

// kctlGen is a struct xsystmgen: xg_len 32 at 0, bytes 4-7 padding,
// xg_count at 8, xg_gen at 16, xg_sogen at 24.
func kctlGen(count, sogen uint64) []byte {
	b := make([]byte, SizeofXsystmgen)
	binary.LittleEndian.PutUint32(b[0:], SizeofXsystmgen)
	binary.LittleEndian.PutUint64(b[8:], count)
	binary.LittleEndian.PutUint64(b[16:], 7)
	binary.LittleEndian.PutUint64(b[24:], sogen)
	return b
}

// kctlRecord is one socket as kctl_pcblist writes it: xkctlpcb (128),
// xsocket_n (104), xsockbuf_n (32) twice, xsockstat_n (8 + 4 struct
// data_stats of 32 = 136), each already a multiple of 8.
func kctlRecord(control string, unit, uid, lastPID, ePID uint32, gencnt uint64) []byte {
	kcb := kctlItem(SizeofXkctlpcb, XSOKCB, map[int]uint32{
		16: unit, // xkp_unit
		20: 3,    // xkp_kctlid
	})
	copy(kcb[32:], control) // xkp_kctlname
	so := kctlItem(SizeofXsocketN, XSOSocket, map[int]uint32{
		16: 2,       // so_type SOCK_DGRAM (a short; the u32 write spills into padding)
		36: 2,       // xso_protocol SYSPROTO_CONTROL
		40: 32,      // xso_family AF_SYSTEM
		64: uid,     // so_uid
		68: lastPID, // so_last_pid
		72: ePID,    // so_e_pid
	})
	binary.LittleEndian.PutUint64(so[76:], gencnt) // so_gencnt
	var b []byte
	b = append(b, kcb...)
	b = append(b, so...)
	b = append(b, kctlItem(32, XSORcvBuf, nil)...)
	b = append(b, kctlItem(32, XSOSndBuf, nil)...)
	b = append(b, kctlItem(136, XSOStats, nil)...)
	return b
}

// TestParseKctlPcblistHandWritten reads a list written byte by byte from
// the xnu-11417.121.6 headers: one utun socket, offsets as commented.
func TestParseKctlPcblistHandWritten(t *testing.T) {
	b := make([]byte, 0, 512)
	// xsystmgen: len 32, pad, count 1, gen 7, sogen 100.
	b = append(b, 32, 0, 0, 0, 0, 0, 0, 0)
	b = append(b, 1, 0, 0, 0, 0, 0, 0, 0)
	b = append(b, 7, 0, 0, 0, 0, 0, 0, 0)
	b = append(b, 100, 0, 0, 0, 0, 0, 0, 0)
	// xkctlpcb at 32: len 128, kind 0x80, kctpcb, unit 5 (utun4), kctlid 3, kctlref, name.
	kcb := make([]byte, 128)
	copy(kcb[0:], []byte{128, 0, 0, 0, 0x80, 0, 0, 0})
	copy(kcb[8:], []byte{0xaa, 0xbb, 0xcc, 0xdd, 0, 0, 0, 0}) // xkp_kctpcb (a hash)
	copy(kcb[16:], []byte{5, 0, 0, 0, 3, 0, 0, 0})            // xkp_unit, xkp_kctlid
	copy(kcb[32:], "com.apple.net.utun_control")              // xkp_kctlname[96]
	b = append(b, kcb...)
	// xsocket_n at 160: len 104, kind 1; so_uid 0 at +64, so_last_pid 812 at +68, so_e_pid 0 at +72, so_gencnt 99 at +76.
	so := make([]byte, 104)
	copy(so[0:], []byte{104, 0, 0, 0, 1, 0, 0, 0})
	copy(so[64:], []byte{0, 0, 0, 0, 0x2c, 0x03, 0, 0, 0, 0, 0, 0, 99, 0, 0, 0, 0, 0, 0, 0})
	b = append(b, so...)
	// two xsockbuf_n (32, kinds 2 and 4), one xsockstat_n (136, kind 8).
	b = append(b, 32, 0, 0, 0, 2, 0, 0, 0)
	b = append(b, make([]byte, 24)...)
	b = append(b, 32, 0, 0, 0, 4, 0, 0, 0)
	b = append(b, make([]byte, 24)...)
	b = append(b, 136, 0, 0, 0, 8, 0, 0, 0)
	b = append(b, make([]byte, 128)...)
	// closing xsystmgen: len 32, kind word 0.
	b = append(b, 32, 0, 0, 0, 0, 0, 0, 0)
	b = append(b, make([]byte, 24)...)

	got, err := ParseKctlPcblist(b)
	if err != nil {
		t.Fatal(err)
	}
	want := []KctlPCB{{Control: UtunControl, Unit: 5, LastPID: 812}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	// The same list from the builder used below: the builder is the layout.
	if built := append(append(kctlGen(1, 100), kctlRecord(UtunControl, 5, 0, 812, 0, 99)...), kctlGen(1, 100)...); len(built) != len(b) {
		t.Errorf("builder writes %d bytes, the hand-written list is %d", len(built), len(b))
	} else if g2, _ := ParseKctlPcblist(built); !reflect.DeepEqual(g2, want) {
		t.Errorf("builder: got %+v", g2)
	}
}

func TestParseKctlPcblist(t *testing.T) {
	list := func(recs ...[]byte) []byte {
		b := kctlGen(uint64(len(recs)), 100)
		for _, r := range recs {
			b = append(b, r...)
		}
		return append(b, kctlGen(uint64(len(recs)), 100)...)
	}
	utun4 := kctlRecord(UtunControl, 5, 501, 900, 901, 10)
	other := kctlRecord("com.apple.network.statistics", 1, 0, 120, 0, 11)
	got, err := ParseKctlPcblist(list(other, utun4))
	if err != nil {
		t.Fatal(err)
	}
	want := []KctlPCB{
		{Control: "com.apple.network.statistics", Unit: 1, LastPID: 120},
		{Control: UtunControl, Unit: 5, UID: 501, LastPID: 900, EPID: 901},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}

	// A socket freed and reused during the copy (newer than the list) is
	// left out.
	if got, _ := ParseKctlPcblist(list(kctlRecord(UtunControl, 5, 0, 1, 0, 101))); len(got) != 0 {
		t.Errorf("newer socket kept: %+v", got)
	}
	// A grown xkctlpcb (a longer len) shifts nothing we read.
	grown := kctlRecord(UtunControl, 2, 0, 44, 0, 1)
	g := append(append([]byte{}, grown[:SizeofXkctlpcb]...), make([]byte, 8)...)
	binary.LittleEndian.PutUint32(g, SizeofXkctlpcb+8)
	g = append(g, grown[SizeofXkctlpcb:]...)
	if got, err := ParseKctlPcblist(list(g)); err != nil || len(got) != 1 || got[0].Unit != 2 || got[0].LastPID != 44 {
		t.Errorf("grown item: %+v, %v", got, err)
	}
	// An empty list (no socket) is no error.
	if got, err := ParseKctlPcblist(list()); err != nil || len(got) != 0 {
		t.Errorf("empty: %+v, %v", got, err)
	}
	for name, b := range map[string][]byte{
		"short header":       kctlGen(0, 0)[:20],
		"header length 0":    make([]byte, 64),
		"cut in an item":     list(utun4)[:SizeofXsystmgen+40],
		"item length past":   append(kctlGen(1, 100), kctlItem(8, XSOKCB, map[int]uint32{0: 4096})...),
		"item shorter (len)": append(kctlGen(1, 100), kctlItem(8, XSOKCB, map[int]uint32{0: 4})...),
	} {
		if _, err := ParseKctlPcblist(b); !errors.Is(err, ErrTruncated) {
			t.Errorf("%s: err = %v, want ErrTruncated", name, err)
		}
	}
	// Items shorter than xnu's: a record of 8-byte items is refused.
	var tiny []byte
	for _, k := range []int{XSOKCB, XSOSocket, XSORcvBuf, XSOSndBuf, XSOStats} {
		tiny = append(tiny, kctlItem(8, k, nil)...)
	}
	if _, err := ParseKctlPcblist(list(tiny)); !errors.Is(err, ErrTruncated) {
		t.Errorf("tiny items: %v, want ErrTruncated", err)
	}
}

func TestTunControl(t *testing.T) {
	for _, tt := range []struct {
		name    string
		control string
		unit    uint32
		ok      bool
	}{
		{"utun0", UtunControl, 1, true},
		{"utun12", UtunControl, 13, true},
		{"ipsec0", IpsecControl, 1, true},
		{"utun", "", 0, false},
		{"utun01", "", 0, false},
		{"utun-1", "", 0, false},
		{"utun99999999999", "", 0, false},
		{"tun0", "", 0, false},
		{"en0", "", 0, false},
	} {
		c, u, ok := TunControl(tt.name)
		if c != tt.control || u != tt.unit || ok != tt.ok {
			t.Errorf("TunControl(%q) = %q %d %v, want %q %d %v", tt.name, c, u, ok, tt.control, tt.unit, tt.ok)
		}
	}
}

func FuzzParseKctlPcblist(f *testing.F) {
	f.Add(append(append(kctlGen(1, 100), kctlRecord(UtunControl, 5, 0, 812, 0, 99)...), kctlGen(1, 100)...))
	f.Add(kctlGen(0, 0))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := ParseKctlPcblist(b)
		for _, p := range got {
			if len(p.Control) > MaxKctlName {
				t.Fatalf("control name of %d bytes", len(p.Control))
			}
		}
		_ = err
	})
}
