package checks_test

import (
	"context"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/netguard/netguard/checks/checkstest"
	"github.com/netguard/netguard/checks/diagnose"
	"github.com/netguard/netguard/checks/netstate"
)

// wgQuickLab is the fake lab with a wg-quick full tunnel: wg0, its default
// in table 51820 and its rules; every target's lookup answers through wg0.
func wgQuickLab(privileged bool) *checkstest.Lab {
	l := checkstest.NewLab(privileged)
	s := l.Sys
	s.LinkTable = append(s.LinkTable, netstate.Link{Index: 9, Name: "wg0", Kind: netstate.LinkTunnel, AdminUp: true, Carrier: true, MTU: 1420})
	s.RouteTable = append(s.RouteTable, netstate.Route{Dst: netip.MustParsePrefix("0.0.0.0/0"), IfIndex: 9, Table: 51820})
	s.RuleTable = []netstate.Rule{
		{Family: 4, Priority: 32764, Table: netstate.TableMain, SuppressPrefixLen: 0},
		{Family: 4, Priority: 32765, Table: 51820, Invert: true, Mark: 51820, Mask: 0xffffffff, SuppressPrefixLen: -1},
		{Family: 4, Priority: 32766, Table: netstate.TableMain, SuppressPrefixLen: -1},
	}
	s.TunnelTable = map[string]netstate.TunnelInfo{"wg0": {IfName: "wg0", Kind: "wireguard", Peers: []netstate.TunnelPeer{{Endpoint: netip.MustParseAddrPort("192.0.2.7:51820"), SinceHandshake: -1}}}}
	s.RouteToFunc = func(dst netip.Addr) (netstate.Route, error) {
		if netip.MustParsePrefix("198.18.3.0/24").Contains(dst) {
			return netstate.Route{Dst: netip.PrefixFrom(dst, 32), IfIndex: 2, Table: 254}, nil
		}
		return netstate.Route{Dst: netip.PrefixFrom(dst, 32), IfIndex: 9, Table: 51820}, nil
	}
	return l
}

// TestTunnelEngine: a working tunnel reads its rules and no tunnel state;
// a silent one is named by its device, with WireGuard's state read only
// as root.
func TestTunnelEngine(t *testing.T) {
	t.Run("live", func(t *testing.T) {
		l := wgQuickLab(true)
		r := l.Engine.Check(context.Background(), l.Options())
		if r.Verdict != diagnose.Healthy || len(l.Sys.TunnelReads) != 0 {
			t.Fatalf("verdict %s, findings %+v, tunnel reads %v", r.Verdict, r.Findings, l.Sys.TunnelReads)
		}
	})
	for _, priv := range []bool{true, false} {
		l := wgQuickLab(priv)
		l.Prober.Down(checkstest.Ext)
		o := l.Options()
		o.Timeout = 2 * time.Second
		r := l.Engine.Check(context.Background(), o)
		i := slices.IndexFunc(r.Findings, func(f diagnose.Finding) bool { return f.ID == diagnose.TunnelDead.ID })
		if r.Verdict != diagnose.Unhealthy || i < 0 {
			t.Fatalf("privileged %v: verdict %s, findings %+v", priv, r.Verdict, r.Findings)
		}
		s := r.Findings[i].Summary
		wantRead := priv
		if got := slices.Equal(l.Sys.TunnelReads, []string{"wg0"}); got != wantRead {
			t.Errorf("privileged %v: tunnel reads %v", priv, l.Sys.TunnelReads)
		}
		if want := "no handshake since the tunnel came up"; strings.Contains(s, want) != priv || !strings.Contains(s, "tunnel wg0") || !strings.Contains(s, "table 51820") {
			t.Errorf("privileged %v: summary %q", priv, s)
		}
	}
}
