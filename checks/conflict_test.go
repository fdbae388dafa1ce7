package checks_test

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/netguard/netguard/checks/checkstest"
	"github.com/netguard/netguard/checks/diagnose"
	"github.com/netguard/netguard/checks/netstate"
)

// The RFC 5227 probe of our own IPv4 address is sent only as root and
// only once the IPv4 traffic looks wrong (here: nothing answering), along
// the other probes, and is never waited for: a claim that comes after
// them is not seen. A healthy run never sends it.
func TestConflictProbe(t *testing.T) {
	ourMAC := net.HardwareAddr{2, 0x6e, 0x67, 3, 0, 2}
	tests := []struct {
		name          string
		privileged    bool
		gatewaySilent bool
		claimRTT      time.Duration // 0: nobody claims the address
		wantIDs       []string
		wantDetail    string
		wantCalls     int32
	}{
		{"root, nothing answers: another MAC claims our address", true, true, 200 * time.Microsecond, []string{diagnose.AddressConflict.ID}, "", 1},
		{"root, nothing answers: nobody claims it", true, true, 0, []string{diagnose.GatewayNeighborWrong.ID}, "198.18.3.2: no other host claims it", 1},
		{"root, nothing answers: a claim after the probes ended is not waited for", true, true, 5 * time.Second, []string{diagnose.GatewayNeighborWrong.ID}, "198.18.3.2: no other host claims it", 1},
		{"root, healthy: never sent", true, false, 200 * time.Microsecond, nil, "", 0},
		{"unprivileged, nothing answers: not sent, and said so", false, true, 200 * time.Microsecond, []string{diagnose.GatewayNeighborWrong.ID}, "IPv4 address conflicts not probed: needs root", 0},
		{"unprivileged, healthy: nothing to say", false, false, 200 * time.Microsecond, nil, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := checkstest.NewLab(tt.privileged)
			l.Sys.LinkTable[0].MAC = ourMAC
			l.Prober.AnswerDelay = 5 * time.Millisecond
			if tt.gatewaySilent {
				l.Prober.Down(checkstest.Gateway)
				l.Prober.Down(checkstest.Ext)
			}
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
			if len(tt.wantIDs) > 0 && tt.wantIDs[0] == diagnose.AddressConflict.ID {
				f := r.Findings[0]
				if f.Severity != diagnose.SevError || !strings.Contains(f.Summary, spoofMAC.String()) || !strings.Contains(f.Summary, "198.18.3.2") {
					t.Errorf("finding = %s %q, want an error naming %s and 198.18.3.2", f.Severity, f.Summary, spoofMAC)
				}
				if r.Verdict != diagnose.Unhealthy || !strings.Contains(r.Summary, spoofMAC.String()) {
					t.Errorf("verdict = %s (%s), want unhealthy with the conflict as the root cause", r.Verdict, r.Summary)
				}
				return
			}
			for _, c := range r.Checks {
				if c.ID == "link" && (c.Status != diagnose.StatusPass || !strings.Contains(c.Detail, tt.wantDetail) || (tt.wantDetail == "" && strings.Contains(c.Detail, "198.18.3.2:"))) {
					t.Errorf("link = %s %q, want pass with %q", c.Status, c.Detail, tt.wantDetail)
				}
			}
		})
	}
}

// As root, a probe refused the raw socket or BPF device it needs
// (EACCES/EPERM) sent nothing: the link check says the conflict was not
// probed, as it does unprivileged, and no probe failure is reported.
func TestConflictProbeRefused(t *testing.T) {
	for _, errno := range []error{syscall.EACCES, syscall.EPERM} {
		l := checkstest.NewLab(true)
		l.Sys.LinkTable[0].MAC = net.HardwareAddr{2, 0x6e, 0x67, 3, 0, 2} // ARP runs on an Ethernet link
		l.Prober.AnswerDelay = 5 * time.Millisecond
		l.Prober.Down(checkstest.Gateway)
		l.Prober.Down(checkstest.Ext)
		l.Sys.AddrProbeErr = fmt.Errorf("arp probe 198.18.3.2 on eth0: open /dev/bpf0: %w", errno)
		r := l.Engine.Check(context.Background(), l.Options())
		if got := ids(r); !slices.Equal(got, []string{diagnose.GatewayNeighborWrong.ID}) {
			t.Fatalf("%v: findings = %v", errno, got)
		}
		want := "IPv4 address conflicts not probed: raw ARP not permitted (" + errno.Error() + ")"
		for _, c := range r.Checks {
			if c.ID == "link" && (c.Status != diagnose.StatusPass || !strings.Contains(c.Detail, want) || strings.Contains(c.Detail, "probe failed")) {
				t.Errorf("%v: link = %s %q, want pass with %q", errno, c.Status, c.Detail, want)
			}
		}
	}
}
