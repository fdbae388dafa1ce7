package checks_test

import (
	"context"
	"net/netip"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/netguard/netguard/checks"
	"github.com/netguard/netguard/checks/checkstest"
	"github.com/netguard/netguard/checks/diagnose"
	"github.com/netguard/netguard/checks/netstate"
)

// The engine asks the OS layer which managers are in charge and gives
// their steps only; a rung a manager would run is neither tried nor
// offered where that manager is not running.
func TestEngineStepsFollowManagers(t *testing.T) {
	srv := netip.MustParseAddrPort("203.0.113.53:53")
	refused := netstate.DNSResult{Ran: true, Name: "www.lab.test", Err: syscall.ECONNREFUSED,
		Servers: []netstate.DNSServerResult{{Server: srv, Err: syscall.ECONNREFUSED}}}
	for _, tc := range []struct {
		name        string
		managers    netstate.Managers
		unsupported []netstate.Rung
		want, not   []string
		fixCalls    []string
	}{
		{"has none", netstate.Managers{Known: true}, []netstate.Rung{netstate.RungFlushDNS, netstate.RungReapplyInterface},
			[]string{"cat /etc/resolv.conf  # the name servers asked", "getent hosts www.lab.test"},
			[]string{"resolvectl", "systemd-resolved", "nmcli", "guard fix"}, nil},
		{"has NetworkManager and systemd-resolved", netstate.Managers{Known: true, InCharge: netstate.MgrNetworkManager | netstate.MgrResolved}, nil,
			[]string{"resolvectl query www.lab.test", "nmcli device show  # the DNS servers NetworkManager got", "guard fix  # tries the safe repairs for this (guard run -- CMD: then starts CMD)"},
			[]string{"networkctl"}, []string{"flush-dns"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lab := checkstest.NewLab(true)
			lab.Sys.Managers, lab.Sys.Unsupported = tc.managers, tc.unsupported
			lab.Prober.DNSFunc = func() netstate.DNSResult { return refused }
			r := lab.Engine.Check(context.Background(), lab.Options())
			if r.Verdict != diagnose.Unhealthy {
				t.Fatalf("verdict %s: %+v", r.Verdict, r.Findings)
			}
			for _, w := range tc.want {
				if !slices.Contains(r.ManualSteps, w) {
					t.Errorf("steps %q lack %q", r.ManualSteps, w)
				}
			}
			for _, n := range tc.not {
				if slices.ContainsFunc(r.ManualSteps, func(s string) bool { return strings.Contains(s, n) }) {
					t.Errorf("steps %q name %q", r.ManualSteps, n)
				}
			}
			lab.Sys.Calls = nil
			lab.Engine.Fix(context.Background(), lab.Options(), checks.FixOptions{})
			if !slices.Equal(lab.Sys.Calls, tc.fixCalls) {
				t.Errorf("fix ran %q, want %q", lab.Sys.Calls, tc.fixCalls)
			}
		})
	}
}
