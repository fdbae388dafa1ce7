package neighprobe

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"net/netip"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/netguard/netguard/checks/internal/xnu"
	"golang.org/x/net/bpf"
)

// probeFrame is the RFC 5227 probe this host (02:00:00:00:03:02) sends
// for 198.18.3.2, written by hand from RFC 826 and RFC 5227 2.1.1.
var probeFrame = []byte{
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // 0 Ethernet destination: broadcast
	0x02, 0x00, 0x00, 0x00, 0x03, 0x02, // 6 Ethernet source: ours
	0x08, 0x06, // 12 EtherType ARP
	0x00, 0x01, // 14 hardware type Ethernet
	0x08, 0x00, // 16 protocol type IPv4
	0x06, 0x04, // 18 hardware and protocol address lengths
	0x00, 0x01, // 20 operation: request
	0x02, 0x00, 0x00, 0x00, 0x03, 0x02, // 22 sender MAC: ours
	0x00, 0x00, 0x00, 0x00, // 28 sender IP: 0.0.0.0, nobody learns from it
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // 32 target MAC: unknown
	198, 18, 3, 2, // 38 target IP: the address probed
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // 42 padding to 60
}

// defenseFrame is another host (02:00:00:00:03:99) answering that probe:
// a reply from 198.18.3.2 to our MAC, target IP 0.0.0.0, with a trailer.
var defenseFrame = []byte{
	0x02, 0x00, 0x00, 0x00, 0x03, 0x02, // 0 Ethernet destination: ours
	0x02, 0x00, 0x00, 0x00, 0x03, 0x99, // 6 Ethernet source: the other host
	0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 0x06, 0x04, // 12 ARP, Ethernet, IPv4, 6, 4
	0x00, 0x02, // 20 operation: reply
	0x02, 0x00, 0x00, 0x00, 0x03, 0x99, // 22 sender MAC: the other host
	198, 18, 3, 2, // 28 sender IP: our address
	0x02, 0x00, 0x00, 0x00, 0x03, 0x02, // 32 target MAC: ours
	0, 0, 0, 0, // 38 target IP: the probe's 0.0.0.0
	0xde, 0xad, 0xbe, 0xef, // 42 a trailer, ignored
}

func TestARPFrameMarshal(t *testing.T) {
	req := arpFrame{EthDst: broadcastMAC, SenderMAC: ourMAC, SenderIP: netip.IPv4Unspecified(), TargetMAC: zeroMAC, TargetIP: ourIP}
	b, err := req.marshal()
	if err != nil || !bytes.Equal(b, probeFrame) {
		t.Fatalf("probe = % x, %v\nwant % x", b, err, probeFrame)
	}
	rep := arpFrame{Reply: true, EthDst: ourMAC, SenderMAC: gwMAC, SenderIP: gwIP, TargetMAC: ourMAC, TargetIP: ourIP}
	b, err = rep.marshal()
	if err != nil || binary.BigEndian.Uint16(b[20:]) != arpOpReply || !bytes.Equal(b[6:12], gwMAC) {
		t.Fatalf("reply = % x, %v", b, err)
	}
	for name, f := range map[string]arpFrame{
		"an IPv6 target":     {EthDst: broadcastMAC, SenderMAC: ourMAC, SenderIP: ourIP, TargetMAC: zeroMAC, TargetIP: netip.MustParseAddr("fe80::1")},
		"no sender address":  {EthDst: broadcastMAC, SenderMAC: ourMAC, TargetMAC: zeroMAC, TargetIP: ourIP},
		"a short sender MAC": {EthDst: broadcastMAC, SenderMAC: ourMAC[:4], SenderIP: ourIP, TargetMAC: zeroMAC, TargetIP: gwIP},
		"no destination":     {SenderMAC: ourMAC, SenderIP: ourIP, TargetMAC: zeroMAC, TargetIP: gwIP},
	} {
		if _, err := f.marshal(); err == nil {
			t.Errorf("%s: marshalled", name)
		}
	}
}

func TestParseARPFrame(t *testing.T) {
	f, err := parseARPFrame(defenseFrame)
	want := arpFrame{Reply: true, EthDst: ourMAC, SenderMAC: evilMAC, SenderIP: ourIP, TargetMAC: ourMAC, TargetIP: netip.IPv4Unspecified()}
	if err != nil || !sameFrame(f, want) {
		t.Fatalf("parse = %+v, %v; want %+v", f, err, want)
	}
	if got := claimant(f, ourIP, ourMAC); !slices.Equal(got, evilMAC) {
		t.Errorf("the defense of our address is not a claim by %s: %v", evilMAC, got)
	}
	p, err := parseARPFrame(probeFrame)
	if err != nil || p.Reply || p.SenderIP != netip.IPv4Unspecified() || p.TargetIP != ourIP || claimant(p, ourIP, evilMAC) != nil {
		t.Errorf("probe = %+v, %v; a probe claims nothing", p, err)
	}
	// The MACs are copies: the read buffer is reused.
	b := slices.Clone(defenseFrame)
	f, _ = parseARPFrame(b)
	clear(b)
	if !sameFrame(f, want) {
		t.Error("parsed MACs alias the frame's bytes")
	}
	bad := func(off int, v ...byte) []byte { b := slices.Clone(defenseFrame); copy(b[off:], v); return b }
	for name, b := range map[string][]byte{
		"41 bytes":            defenseFrame[:41],
		"IPv4, not ARP":       bad(12, 0x08, 0x00),
		"a VLAN tag":          bad(12, 0x81, 0x00),
		"token ring hardware": bad(14, 0x00, 0x06),
		"IPv6 protocol type":  bad(16, 0x86, 0xdd),
		"hardware length 8":   bad(18, 8),
		"protocol length 16":  bad(19, 16),
		"operation 3 (RARP)":  bad(20, 0, 3),
		"operation 0":         bad(20, 0, 0),
	} {
		if _, err := parseARPFrame(b); !errors.Is(err, errNotARP) {
			t.Errorf("%s: err = %v, want errNotARP", name, err)
		}
	}
}

func sameFrame(a, b arpFrame) bool {
	return a.Reply == b.Reply && bytes.Equal(a.EthDst, b.EthDst) && bytes.Equal(a.SenderMAC, b.SenderMAC) &&
		a.SenderIP == b.SenderIP && bytes.Equal(a.TargetMAC, b.TargetMAC) && a.TargetIP == b.TargetIP
}

// The capture filter passes ARP frames and nothing else, run by x/net's
// BPF interpreter, which follows the same classic BPF as the kernel's.
// Both return the snapshot length for a frame kept; the kernel then keeps
// the frame up to that length.
func TestARPOnlyFilter(t *testing.T) {
	if _, err := bpf.Assemble(arpOnly); err != nil {
		t.Fatalf("assemble: %v", err)
	}
	vm, err := bpf.NewVM(arpOnly)
	if err != nil {
		t.Fatal(err)
	}
	ipv4 := slices.Clone(defenseFrame)
	ipv4[12], ipv4[13] = 0x08, 0x00
	vlan := slices.Clone(defenseFrame)
	vlan[12], vlan[13] = 0x81, 0x00
	for _, c := range []struct {
		name  string
		frame []byte
		keep  int
	}{
		{"our probe", probeFrame, arpSnapLen},
		{"a 46-byte ARP reply", defenseFrame, arpSnapLen},
		{"a long ARP frame", append(slices.Clone(probeFrame), make([]byte, 100)...), arpSnapLen},
		{"IPv4", ipv4, 0},
		{"ARP behind a VLAN tag", vlan, 0},
		{"a runt of 13 bytes", probeFrame[:13], 0},
	} {
		if n, err := vm.Run(c.frame); err != nil || n != c.keep {
			t.Errorf("%s: kept %d, %v; want %d", c.name, n, err, c.keep)
		}
	}
}

// bpfRecord is a BPF read record (struct bpf_hdr, then the frame) for an
// Ethernet device, padded to the next record as the kernel does.
func bpfRecord(frame []byte) []byte {
	r := make([]byte, xnu.SizeofBpfHdr, xnu.BPFWordAlign(xnu.SizeofBpfHdr+len(frame)))
	binary.LittleEndian.PutUint32(r[xnu.BhCaplenOff:], uint32(len(frame)))
	binary.LittleEndian.PutUint32(r[xnu.BhDatalenOff:], uint32(len(frame)))
	binary.LittleEndian.PutUint16(r[xnu.BhHdrlenOff:], xnu.SizeofBpfHdr)
	r = append(r, frame...)
	return r[:cap(r)]
}

// A BPF read holds several records: each ARP packet comes out on its own,
// a frame that is not ARP is skipped, and the device is read again only
// when the records are used up.
func TestBPFReader(t *testing.T) {
	var reads [][]byte
	reads = append(reads, slices.Concat(bpfRecord(probeFrame), bpfRecord(probeFrame[:20]), bpfRecord(defenseFrame)))
	reads = append(reads, bpfRecord(defenseFrame)[:30]) // a record cut short
	r := &bpfReader{buf: make([]byte, 4096), read: func(b []byte) (int, error) {
		if len(reads) == 0 {
			return 0, os.ErrDeadlineExceeded
		}
		n := copy(b, reads[0])
		reads = reads[1:]
		return n, nil
	}}
	type got struct {
		reply bool
		skip  bool
		err   bool
	}
	var gots []got
	for range 5 {
		f, skip, err := r.next()
		gots = append(gots, got{f.Reply, skip, err != nil})
	}
	want := []got{{false, false, false}, {false, true, true}, {true, false, false}, {false, false, true}, {false, false, true}}
	if !slices.Equal(gots, want) {
		t.Errorf("frames = %v\nwant     %v", gots, want)
	}
	empty := &bpfReader{buf: make([]byte, 16), read: func([]byte) (int, error) { return 0, nil }}
	if _, skip, err := empty.next(); err == nil || skip {
		t.Errorf("an empty read: skip %v, %v; want an error", skip, err)
	}
}

// fakePort is an ARP port on no link: it records what is sent and hands
// out frames at scripted times until its read deadline passes.
type fakePort struct {
	mu      sync.Mutex
	sent    [][]byte
	sendErr error
	frames  chan []byte
	expired chan struct{}
	once    sync.Once
}

func newFakePort(frames ...[]byte) *fakePort {
	p := &fakePort{frames: make(chan []byte, len(frames)), expired: make(chan struct{})}
	for _, f := range frames {
		p.frames <- f
	}
	return p
}

func (p *fakePort) send(f arpFrame) error {
	b, err := f.marshal()
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.sendErr != nil {
		return p.sendErr
	}
	p.sent = append(p.sent, b)
	return nil
}

func (p *fakePort) next() (arpFrame, bool, error) {
	select {
	case b := <-p.frames:
		f, err := parseARPFrame(b)
		return f, err != nil, err
	case <-p.expired:
		return arpFrame{}, false, os.ErrDeadlineExceeded
	}
}

func (p *fakePort) Close() error { return nil }

func (p *fakePort) SetReadDeadline(t time.Time) error {
	if !t.IsZero() && !t.After(time.Now()) {
		p.once.Do(func() { close(p.expired) })
	}
	return nil
}

// The probe sends RFC 5227 probes, repeated, and keeps every other MAC
// that claims the address until its window ends; the solicitation asks
// from our address and keeps only replies to it. Both are the code macOS
// runs over its BPF device.
func TestARPFlows(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Millisecond)
	defer cancel()
	gwReply, _ := arpFrame{Reply: true, EthDst: ourMAC, SenderMAC: gwMAC, SenderIP: gwIP, TargetMAC: ourMAC, TargetIP: ourIP}.marshal()
	p := newFakePort(gwReply, []byte("noise"), defenseFrame, defenseFrame)
	as, err := probeARP(ctx, p, ourMAC, ourIP)
	if err != nil || len(as) != 1 || !bytes.Equal(as[0].MAC, evilMAC) {
		t.Fatalf("probe gathered %v, %v; want %s alone", as, err, evilMAC)
	}
	if len(p.sent) != solicitAttempts {
		t.Errorf("sent %d probes, want %d", len(p.sent), solicitAttempts)
	}
	for _, b := range p.sent {
		if !bytes.Equal(b, probeFrame) {
			t.Errorf("sent % x\nwant % x", b, probeFrame)
		}
	}

	ctx, cancel = context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	p = newFakePort(defenseFrame, gwReply)
	as, err = solicitARP(ctx, p, arpAsk{OurMAC: ourMAC, OurIP: ourIP, Gateway: gwIP})
	if err != nil || len(as) != 1 || !bytes.Equal(as[0].MAC, gwMAC) {
		t.Fatalf("solicitation gathered %v, %v; want %s alone", as, err, gwMAC)
	}
	req, err := parseARPFrame(p.sent[0])
	if want := (arpFrame{EthDst: broadcastMAC, SenderMAC: ourMAC, SenderIP: ourIP, TargetMAC: zeroMAC, TargetIP: gwIP}); err != nil || !sameFrame(req, want) {
		t.Errorf("request = %+v, %v; want %+v", req, err, want)
	}

	p = newFakePort()
	p.sendErr = errors.New("network is down")
	if _, err := probeARP(ctx, p, ourMAC, ourIP); !errors.Is(err, p.sendErr) {
		t.Errorf("a failed send: %v", err)
	}
}

// FuzzARPFrame: a frame from the LAN never panics the parser, and what it
// accepts marshals back to the same first 42 bytes.
func FuzzARPFrame(f *testing.F) {
	f.Add(probeFrame)
	f.Add(defenseFrame)
	f.Add(defenseFrame[:42])
	f.Fuzz(func(t *testing.T, b []byte) {
		fr, err := parseARPFrame(b)
		if err != nil {
			return
		}
		out, err := fr.marshal()
		if err != nil {
			t.Fatalf("parsed %+v does not marshal: %v", fr, err)
		}
		// The Ethernet source is not kept: a frame from us carries our MAC.
		if !bytes.Equal(out[:6], b[:6]) || !bytes.Equal(out[12:42], b[12:42]) {
			t.Fatalf("round trip\n% x\n% x", b[:42], out[:42])
		}
	})
}
