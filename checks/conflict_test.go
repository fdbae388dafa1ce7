package checks_test

import (
	"context"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/netguard/netguard/checks/checkstest"
	"github.com/netguard/netguard/checks/diagnose"
	"github.com/netguard/netguard/checks/netstate"
)

// The RFC 5227 probe of our own IPv4 address runs only as root, alongside
// the other probes, and is never waited for: a claim that comes after them
// is not seen, and a healthy run takes no longer.
func TestConflictProbe(t *testing.T) {
	ourMAC := net.HardwareAddr{2, 0x6e, 0x67, 3, 0, 2}
	tests := []struct {
		name       string
		privileged bool
		claimRTT   time.Duration // 0: nobody claims the address
		wantIDs    []string
		wantDetail string
		wantCalls  int32
	}{
		{"root: another MAC claims our address", true, 200 * time.Microsecond, []string{diagnose.AddressConflict.ID}, "", 1},
		{"root: nobody claims it", true, 0, nil, "198.18.3.2: no other host claims it", 1},
		{"root: a claim after the probes ended is not waited for", true, 5 * time.Second, nil, "198.18.3.2: no other host claims it", 1},
		{"unprivileged: not sent, and said so", false, 200 * time.Microsecond, nil, "IPv4 address conflicts not probed: needs root", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := checkstest.NewLab(tt.privileged)
			l.Sys.LinkTable[0].MAC = ourMAC
			l.Prober.AnswerDelay = 5 * time.Millisecond
			var calls atomic.Int32
			l.Sys.AddrClaims = func(lk netstate.Link, a netip.Addr) []netstate.NeighborAnswer {
				calls.Add(1)
				if lk.Name != "eth0" || a != netip.MustParseAddr("198.18.3.2") {
					t.Errorf("probed %s on %s, want 198.18.3.2 on eth0", a, lk.Name)
				}
				if tt.claimRTT == 0 {
					return nil
				}
				return []netstate.NeighborAnswer{{MAC: spoofMAC, RTT: tt.claimRTT}}
			}
			t0 := time.Now()
			r := l.Engine.Check(context.Background(), l.Options())
			if took := time.Since(t0); took > 2*time.Second {
				t.Errorf("check took %v: the probe was waited for", took)
			}
			if got := ids(r); !slices.Equal(got, tt.wantIDs) {
				t.Fatalf("findings = %v, want %v", got, tt.wantIDs)
			}
			if n := calls.Load(); n != tt.wantCalls {
				t.Errorf("ProbeAddress called %d times, want %d", n, tt.wantCalls)
			}
			if len(tt.wantIDs) > 0 {
				f := r.Findings[0]
				if f.Severity != diagnose.SevWarning || !strings.Contains(f.Summary, spoofMAC.String()) || !strings.Contains(f.Summary, "198.18.3.2") {
					t.Errorf("finding = %s %q, want a warning naming %s and 198.18.3.2", f.Severity, f.Summary, spoofMAC)
				}
				if r.Verdict != diagnose.Degraded {
					t.Errorf("verdict = %s, want degraded while traffic works", r.Verdict)
				}
				return
			}
			for _, c := range r.Checks {
				if c.ID == "link" && (c.Status != diagnose.StatusPass || !strings.Contains(c.Detail, tt.wantDetail)) {
					t.Errorf("link = %s %q, want pass with %q", c.Status, c.Detail, tt.wantDetail)
				}
			}
		})
	}
}
