package nlattr

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"golang.org/x/sys/unix"
)

// TestAppendEach pins the encoding Append writes (length, type, value,
// padding) and that Each reads back what Append wrote.
func TestAppendEach(t *testing.T) {
	b := Append(nil, unix.RTA_DST, []byte{198, 18, 3, 1})
	b = Append(b, unix.RTA_OIF|unix.NLA_F_NESTED, []byte("wg0\x00x"))
	b = Append(b, unix.RTA_GATEWAY, nil)
	ne := binary.NativeEndian
	hdr := func(l, typ uint16) []byte { return ne.AppendUint16(ne.AppendUint16(nil, l), typ) }
	want := append(hdr(8, unix.RTA_DST), 198, 18, 3, 1)
	want = append(append(want, hdr(9, unix.RTA_OIF|unix.NLA_F_NESTED)...), 'w', 'g', '0', 0, 'x', 0, 0, 0)
	want = append(want, hdr(4, unix.RTA_GATEWAY)...)
	if !bytes.Equal(b, want) {
		t.Fatalf("Append wrote % x, want % x", b, want)
	}
	type kv struct {
		typ uint16
		v   string
	}
	var got []kv
	if err := Each(b, func(typ uint16, v []byte) error {
		got = append(got, kv{typ, string(v)})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	wantKV := []kv{{unix.RTA_DST, "\xc6\x12\x03\x01"}, {unix.RTA_OIF, "wg0\x00x"}, {unix.RTA_GATEWAY, ""}}
	if len(got) != len(wantKV) {
		t.Fatalf("Each read %+v, want %+v", got, wantKV)
	}
	for i := range got {
		if got[i] != wantKV[i] {
			t.Fatalf("Each read %+v, want %+v", got, wantKV)
		}
	}
	if err := Each(b[:len(b)-10], func(uint16, []byte) error { return nil }); !errors.Is(err, unix.EINVAL) {
		t.Fatalf("Each of a cut attribute = %v, want EINVAL", err)
	}
}
