//go:build windows

package sys

import (
	"context"
	"net/netip"
	"testing"

	"github.com/netguard/netguard/checks/checkstest/wine"
	"github.com/netguard/netguard/checks/netstate"
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
	t.Run("OutputFilter", func(t *testing.T) {
		// The policy store is readable without elevation; the WFP filters
		// only elevated, and under Wine fwpuclnt's functions are stubs:
		// either way the store's part counts and Partial says why.
		fs := s.(netstate.FirewallReader).OutputFilter(ctx)
		if fs.Read != netstate.TriYes {
			t.Fatalf("OutputFilter = %+v", fs)
		}
		t.Logf("firewall %s: %d chain(s), partial: %v", fs.Source, len(fs.Chains), fs.Partial)
		if _, wine := wine.Version(); (wine || !IsPrivileged()) && fs.Partial == nil {
			t.Errorf("WFP filters read under Wine or without elevation: %+v", fs)
		}
	})
	t.Run("InspectTunnel", func(t *testing.T) {
		// Loopback is no WireGuard-NT adapter: an error, never a panic.
		var lo string
		for _, l := range links {
			if l.Loopback {
				lo = l.Name
			}
		}
		if _, err := s.(netstate.TunnelInspector).InspectTunnel(ctx, lo); err == nil {
			t.Errorf("InspectTunnel(%q) read a WireGuard-NT adapter", lo)
		} else {
			t.Logf("InspectTunnel(%q): %v", lo, err)
		}
	})
}
