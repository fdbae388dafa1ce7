package neighprobe

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"slices"
	"testing"
	"time"
)

var (
	ourMAC   = net.HardwareAddr{2, 0, 0, 0, 3, 2}
	gwMAC    = net.HardwareAddr{2, 0, 0, 0, 3, 1}
	evilMAC  = net.HardwareAddr{2, 0, 0, 0, 3, 0x99}
	bcastMAC = net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	ourIP    = netip.MustParseAddr("198.18.3.2")
	gwIP     = netip.MustParseAddr("198.18.3.1")
	otherIP  = netip.MustParseAddr("198.18.3.7")
)

func reply(sender net.HardwareAddr) arpFrame {
	return arpFrame{Reply: true, EthDst: ourMAC, SenderMAC: sender, SenderIP: gwIP, TargetMAC: ourMAC, TargetIP: ourIP}
}

// Which ARP frames the solicitation keeps: only replies from the
// gateway's address, addressed to this host, with a host's MAC.
func TestARPAnswerKept(t *testing.T) {
	q := arpAsk{OurMAC: ourMAC, OurIP: ourIP, Gateway: gwIP}
	tests := []struct {
		name string
		f    func() arpFrame
		want net.HardwareAddr
	}{
		{"the gateway's reply", func() arpFrame { return reply(gwMAC) }, gwMAC},
		{"a spoofed reply addressed to us", func() arpFrame { return reply(evilMAC) }, evilMAC}, // kept: only the set of answers can tell
		{"a request, not a reply", func() arpFrame { f := reply(gwMAC); f.Reply = false; return f }, nil},
		{"gratuitous: target IP the gateway's own", func() arpFrame {
			f := reply(evilMAC)
			f.TargetIP, f.TargetMAC, f.EthDst = gwIP, bcastMAC, bcastMAC
			return f
		}, nil},
		{"a reply to another host", func() arpFrame { f := reply(evilMAC); f.TargetIP = otherIP; return f }, nil},
		{"a reply to another MAC", func() arpFrame { f := reply(evilMAC); f.TargetMAC = evilMAC; return f }, nil},
		{"a reply broadcast on the wire", func() arpFrame { f := reply(evilMAC); f.EthDst = bcastMAC; return f }, nil},
		{"another address's reply", func() arpFrame { f := reply(evilMAC); f.SenderIP = otherIP; return f }, nil},
		{"a multicast sender MAC", func() arpFrame { return reply(net.HardwareAddr{1, 0, 0x5e, 0, 0, 1}) }, nil},
		{"a zero sender MAC", func() arpFrame { return reply(net.HardwareAddr{0, 0, 0, 0, 0, 0}) }, nil},
		{"a short sender MAC", func() arpFrame { return reply(net.HardwareAddr{2, 0, 0}) }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := q.answer(tt.f()); !slices.Equal(got, tt.want) {
				t.Fatalf("answer = %v, want %v", got, tt.want)
			}
		})
	}
	if (arpAsk{OurMAC: ourMAC, Gateway: gwIP}).answer(reply(gwMAC)) != nil {
		t.Error("an answer was kept although this host has no address to be asked from")
	}
}

func TestNDPAnswerKept(t *testing.T) {
	gw6 := netip.MustParseAddr("fe80::1")
	tests := []struct {
		name string
		f    ndpFrame
		want net.HardwareAddr
	}{
		{"solicited advertisement", ndpFrame{Solicited: true, Target: gw6, TargetMAC: gwMAC}, gwMAC},
		{"unsolicited advertisement", ndpFrame{Target: gw6, TargetMAC: evilMAC}, nil},
		{"another target", ndpFrame{Solicited: true, Target: netip.MustParseAddr("fe80::7"), TargetMAC: evilMAC}, nil},
		{"no link-layer address", ndpFrame{Solicited: true, Target: gw6}, nil},
	}
	for _, tt := range tests {
		if got := ndpAnswer(gw6, tt.f); !slices.Equal(got, tt.want) {
			t.Errorf("%s: answer = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// scripted is one read of a socket: a frame at a time from the start;
// once ctx ends the read fails as a past deadline makes it.
type scripted struct {
	at   time.Duration
	f    arpFrame
	skip bool  // an unparsable frame
	err  error // the read's error
}

func runGather(t *testing.T, window time.Duration, script []scripted) ([]string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), window)
	defer cancel()
	q := arpAsk{OurMAC: ourMAC, OurIP: ourIP, Gateway: gwIP}
	t0 := time.Now()
	i := 0
	as, err := gather(ctx, t0, func() (arpFrame, bool, error) {
		if i >= len(script) {
			<-ctx.Done()
			return arpFrame{}, false, &net.OpError{Op: "read", Err: os.ErrDeadlineExceeded}
		}
		s := script[i]
		i++
		select {
		case <-time.After(time.Until(t0.Add(s.at))):
		case <-ctx.Done():
			return arpFrame{}, false, &net.OpError{Op: "read", Err: os.ErrDeadlineExceeded}
		}
		return s.f, s.skip, s.err
	}, q.answer)
	var macs []string
	for _, a := range as {
		macs = append(macs, a.MAC.String())
	}
	return macs, err
}

// The solicitation reads until its window ends: it never stops at the
// first answer, keeps one answer per MAC, ignores what is not addressed to
// it, and what comes after the window is not seen.
func TestGatherReadsTheWholeWindow(t *testing.T) {
	gratuitous := reply(evilMAC)
	gratuitous.TargetIP, gratuitous.EthDst = gwIP, bcastMAC
	tests := []struct {
		name   string
		script []scripted
		want   []string
		err    bool
	}{
		{"the gateway alone, answering each request",
			[]scripted{{at: time.Millisecond, f: reply(gwMAC)}, {at: 40 * time.Millisecond, f: reply(gwMAC)}, {at: 80 * time.Millisecond, f: reply(gwMAC)}},
			[]string{gwMAC.String()}, false},
		{"a spoofer first, the gateway after",
			[]scripted{{at: 0, f: reply(evilMAC)}, {at: 30 * time.Millisecond, f: reply(gwMAC)}},
			[]string{evilMAC.String(), gwMAC.String()}, false},
		{"a spoofer flooding, the gateway among it",
			[]scripted{{f: reply(evilMAC)}, {f: reply(evilMAC)}, {at: 5 * time.Millisecond, f: reply(gwMAC)}, {at: 6 * time.Millisecond, f: reply(evilMAC)}},
			[]string{evilMAC.String(), gwMAC.String()}, false},
		{"unsolicited and misaddressed frames are not answers",
			[]scripted{{f: gratuitous}, {f: func() arpFrame { f := reply(evilMAC); f.TargetIP = otherIP; return f }()}, {at: 2 * time.Millisecond, f: reply(gwMAC)}},
			[]string{gwMAC.String()}, false},
		{"an unparsable frame ends nothing",
			[]scripted{{skip: true, err: errors.New("invalid hardware address")}, {at: time.Millisecond, f: reply(gwMAC)}},
			[]string{gwMAC.String()}, false},
		{"a late answer is past the window",
			[]scripted{{at: time.Millisecond, f: reply(gwMAC)}, {at: time.Second, f: reply(evilMAC)}},
			[]string{gwMAC.String()}, false},
		{"a failing socket keeps what came before",
			[]scripted{{at: time.Millisecond, f: reply(gwMAC)}, {at: 2 * time.Millisecond, err: &net.OpError{Op: "read", Err: net.ErrClosed}}},
			[]string{gwMAC.String()}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := runGather(t, 150*time.Millisecond, tt.script)
			if !slices.Equal(got, tt.want) || (err != nil) != tt.err {
				t.Fatalf("gathered %v, %v; want %v, error %v", got, err, tt.want, tt.err)
			}
		})
	}
}

// TestClaimant: what counts as another host holding our address during
// an RFC 5227 probe.
func TestClaimant(t *testing.T) {
	ours := netip.MustParseAddr("198.18.3.2")
	ourMAC := net.HardwareAddr{2, 0x6e, 0x67, 3, 0, 2}
	other := net.HardwareAddr{2, 0x6e, 0x67, 3, 0, 0x77}
	for _, tc := range []struct {
		name string
		f    arpFrame
		want net.HardwareAddr
	}{
		{"reply to our probe", arpFrame{Reply: true, EthDst: ourMAC, SenderMAC: other, SenderIP: ours, TargetMAC: ourMAC, TargetIP: netip.IPv4Unspecified()}, other},
		{"the other host's own request from our address", arpFrame{EthDst: bcastMAC, SenderMAC: other, SenderIP: ours, TargetIP: netip.MustParseAddr("198.18.3.1")}, other},
		{"a gratuitous announcement of our address", arpFrame{EthDst: bcastMAC, SenderMAC: other, SenderIP: ours, TargetIP: ours}, other},
		{"our own request", arpFrame{EthDst: bcastMAC, SenderMAC: ourMAC, SenderIP: ours, TargetIP: netip.MustParseAddr("198.18.3.1")}, nil},
		{"another host probing our address (sender 0.0.0.0)", arpFrame{EthDst: bcastMAC, SenderMAC: other, SenderIP: netip.IPv4Unspecified(), TargetIP: ours}, nil},
		{"a reply for another address", arpFrame{Reply: true, EthDst: ourMAC, SenderMAC: other, SenderIP: netip.MustParseAddr("198.18.3.1"), TargetMAC: ourMAC, TargetIP: ours}, nil},
		{"a group sender MAC", arpFrame{Reply: true, SenderMAC: bcastMAC, SenderIP: ours}, nil},
		{"a zero sender MAC", arpFrame{Reply: true, SenderMAC: net.HardwareAddr{0, 0, 0, 0, 0, 0}, SenderIP: ours}, nil},
	} {
		if got := claimant(tc.f, ours, ourMAC); got.String() != tc.want.String() {
			t.Errorf("%s: claimant = %v, want %v", tc.name, got, tc.want)
		}
	}
	if got := claimant(arpFrame{SenderMAC: other}, netip.Addr{}, ourMAC); got != nil {
		t.Errorf("an invalid address is claimed by %v", got)
	}
}
