package neighprobe

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"time"

	"github.com/netguard/netguard/checks/internal/xnu"
	"github.com/netguard/netguard/checks/netstate"
	"golang.org/x/net/bpf"
)

// The RFC 5227 probe of our own address (ProbeAddress) and the gateway
// solicitation (Solicit) are one flow over a link-layer ARP port: a packet
// socket on Linux (arpport_linux.go), a BPF device on macOS
// (arp_darwin.go). Sending, the resends, the window and the judgement of
// what came back (solicit_answers.go) are this file's, the same on both.

// arpPort sends and receives ARP packets in Ethernet frames on one
// interface.
type arpPort interface {
	// send writes f as one Ethernet frame to f.EthDst, from f.SenderMAC.
	send(f arpFrame) error
	// next blocks until the next ARP packet is seen on the link. skip is
	// set for a frame that is not one (its bytes are the LAN's); any
	// other error is the port's, and a read deadline that passed is one.
	next() (f arpFrame, skip bool, err error)
	deadlineConn
	Close() error
}

// solicitAttempts and solicitInterval: one request, repeated a few times
// so that one lost frame does not fall back to the probe window.
const (
	solicitAttempts = 3
	solicitInterval = 40 * time.Millisecond
)

// deadlineConn is the part of a socket a probe needs to stop a read.
type deadlineConn interface{ SetReadDeadline(time.Time) error }

// resend sends every solicitInterval until done or ctx ends, and makes
// the pending read return when ctx ends.
func resend(ctx context.Context, c deadlineConn, send func() error) (stop func(), err error) {
	if err := send(); err != nil {
		return nil, err
	}
	done := make(chan struct{})
	unhook := context.AfterFunc(ctx, func() { c.SetReadDeadline(time.Now()) })
	go func() {
		for range solicitAttempts - 1 {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-time.After(solicitInterval):
				if send() != nil {
					return
				}
			}
		}
	}()
	return func() { close(done); unhook() }, nil
}

var (
	broadcastMAC = net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	// zeroMAC is the target hardware address of a request (RFC 5227 2.1.1).
	zeroMAC = net.HardwareAddr{0, 0, 0, 0, 0, 0}
)

// probeARP sends RFC 5227 probes for a from ourMAC on p (sender 0.0.0.0,
// so no host's ARP cache learns from them; target a) and gathers every
// claim of a by another MAC until ctx ends.
func probeARP(ctx context.Context, p arpPort, ourMAC net.HardwareAddr, a netip.Addr) ([]netstate.NeighborAnswer, error) {
	req := arpFrame{EthDst: broadcastMAC, SenderMAC: ourMAC, SenderIP: netip.IPv4Unspecified(), TargetMAC: zeroMAC, TargetIP: a}
	return askARP(ctx, p, req, func(f arpFrame) net.HardwareAddr { return claimant(f, a, ourMAC) })
}

// solicitARP asks q.Gateway's MAC with ARP requests on p and gathers every
// answer to q until ctx ends.
func solicitARP(ctx context.Context, p arpPort, q arpAsk) ([]netstate.NeighborAnswer, error) {
	req := arpFrame{EthDst: broadcastMAC, SenderMAC: q.OurMAC, SenderIP: q.OurIP, TargetMAC: zeroMAC, TargetIP: q.Gateway}
	return askARP(ctx, p, req, q.answer)
}

// askARP broadcasts req on p, repeated, and gathers until ctx ends the
// MAC answer finds in each ARP packet seen, one answer per MAC.
func askARP(ctx context.Context, p arpPort, req arpFrame, answer func(arpFrame) net.HardwareAddr) ([]netstate.NeighborAnswer, error) {
	t0 := time.Now()
	stop, err := resend(ctx, p, func() error { return p.send(req) })
	if err != nil {
		return nil, err
	}
	defer stop()
	return gather(ctx, t0, p.next, answer)
}

// An ARP packet for IPv4 over Ethernet in its Ethernet II frame (RFC 826;
// offsets from the start of the frame):
//
//	 0 destination MAC (6)   6 source MAC (6)   12 EtherType 0x0806 (2)
//	14 hardware type 1 (2)  16 protocol type 0x0800 (2)
//	18 hardware length 6    19 protocol length 4   20 operation (2)
//	22 sender MAC (6)       28 sender IP (4)
//	32 target MAC (6)       38 target IP (4)       42 end
//
// A frame on the wire is at least 60 bytes (64 with the FCS the NIC
// adds); a sender pads, a receiver ignores what follows byte 42.
const (
	etherTypeARP  = 0x0806
	arpFrameLen   = 42
	minEtherFrame = 60
	arpOpRequest  = 1
	arpOpReply    = 2
)

var errNotARP = errors.New("not an ARP packet for IPv4 over Ethernet")

// marshal is f as a frame to send: an Ethernet II frame from f.SenderMAC
// to f.EthDst, padded to the minimum frame size.
func (f arpFrame) marshal() ([]byte, error) {
	if len(f.EthDst) != 6 || len(f.SenderMAC) != 6 || len(f.TargetMAC) != 6 || !f.SenderIP.Is4() || !f.TargetIP.Is4() {
		return nil, fmt.Errorf("arp packet %s -> %s: MACs of 6 bytes and IPv4 addresses needed", f.SenderIP, f.TargetIP)
	}
	b := make([]byte, minEtherFrame)
	copy(b[0:], f.EthDst)
	copy(b[6:], f.SenderMAC)
	binary.BigEndian.PutUint16(b[12:], etherTypeARP)
	binary.BigEndian.PutUint16(b[14:], 1)      // Ethernet
	binary.BigEndian.PutUint16(b[16:], 0x0800) // IPv4
	b[18], b[19] = 6, 4
	op := uint16(arpOpRequest)
	if f.Reply {
		op = arpOpReply
	}
	binary.BigEndian.PutUint16(b[20:], op)
	copy(b[22:], f.SenderMAC)
	s4, t4 := f.SenderIP.As4(), f.TargetIP.As4()
	copy(b[28:], s4[:])
	copy(b[32:], f.TargetMAC)
	copy(b[38:], t4[:])
	return b, nil
}

// parseARPFrame reads an ARP request or reply for IPv4 over Ethernet from
// an Ethernet II frame. The MACs are copies: b may be a read buffer.
func parseARPFrame(b []byte) (arpFrame, error) {
	be := binary.BigEndian
	if len(b) < arpFrameLen {
		return arpFrame{}, fmt.Errorf("%d-byte frame: %w", len(b), errNotARP)
	}
	if be.Uint16(b[12:]) != etherTypeARP || be.Uint16(b[14:]) != 1 || be.Uint16(b[16:]) != 0x0800 || b[18] != 6 || b[19] != 4 {
		return arpFrame{}, errNotARP
	}
	var f arpFrame
	switch be.Uint16(b[20:]) {
	case arpOpRequest:
	case arpOpReply:
		f.Reply = true
	default:
		return arpFrame{}, fmt.Errorf("operation %d: %w", be.Uint16(b[20:]), errNotARP)
	}
	f.EthDst = net.HardwareAddr(append([]byte(nil), b[0:6]...))
	f.SenderMAC = net.HardwareAddr(append([]byte(nil), b[22:28]...))
	f.SenderIP = netip.AddrFrom4([4]byte(b[28:32]))
	f.TargetMAC = net.HardwareAddr(append([]byte(nil), b[32:38]...))
	f.TargetIP = netip.AddrFrom4([4]byte(b[38:42]))
	return f, nil
}

// arpSnapLen is how much of an ARP frame a capture keeps: the whole packet
// with the Ethernet header and room for a VLAN tag or trailer.
const arpSnapLen = 64

// arpOnly is the classic BPF program a capture device runs so that only
// ARP frames reach the read buffer: a busy LAN's other traffic would
// otherwise fill it while the probe waits.
var arpOnly = []bpf.Instruction{
	bpf.LoadAbsolute{Off: 12, Size: 2},                               // the EtherType
	bpf.JumpIf{Cond: bpf.JumpEqual, Val: etherTypeARP, SkipFalse: 1}, // ARP?
	bpf.RetConstant{Val: arpSnapLen},                                 // keep it
	bpf.RetConstant{Val: 0},                                          // drop the rest
}

// bpfReader hands out, one at a time, the ARP packets of the records
// (struct bpf_hdr and a frame each) that reads of a BPF device return,
// several per read. read is one read of the device, of len(buf) bytes:
// the device's buffer length, the only size it accepts.
type bpfReader struct {
	read func([]byte) (int, error)
	buf  []byte
	rest []byte // records of the last read not handed out yet
}

// next returns the next ARP packet, reading the device when the records
// of the last read are used up. A record that does not fit is the
// kernel's format not being what xnu pins: an error, not a skip.
func (r *bpfReader) next() (arpFrame, bool, error) {
	for len(r.rest) == 0 {
		n, err := r.read(r.buf)
		if err == nil && n == 0 {
			err = io.ErrUnexpectedEOF // a device never returns an empty read without an error
		}
		if err != nil {
			return arpFrame{}, false, err
		}
		r.rest = r.buf[:n]
	}
	pkt, rest, err := xnu.NextBPFPacket(r.rest)
	if err != nil {
		r.rest = nil
		return arpFrame{}, false, err
	}
	r.rest = rest
	f, err := parseARPFrame(pkt)
	return f, err != nil, err
}
