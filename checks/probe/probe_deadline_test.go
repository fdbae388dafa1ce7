package probe

import (
	"context"
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/netguard/netguard/checks/netstate"
)

// A probe that starts at or after its deadline reports no reply without
// sending anything: pro-bing panics on a non-positive timeout.
func TestICMPAfterDeadline(t *testing.T) {
	lo := netip.MustParseAddr("127.0.0.1")
	past, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Millisecond))
	defer cancel()
	for _, priv := range []bool{false, true} {
		r := Default().ICMP(past, lo, priv)
		if r.Answered || r.Attempts != 0 || !errors.Is(r.Err, netstate.ErrNoReply) || r.NoPermission {
			t.Errorf("privileged=%v after the deadline: %+v, want no reply and no attempt", priv, r)
		}
	}
	// A deadline so close it passes while the probe is set up, many
	// times over: never a panic.
	for range 200 {
		ctx, cancel := context.WithTimeout(context.Background(), time.Microsecond)
		Default().ICMP(ctx, lo, false)
		cancel()
	}
}

// A NetProber without an Interval (a literal) uses the default rather than
// a zero ticker, which would panic.
func TestProberZeroInterval(t *testing.T) {
	port := acceptingPort(t)
	p := &NetProber{Attempts: 1}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	r := p.TCP(ctx, netip.MustParseAddr("127.0.0.1"), []uint16{port, port})
	if !r.Answered {
		t.Errorf("TCP to a loopback listener: %+v", r)
	}
	ctx2, cancel2 := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel2()
	p.ICMP(ctx2, netip.MustParseAddr("127.0.0.1"), false) // must not panic
}
