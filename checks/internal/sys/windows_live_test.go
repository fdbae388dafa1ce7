//go:build windows

package sys

import (
	"context"
	"net/netip"
	"testing"

	"github.com/netguard/netguard/checks/checkstest/wine"
)

// TestWindowsLiveSmoke reads the real tables; it runs only on Windows and
// changes nothing.
func TestWindowsLiveSmoke(t *testing.T) {
	ctx := context.Background()
	s := New()
	links, err := s.Links(ctx)
	if err != nil {
		t.Fatalf("Links: %v", err)
	}
	var loopback bool
	for _, l := range links {
		loopback = loopback || l.Loopback
		t.Logf("link %+v", l)
	}
	if !loopback {
		t.Error("no loopback link")
	}
	routes, err := s.Routes(ctx)
	if err != nil {
		t.Fatalf("Routes: %v", err)
	}
	for _, r := range routes {
		if r.Dst.Addr().IsMulticast() || r.Dst.Addr().IsLoopback() {
			t.Errorf("route %+v should have been left out", r)
		}
	}
	t.Run("RouteTo", func(t *testing.T) {
		wine.SkipIfGap(t, wine.GapBestRoute)
		r, err := s.RouteTo(ctx, netip.MustParseAddr("127.0.0.1"))
		if err != nil || !r.Dst.Contains(netip.MustParseAddr("127.0.0.1")) {
			t.Errorf("RouteTo(127.0.0.1) = %+v, %v", r, err)
		}
	})
	neigh, err := s.Neighbors(ctx)
	if err != nil {
		t.Fatalf("Neighbors: %v", err)
	}
	t.Logf("%d routes, %d neighbors", len(routes), len(neigh))
	st, err := s.Sockets(ctx)
	if err != nil {
		t.Fatalf("Sockets: %v", err)
	}
	if st.TCPSockets == 0 || st.EphemeralLow != windowsDynamicPortLow {
		t.Errorf("Sockets = %+v", st)
	}
	t.Logf("sockets %+v", st)
}
