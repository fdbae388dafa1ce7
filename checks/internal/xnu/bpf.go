package xnu

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// BPF device constants and the capture header, from xnu-11417
// (xnu-11417.101.15, macOS 15) bsd/net/bpf.h. Each ioctl number encodes
// the size of its argument (_IOW/_IOR bits 16-28), so an argument of the
// wrong size fails with an errno instead of being misread; pin_darwin.go
// checks every one against golang.org/x/sys/unix.
const (
	// BIOCGBLEN is _IOR('B', 102, u_int): the buffer length a read must
	// ask for exactly (bpfread refuses any other with EINVAL).
	BIOCGBLEN = 0x40044266
	// BIOCSETF is _IOW('B', 103, struct bpf_program): u_int bf_len, then
	// struct bpf_insn *bf_insns at 8, 16 bytes in a 64-bit process.
	BIOCSETF = 0x80104267
	// BIOCGDLT is _IOR('B', 106, u_int): the link type; DLTEN10MB for
	// Ethernet and Wi-Fi.
	BIOCGDLT = 0x4004426a
	// BIOCSETIF is _IOW('B', 108, struct ifreq): the interface name in
	// the first 16 bytes of a 32-byte ifreq.
	BIOCSETIF = 0x8020426c
	// BIOCIMMEDIATE is _IOW('B', 112, u_int): a read returns as soon as a
	// packet is in, instead of when the buffer is full.
	BIOCIMMEDIATE = 0x80044270
	// BIOCSHDRCMPLT is _IOW('B', 117, u_int): a write carries its own
	// Ethernet source address, which the kernel then keeps.
	BIOCSHDRCMPLT = 0x80044275
	// BIOCSSEESENT is _IOW('B', 119, u_int): 0 hides the packets this
	// host sends, our own requests among them.
	BIOCSSEESENT = 0x80044277

	SizeofIfreq   = 32
	SizeofBpfInsn = 8
	DLTEN10MB     = 1

	// struct bpf_hdr: struct timeval32 bh_tstamp (in a 64-bit process
	// BPF_TIMEVAL is timeval32: two int32), bpf_u_int32 bh_caplen @8,
	// bh_datalen @12, u_short bh_hdrlen @16: 18 bytes that the kernel
	// counts as SIZEOF_BPF_HDR. bh_hdrlen is what to skip: the kernel pads
	// the header so that the packet's network header is word aligned
	// (bif_hdrlen = BPF_WORDALIGN(14 + 18) - 14 = 18 for Ethernet, but
	// other link types and extended headers differ), and the next record
	// starts at BPF_WORDALIGN(bh_hdrlen + bh_caplen), BPF_ALIGNMENT being
	// sizeof(int32_t). The last record of a read is not padded.
	SizeofBpfHdr  = 18
	BhCaplenOff   = 8
	BhDatalenOff  = 12
	BhHdrlenOff   = 16
	BPFAlignment  = 4
	BPFMaxDevices = 256 // BPF_MAX_DEVICES in bsd/net/bpf.c: /dev/bpf0 to bpf255
)

// ErrBPFTruncated is wrapped by every error about a BPF read buffer whose
// record does not fit: the rest of that read cannot be trusted.
var ErrBPFTruncated = errors.New("truncated BPF record")

// BPFWordAlign is BPF_WORDALIGN: n rounded up to a multiple of
// BPFAlignment.
func BPFWordAlign(n int) int { return (n + BPFAlignment - 1) &^ (BPFAlignment - 1) }

// NextBPFPacket cuts the first record off b, the bytes one read of a BPF
// device returned, and returns its captured packet (bh_caplen bytes after
// bh_hdrlen) and the records after it. A packet the snapshot length cut
// short (bh_caplen < bh_datalen) is returned as captured. A header or
// packet that does not fit in b is an error.
func NextBPFPacket(b []byte) (pkt, rest []byte, err error) {
	if len(b) < SizeofBpfHdr {
		return nil, nil, fmt.Errorf("%d bytes left: %w", len(b), ErrBPFTruncated)
	}
	le := binary.LittleEndian
	caplen := int(le.Uint32(b[BhCaplenOff:]))
	hdrlen := int(le.Uint16(b[BhHdrlenOff:]))
	if hdrlen < SizeofBpfHdr || caplen < 0 || caplen > len(b)-hdrlen {
		return nil, nil, fmt.Errorf("header %d + packet %d of %d bytes: %w", hdrlen, caplen, len(b), ErrBPFTruncated)
	}
	end := hdrlen + caplen
	pkt = b[hdrlen:end:end]
	if next := BPFWordAlign(end); next < len(b) {
		return pkt, b[next:], nil
	}
	return pkt, nil, nil
}
