package checks_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/netguard/netguard/checks/checkstest"
	"github.com/netguard/netguard/checks/diagnose"
	"github.com/netguard/netguard/checks/netstate"
)

// fwFake adds a readable nftables ruleset to the fake system.
type fwFake struct {
	*checkstest.FakeSystem
	fs netstate.FirewallState
}

func (f *fwFake) OutputFilter(context.Context) netstate.FirewallState { return f.fs }

func oifAccept(h uint64, name string) netstate.FWRule {
	return netstate.FWRule{Handle: h, Match: []netstate.FWMatch{{Field: netstate.FWOIfName, Names: []string{name}}}, Verdict: netstate.FWAccept}
}

// A kill switch read from the rules proves the silence of what it drops:
// the engine sends no probe there, and the diagnosis names it; a firewall
// that lets the uplink through changes nothing.
func TestCollectFirewall(t *testing.T) {
	for _, tc := range []struct {
		name   string
		accept string // the interface the policy-drop chain lets through
		pf     bool   // pf's shape: no policy, "block drop out all" after the pass (pf's last match wins, so read reversed)
		probed bool
		want   []string
	}{
		{name: "kill switch without its tunnel", accept: "wg0", probed: false, want: []string{diagnose.FirewallKillSwitch.ID}},
		{name: "a policy drop that lets the uplink through", accept: "eth0", probed: true, want: nil},
		{name: "pf kill switch without its tunnel", accept: "utun3", pf: true, probed: false, want: []string{diagnose.FirewallKillSwitch.ID}},
		{name: "pf kill switch that lets the uplink through", accept: "eth0", pf: true, probed: true, want: nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := checkstest.NewLab(true)
			fs := netstate.FirewallState{Read: netstate.TriYes, Source: "nftables", Chains: []netstate.FWChain{
				{Family: "inet", Table: "killswitch", Name: "output", Hook: "output", Policy: netstate.FWDrop, Rules: []netstate.FWRule{oifAccept(2, "lo"), oifAccept(3, tc.accept)}},
			}}
			if tc.pf {
				fs = netstate.FirewallState{Read: netstate.TriYes, Source: "pf", Chains: []netstate.FWChain{
					{Table: "pf", Name: "main ruleset", Hook: "output", Policy: netstate.FWAccept, Rules: []netstate.FWRule{
						oifAccept(1, tc.accept), {Handle: 0, Verdict: netstate.FWDrop, Text: "block drop out all"}}},
				}}
			}
			sys := &fwFake{FakeSystem: l.Sys, fs: fs}
			eng := l.Engine
			eng.Sys = sys
			if !tc.probed {
				// Silent, as the kill switch makes them, should a probe go.
				delete(l.Prober.ICMPBy, checkstest.Ext)
				delete(l.Prober.TCPBy, checkstest.Ext)
				delete(l.Prober.ICMPBy, checkstest.Gateway)
				delete(l.Prober.TCPBy, checkstest.Gateway)
			}
			s := eng.Collect(context.Background(), l.Options())
			if s.Firewall.Read != netstate.TriYes {
				t.Fatalf("firewall not read: %+v", s.Firewall)
			}
			sent := slices.ContainsFunc(l.Prober.Asked, func(a string) bool { return strings.HasSuffix(a, " "+checkstest.Ext.String()) })
			if sent != tc.probed {
				t.Errorf("external target probed = %v, want %v (asked %q)", sent, tc.probed, l.Prober.Asked)
			}
			d := diagnose.Diagnose(s)
			var got []string
			for _, f := range d.Findings {
				if f.Severity != diagnose.SevInfo {
					got = append(got, f.ID)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("findings %v, want %v: %+v", got, tc.want, d.Findings)
			}
		})
	}
}
