//go:build linux

package probe

import (
	"context"
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/netguard/netguard/checks/netstate"
)

// The don't-fragment echo over loopback: a packet that fits is answered;
// one larger than the interface's MTU (here, than any IP packet) fails at
// once with EMSGSIZE, which
// is what a learnt smaller path MTU looks like.
func TestLargeEchoLoopback(t *testing.T) {
	p := &NetProber{Interval: 10 * time.Millisecond, Attempts: 3}
	priv := os.Geteuid() == 0
	for _, dst := range []netip.Addr{netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("::1")} {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		r := p.LargeEcho(ctx, dst, 1500, priv)
		cancel()
		if r.NoPermission {
			t.Fatalf("%s: no echo socket for this user (%v): run as root or allow ping_group_range", dst, r.Err)
		}
		if !r.Answered || r.Err != nil {
			t.Errorf("%s: 1500-byte DF echo over loopback: %+v, want an answer", dst, r)
		}
		ctx, cancel = context.WithTimeout(context.Background(), time.Second)
		t0 := time.Now()
		r = p.LargeEcho(ctx, dst, 70000, priv)
		cancel()
		m := netstate.PMTUResult{Probe: r}
		if r.Answered || !m.FragNeeded() || time.Since(t0) > 200*time.Millisecond {
			t.Errorf("%s: 70000-byte DF echo: %+v after %v, want EMSGSIZE at once", dst, r, time.Since(t0))
		}
	}
}
