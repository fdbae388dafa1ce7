package xnu

import (
	"bytes"
	"errors"
	"testing"
)

// bpfRead is one read of a BPF device on an Ethernet interface, written
// by hand from struct bpf_hdr (bsd/net/bpf.h): two records, the first
// with a 43-byte packet, so the second starts at BPF_WORDALIGN(18 + 43) =
// 64 after three bytes of padding; the last record is not padded.
var bpfRead = []byte{
	// record 1 @0
	0x10, 0x32, 0x54, 0x65, // bh_tstamp.tv_sec (int32)
	0x40, 0xe2, 0x01, 0x00, // bh_tstamp.tv_usec (int32)
	43, 0, 0, 0, // @8 bh_caplen
	60, 0, 0, 0, // @12 bh_datalen: the frame was 60 bytes, 43 captured
	18, 0, // @16 bh_hdrlen: BPF_WORDALIGN(14 + 18) - 14
	// @18 the packet: 43 bytes
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x06,
	0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 1, 198, 18, 3, 1,
	0, 0, 0, 0, 0, 0, 198, 18, 3, 2, 0xee,
	0, 0, 0, // @61 padding to 64
	// record 2 @64
	0x10, 0x32, 0x54, 0x65, 0x41, 0xe2, 0x01, 0x00, // bh_tstamp
	4, 0, 0, 0, // @72 bh_caplen
	4, 0, 0, 0, // @76 bh_datalen
	18, 0, // @80 bh_hdrlen
	0xde, 0xad, 0xbe, 0xef, // @82 the packet; the buffer ends at 86
}

func TestNextBPFPacket(t *testing.T) {
	pkt, rest, err := NextBPFPacket(bpfRead)
	if err != nil || len(pkt) != 43 || pkt[12] != 0x08 || pkt[13] != 0x06 || pkt[42] != 0xee {
		t.Fatalf("first record: % x, %v", pkt, err)
	}
	if len(rest) != len(bpfRead)-64 {
		t.Fatalf("second record at %d, want 64", len(bpfRead)-len(rest))
	}
	pkt, rest, err = NextBPFPacket(rest)
	if err != nil || !bytes.Equal(pkt, []byte{0xde, 0xad, 0xbe, 0xef}) || rest != nil {
		t.Fatalf("second record: % x, rest % x, %v", pkt, rest, err)
	}
	// Appending to a packet must not write over the next record.
	first, _, _ := NextBPFPacket(bpfRead)
	if cap(first) != len(first) {
		t.Errorf("packet capacity %d runs past its %d bytes", cap(first), len(first))
	}
}

func TestNextBPFPacketRefusesWhatDoesNotFit(t *testing.T) {
	hdr := func(caplen, hdrlen byte) []byte {
		return []byte{0, 0, 0, 0, 0, 0, 0, 0, caplen, 0, 0, 0, caplen, 0, 0, 0, hdrlen, 0}
	}
	for name, b := range map[string][]byte{
		"empty":                  nil,
		"a header cut short":     bpfRead[:17],
		"a packet cut short":     bpfRead[:60],
		"bh_hdrlen under 18":     append(hdr(1, 17), 0, 0),
		"bh_hdrlen past the end": append(hdr(0, 200), make([]byte, 10)...),
		"bh_caplen past the end": append(hdr(0xff, 18), make([]byte, 10)...),
	} {
		if _, _, err := NextBPFPacket(b); !errors.Is(err, ErrBPFTruncated) {
			t.Errorf("%s: err = %v, want ErrBPFTruncated", name, err)
		}
	}
	// bh_hdrlen may be larger than 18 (other link types pad more).
	b := append(hdr(2, 20), 0, 0, 7, 8)
	if pkt, rest, err := NextBPFPacket(b); err != nil || !bytes.Equal(pkt, []byte{7, 8}) || rest != nil {
		t.Errorf("bh_hdrlen 20: % x, % x, %v", pkt, rest, err)
	}
}

// The ioctl numbers carry the size of their argument in bits 16-28 and
// the group 'B' with the command number in the low 16 bits.
func TestBPFIoctls(t *testing.T) {
	for _, c := range []struct {
		name      string
		req       uint32
		num, size uint32
	}{
		{"BIOCGBLEN", BIOCGBLEN, 102, 4},
		{"BIOCSETF", BIOCSETF, 103, 16}, // u_int + pad + pointer
		{"BIOCGDLT", BIOCGDLT, 106, 4},
		{"BIOCSETIF", BIOCSETIF, 108, SizeofIfreq},
		{"BIOCIMMEDIATE", BIOCIMMEDIATE, 112, 4},
		{"BIOCSHDRCMPLT", BIOCSHDRCMPLT, 117, 4},
		{"BIOCSSEESENT", BIOCSSEESENT, 119, 4},
	} {
		if got := (c.req >> 16) & 0x1fff; got != c.size || c.req&0xffff != 'B'<<8|c.num {
			t.Errorf("%s %#x: size %d, command %#x; want %d, 'B' %d", c.name, c.req, got, c.req&0xffff, c.size, c.num)
		}
	}
	if BPFWordAlign(61) != 64 || BPFWordAlign(64) != 64 || BPFWordAlign(0) != 0 {
		t.Error("BPFWordAlign does not round up to 4")
	}
}

// FuzzBPFPackets: a read buffer's records, whatever the bytes, never make
// the splitter panic or return bytes outside the buffer, and it always
// moves forward.
func FuzzBPFPackets(f *testing.F) {
	f.Add(bpfRead)
	f.Add(bpfRead[:64])
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		for n := 0; len(b) > 0; n++ {
			pkt, rest, err := NextBPFPacket(b)
			if err != nil {
				return
			}
			if len(rest) >= len(b) || len(pkt) > len(b) {
				t.Fatalf("record %d: %d-byte packet, %d left of %d", n, len(pkt), len(rest), len(b))
			}
			b = rest
		}
	})
}
