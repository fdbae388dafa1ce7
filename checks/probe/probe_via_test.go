//go:build linux

package probe

import (
	"context"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/netguard/netguard/checks/netstate"
)

// Via binds its TCP socket to the interface: through loopback a local
// listener answers; bound to an interface without that route it cannot.
func TestViaBindsToTheInterface(t *testing.T) {
	lo, err := net.InterfaceByName("lo")
	if err != nil {
		t.Fatal(err)
	}
	port := acceptingPort(t)
	p := &NetProber{Interval: 10 * time.Millisecond, Attempts: 2}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, tcp := p.Via(ctx, netip.MustParseAddr("127.0.0.1"), []uint16{port}, netstate.Link{Index: lo.Index, Name: "lo"}, false)
	if !tcp.Answered || tcp.Refused {
		t.Fatalf("bound to lo: %+v, want an accepted connection", tcp)
	}
	_, tcp = p.Via(ctx, netip.MustParseAddr("127.0.0.1"), []uint16{port}, netstate.Link{Index: 999999, Name: "ng-no-such-if"}, false)
	if tcp.Answered || tcp.Err == nil {
		t.Fatalf("bound to a missing interface: %+v, want an error", tcp)
	}
}
