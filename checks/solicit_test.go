package checks_test

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/netguard/netguard/checks"
	"github.com/netguard/netguard/checks/checkstest"
	"github.com/netguard/netguard/checks/diagnose"
	"github.com/netguard/netguard/checks/netstate"
)

var spoofMAC = net.HardwareAddr{2, 0, 0, 0, 3, 0x99}

func answers(as ...netstate.NeighborAnswer) func(netstate.Link, netip.Addr) []netstate.NeighborAnswer {
	return func(netstate.Link, netip.Addr) []netstate.NeighborAnswer { return as }
}

func ids(r *checks.Report) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, f.ID)
	}
	return out
}

// Which answers the solicitation keeps, and what root guard fix does with
// them: a permanent entry is deleted only when traffic through it fails
// and exactly one other MAC answered within the window.
func TestFixJudgesThePinByAnswersAndTraffic(t *testing.T) {
	tests := []struct {
		name  string
		setup func(l *checkstest.Lab)
		// wantCalls are the changes made; nil: none.
		wantCalls []string
		finding   string // a finding the first check must give; "" for none
		healthy   bool
	}{
		{
			// A right pin, a gateway that ignores probes, an internet 45 ms
			// away, and an attacker answering ARP for the gateway at once:
			// the internet's answer clears the gateway; nothing is deleted.
			name: "spoofed answer while traffic through the pin works",
			setup: func(l *checkstest.Lab) {
				l.PinGateway()
				l.Prober.Down(checkstest.Gateway)
				l.Prober.AnswerDelay = 45 * time.Millisecond
				l.Sys.SolicitAnswers = answers(netstate.NeighborAnswer{MAC: spoofMAC, RTT: 200 * time.Microsecond})
			},
			healthy: true,
		},
		{
			name: "the gateway and a spoofer both answer, traffic silent",
			setup: func(l *checkstest.Lab) {
				l.BreakGatewayMAC(true)
				l.Sys.SolicitFunc = nil
				l.Sys.SolicitAnswers = answers(
					netstate.NeighborAnswer{MAC: spoofMAC, RTT: 200 * time.Microsecond},
					netstate.NeighborAnswer{MAC: checkstest.GoodMAC, RTT: time.Millisecond})
			},
			finding: diagnose.GatewayNeighborAmbiguous.ID,
		},
		{
			name: "the pinned MAC and another both answer, traffic silent",
			setup: func(l *checkstest.Lab) {
				l.BreakGatewayMAC(true)
				l.Sys.SolicitFunc = nil
				l.Sys.SolicitAnswers = answers(
					netstate.NeighborAnswer{MAC: checkstest.BadMAC, RTT: time.Millisecond},
					netstate.NeighborAnswer{MAC: checkstest.GoodMAC, RTT: 2 * time.Millisecond})
			},
			finding: diagnose.GatewayNeighborAmbiguous.ID,
		},
		{
			name: "one other MAC, answering repeatedly, traffic silent: proven wrong",
			setup: func(l *checkstest.Lab) {
				l.BreakGatewayMAC(true)
				l.Sys.SolicitFunc = nil
				l.Sys.SolicitAnswers = answers(
					netstate.NeighborAnswer{MAC: checkstest.GoodMAC, RTT: time.Millisecond},
					netstate.NeighborAnswer{MAC: checkstest.GoodMAC, RTT: 41 * time.Millisecond},
					netstate.NeighborAnswer{MAC: checkstest.GoodMAC, RTT: 81 * time.Millisecond})
			},
			finding:   diagnose.GatewayNeighborStatic.ID,
			wantCalls: []string{"delete-neighbor eth0 198.18.3.1"},
		},
		{
			// The spoofer's answer comes before the window closes, the
			// gateway's only after: what came late is not seen, and the
			// one answer left alone never deletes a right pin.
			name: "the only answer comes after the window",
			setup: func(l *checkstest.Lab) {
				l.BreakGatewayMAC(true)
				l.Sys.SolicitFunc = nil
				l.Sys.SolicitAnswers = answers(netstate.NeighborAnswer{MAC: checkstest.GoodMAC, RTT: time.Minute})
			},
			finding: diagnose.GatewayNeighborStatic.ID,
		},
		{
			name: "nothing answers address resolution",
			setup: func(l *checkstest.Lab) {
				l.BreakGatewayMAC(true)
				l.Sys.SolicitFunc = nil
			},
			finding: diagnose.GatewayNeighborStatic.ID,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := checkstest.NewLab(true)
			tt.setup(l)
			first := l.Engine.Check(context.Background(), l.Options())
			if tt.finding != "" && !slices.Contains(ids(first), tt.finding) {
				t.Fatalf("check: findings %v, want %s", ids(first), tt.finding)
			}
			if tt.healthy && first.Verdict != diagnose.Healthy {
				t.Fatalf("check: verdict %s, findings %v", first.Verdict, ids(first))
			}
			l.Sys.Calls = nil
			r := l.Engine.Fix(context.Background(), l.Options(), checks.FixOptions{})
			if !slices.Equal(l.Sys.Calls, tt.wantCalls) {
				t.Fatalf("fix changed %v, want %v (verdict %s, findings %v)", l.Sys.Calls, tt.wantCalls, r.Verdict, ids(r))
			}
		})
	}
}

// A proven-wrong pin is reported with the one MAC that answered as
// evidence.
func TestSolicitEvidenceNamesTheAnswer(t *testing.T) {
	l := checkstest.NewLab(true)
	l.BreakGatewayMAC(true)
	r := l.Engine.Check(context.Background(), l.Options())
	i := slices.IndexFunc(r.Findings, func(f diagnose.Finding) bool { return f.ID == diagnose.GatewayNeighborStatic.ID })
	if i < 0 {
		t.Fatalf("findings %v", ids(r))
	}
	if !slices.ContainsFunc(r.Findings[i].Evidence, func(e string) bool {
		return strings.Contains(e, "answered address resolution from "+checkstest.GoodMAC.String())
	}) {
		t.Errorf("evidence %q does not show the answer", r.Findings[i].Evidence)
	}
}

// The privileged helper deletes a permanent entry only when it finds it
// wrong itself: the gateway silent through it, and exactly one other MAC
// answering. Anything else is refused before any change.
func TestRepairRefusesARightPin(t *testing.T) {
	del := checks.Action{Rung: netstate.RungDeleteNeighbor, IfName: "eth0", IP: checkstest.Gateway}
	tests := []struct {
		name  string
		setup func(l *checkstest.Lab)
		want  string // in the refusal
	}{
		{"the gateway answers through the pin", func(l *checkstest.Lab) { l.PinGateway() }, "answers through its permanent entry"},
		{"the gateway answers late through the pin", func(l *checkstest.Lab) {
			l.PinGateway()
			l.Prober.AnswerDelay = 300 * time.Millisecond
		}, "answers through its permanent entry"},
		{"several MACs answer", func(l *checkstest.Lab) {
			l.BreakGatewayMAC(true)
			l.Sys.SolicitAnswers = answers(netstate.NeighborAnswer{MAC: spoofMAC, RTT: time.Millisecond}, netstate.NeighborAnswer{MAC: checkstest.GoodMAC, RTT: time.Millisecond})
		}, "several MACs"},
		{"nothing answers address resolution", func(l *checkstest.Lab) {
			l.BreakGatewayMAC(true)
			l.Sys.SolicitFunc = nil
		}, "not proven wrong"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := checkstest.NewLab(true)
			tt.setup(l)
			err := l.Engine.Repair(context.Background(), del)
			if !errors.Is(err, checks.ErrNotAuthorized) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Repair = %v, want a refusal saying %q", err, tt.want)
			}
			if len(l.Sys.Calls) != 0 {
				t.Fatalf("refused, yet changed %v", l.Sys.Calls)
			}
		})
	}
}
