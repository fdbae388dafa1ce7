package probe

import (
	"context"
	"net/netip"
	"os"
	"testing"
	"time"
)

// The real prober against loopback only (the network rule): an accepting
// port, a refusing port, and the first answering port among several, as
// blackbox_exporter tests its TCP prober.
func TestNetProberTCP(t *testing.T) {
	open := acceptingPort(t)
	closed := freePort(t)
	lo := netip.MustParseAddr("127.0.0.1")
	p := Default()
	for _, tc := range []struct {
		name     string
		ports    []uint16
		refused  bool
		wantPort uint16
	}{
		{"accepting", []uint16{open}, false, open},
		{"refusing counts as an answer", []uint16{closed}, true, closed},
		{"refusal of the first port answers at once", []uint16{closed, open}, true, closed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			r := p.TCP(ctx, lo, tc.ports)
			if !r.Ran || !r.Answered || r.Refused != tc.refused || r.Err != nil {
				t.Fatalf("TCP(%v) = %+v", tc.ports, r)
			}
			if r.Target != netip.AddrPortFrom(lo, tc.wantPort) {
				t.Fatalf("target %s, want port %d", r.Target, tc.wantPort)
			}
			if r.RTT <= 0 || r.RTT > time.Second {
				t.Fatalf("rtt %s", r.RTT)
			}
		})
	}
}

// A probe whose deadline has already passed reports no answer, at once.
func TestNetProberExpiredDeadline(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), -time.Second)
	defer cancel()
	p := Default()
	t0 := time.Now()
	r := p.TCP(ctx, netip.MustParseAddr("127.0.0.1"), []uint16{freePort(t)})
	if r.Answered || r.Err == nil {
		t.Fatalf("TCP after deadline = %+v", r)
	}
	if d := time.Since(t0); d > 500*time.Millisecond {
		t.Fatalf("took %s", d)
	}
}

// ICMP to loopback answers as root (raw) and, where ping_group_range lets
// us, unprivileged; without permission it says so instead of "no reply".
func TestNetProberICMPLoopback(t *testing.T) {
	p := Default()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	priv := os.Geteuid() == 0
	r := p.ICMP(ctx, netip.MustParseAddr("127.0.0.1"), priv)
	if r.NoPermission {
		if priv || r.Answered || r.Err == nil {
			t.Fatalf("ICMP refused as euid %d: %+v", os.Geteuid(), r)
		}
		return // not measured, and said so: never "no reply"
	}
	if !r.Answered || r.Attempts < 1 || r.RTT <= 0 {
		t.Fatalf("ICMP 127.0.0.1 = %+v", r)
	}
}
