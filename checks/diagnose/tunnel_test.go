package diagnose

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/netguard/netguard/checks/netstate"
)

// wgQuick makes s a wg-quick full tunnel: device wg0 (index 9), its
// default route in table 51820 and its two rules; the targets' lookups
// answer from table 51820 through wg0.
func wgQuick(s *netstate.State) {
	s.Links = append(s.Links, netstate.Link{Index: 9, Name: "wg0", Kind: netstate.LinkTunnel, AdminUp: true, Carrier: true, Addrs: []netip.Prefix{netip.MustParsePrefix("10.66.0.2/32")}})
	s.Routes = append(s.Routes, netstate.Route{Dst: netip.MustParsePrefix("0.0.0.0/0"), IfIndex: 9, IfName: "wg0", Table: 51820})
	s.Rules = []netstate.Rule{
		{Family: 4, Priority: 0, Action: netstate.RuleLookup, Table: netstate.TableLocal, SuppressPrefixLen: -1},
		{Family: 4, Priority: 32764, Action: netstate.RuleLookup, Table: netstate.TableMain, SuppressPrefixLen: 0},
		{Family: 4, Priority: 32765, Action: netstate.RuleLookup, Table: 51820, Invert: true, Mark: 51820, Mask: 0xffffffff, SuppressPrefixLen: -1},
		{Family: 4, Priority: 32766, Action: netstate.RuleLookup, Table: netstate.TableMain, SuppressPrefixLen: -1},
	}
	for i := range s.V4.External {
		t := &s.V4.External[i]
		t.Route = netstate.Route{Dst: netip.PrefixFrom(t.Addr, 32), IfIndex: 9, IfName: "wg0", Src: netip.MustParseAddr("10.66.0.2"), Table: 51820}
	}
}

// utunFull makes s a macOS full tunnel: device utun3 (index 9) with
// wg-quick's 0/1 and 128/1 routes; the targets' lookups answer through it.
func utunFull(s *netstate.State) {
	s.Links = append(s.Links, netstate.Link{Index: 9, Name: "utun3", Kind: netstate.LinkTunnel, AdminUp: true, Carrier: true, Addrs: []netip.Prefix{netip.MustParsePrefix("10.66.0.2/32")}})
	for _, p := range []string{"0.0.0.0/1", "128.0.0.0/1"} {
		s.Routes = append(s.Routes, netstate.Route{Dst: netip.MustParsePrefix(p), IfIndex: 9, IfName: "utun3"})
	}
	for i := range s.V4.External {
		t := &s.V4.External[i]
		t.Route = netstate.Route{Dst: netip.PrefixFrom(t.Addr, 32), IfIndex: 9, IfName: "utun3", Src: netip.MustParseAddr("10.66.0.2")}
	}
}

// tunnelSilent makes every IPv4 target silent through the tunnel.
func tunnelSilent(s *netstate.State) {
	for i := range s.V4.External {
		t := &s.V4.External[i]
		t.ICMP, t.TCP = silent(netstate.ProbeICMP, t.Addr), silent(netstate.ProbeTCP, t.Addr)
	}
}

// wgQuickDualStack is wgQuick with IPv6 too (AllowedIPs 0.0.0.0/0, ::/0,
// as VPN providers hand out): wg-quick adds the same two rules for IPv6
// and a ::/0 route in table 51820; both families' targets go silent.
func wgQuickDualStack(s *netstate.State) {
	dualStack(s)
	wgQuick(s)
	tunnelSilent(s)
	s.Routes = append(s.Routes, netstate.Route{Dst: netip.MustParsePrefix("::/0"), IfIndex: 9, IfName: "wg0", Table: 51820})
	for _, r := range slices.Clone(s.Rules) {
		r.Family = 6
		s.Rules = append(s.Rules, r)
	}
	for i := range s.V6.External {
		t := &s.V6.External[i]
		t.Route = netstate.Route{Dst: netip.PrefixFrom(t.Addr, 128), IfIndex: 9, IfName: "wg0", Src: netip.MustParseAddr("fd66::2"), Table: 51820}
		t.ICMP, t.TCP = silent(netstate.ProbeICMP, t.Addr), silent(netstate.ProbeTCP, t.Addr)
	}
}

// tunnelCases are the cases of TestDiagnose about policy routing and
// tunnels.
var tunnelCases = []diagCase{
	{name: "wg-quick full tunnel that works is healthy", mutate: wgQuick, verdict: Healthy},
	{name: "wg-quick full tunnel whose server is gone names the device, its table and rule", mutate: func(s *netstate.State) {
		wgQuick(s)
		tunnelSilent(s)
	}, want: []string{"tunnel-dead"}, verdict: Unhealthy, manual: "sudo ip route del 0.0.0.0/0 dev wg0 table 51820"},
	{name: "dead WireGuard tunnel, read as root: the last handshake is the evidence, wg-quick down the step", mutate: func(s *netstate.State) {
		wgQuick(s)
		tunnelSilent(s)
		s.Tunnels = []netstate.TunnelInfo{{IfName: "wg0", Kind: "wireguard", Peers: []netstate.TunnelPeer{{Endpoint: netip.MustParseAddrPort("192.0.2.7:51820"), SinceHandshake: 3 * time.Minute}}}}
	}, want: []string{"tunnel-dead"}, verdict: Unhealthy, manual: "sudo wg-quick down wg0"},
	{name: "macOS wg-quick tunnel whose server is gone: its configuration named from the name file, wg-quick down the step", oses: []string{"darwin"}, mutate: func(s *netstate.State) {
		utunFull(s)
		tunnelSilent(s)
		s.Tunnels = []netstate.TunnelInfo{{IfName: "utun3", Kind: "wireguard", WGQuick: "wg0", Peers: []netstate.TunnelPeer{{Endpoint: netip.MustParseAddrPort("192.0.2.7:51820"), SinceHandshake: -1}}}}
	}, want: []string{"tunnel-dead"}, verdict: Unhealthy, manual: "sudo wg-quick down wg0"},
	{name: "macOS VPN app's utun (a network extension, no socket) gone silent: the silence is the evidence", oses: []string{"darwin"}, mutate: func(s *netstate.State) {
		utunFull(s)
		tunnelSilent(s)
		s.Tunnels = []netstate.TunnelInfo{{IfName: "utun3", Err: fmt.Errorf("inspect tunnel utun3: no WireGuard configuration socket: %w", netstate.ErrTunnelSilent)}}
	}, want: []string{"tunnel-dead"}, verdict: Unhealthy, manual: "scutil --nc list"},
	{name: "dual-stack wg-quick tunnel whose server is gone: the IPv6 side's steps read IPv6's rules and table", mutate: wgQuickDualStack,
		want: []string{"tunnel-dead", "tunnel-dead"}, verdict: Unhealthy, manual: "ip -6 route show table 51820"},
	{name: "Tailscale exit node (table 52) gone silent", mutate: func(s *netstate.State) {
		s.Links = append(s.Links, netstate.Link{Index: 9, Name: "tailscale0", Kind: netstate.LinkTunnel, AdminUp: true, Carrier: true})
		s.Routes = append(s.Routes, netstate.Route{Dst: netip.MustParsePrefix("0.0.0.0/0"), IfIndex: 9, IfName: "tailscale0", Table: 52})
		s.Rules = []netstate.Rule{
			{Family: 4, Priority: 5210, Action: netstate.RuleLookup, Table: netstate.TableMain, Mark: 0x80000, Mask: 0xff0000, SuppressPrefixLen: -1},
			{Family: 4, Priority: 5270, Action: netstate.RuleLookup, Table: 52, SuppressPrefixLen: -1},
		}
		for i := range s.V4.External {
			t := &s.V4.External[i]
			t.Route = netstate.Route{Dst: netip.PrefixFrom(t.Addr, 32), IfIndex: 9, IfName: "tailscale0", Table: 52}
		}
		tunnelSilent(s)
	}, want: []string{"tunnel-dead"}, verdict: Unhealthy, manual: "ip route show table 52"},
	{name: "a VPN whose default route in main goes silent (OpenVPN redirect-gateway) is named by its device", mutate: func(s *netstate.State) {
		s.Links = append(s.Links, netstate.Link{Index: 9, Name: "tun0", Kind: netstate.LinkTunnel, AdminUp: true, Carrier: true, Addrs: []netip.Prefix{netip.MustParsePrefix("10.8.0.6/24")}})
		r := netstate.Route{Dst: netip.MustParsePrefix("0.0.0.0/0"), IfIndex: 9, IfName: "tun0", Table: 254}
		s.Routes = append(s.Routes, r)
		// The default route through tun0 has no next hop: no gateway probed.
		s.V4.Default, s.V4.Gateway, s.V4.GatewayProbe = &r, netip.Addr{}, nil
		for i := range s.V4.External {
			t := &s.V4.External[i]
			t.Route = netstate.Route{Dst: netip.PrefixFrom(t.Addr, 32), IfIndex: 9, IfName: "tun0", Table: 254}
		}
		tunnelSilent(s)
	}, want: []string{"default-route-vpn", "tunnel-dead"}, verdict: Unhealthy, manual: "sudo ip route del 0.0.0.0/0 dev tun0 table main"},
	{name: "a tunnel without carrier is a diverted route the tables prove, not a silent tunnel", mutate: func(s *netstate.State) {
		wgQuick(s)
		s.Links[len(s.Links)-1].Carrier = false
		for i := range s.V4.External {
			t := &s.V4.External[i]
			t.ICMP, t.TCP = netstate.ProbeResult{}, netstate.ProbeResult{}
		}
	}, want: []string{"target-route-diverted"}, verdict: Unhealthy, manual: "sudo ip route del 0.0.0.0/0 dev wg0 table 51820"},
}

// TestTunnelDeadDarwinSteps holds that wg-quick down is offered on macOS
// only for a utun a wg-quick name file maps, with that configuration's
// name, never with the utun's, which wg-quick would not know.
func TestTunnelDeadDarwinSteps(t *testing.T) {
	for _, tt := range []struct {
		name string
		info netstate.TunnelInfo
		want string // a step that must be there
		not  string // text no step may hold
	}{
		{"wg-quick", netstate.TunnelInfo{IfName: "utun3", Kind: "wireguard", WGQuick: "office"}, "sudo wg-quick down office", "utun3  # the wg-quick"},
		{"wireguard-go by hand", netstate.TunnelInfo{IfName: "utun3", Kind: "wireguard"}, "scutil --nc list", "wg-quick down"},
		{"app", netstate.TunnelInfo{IfName: "utun3", Err: netstate.ErrTunnelSilent}, "scutil --nc list", "wg-quick down"},
	} {
		s := healthyState("darwin")
		utunFull(s)
		tunnelSilent(s)
		s.Tunnels = []netstate.TunnelInfo{tt.info}
		var steps []string
		for _, f := range Diagnose(s).Findings {
			if f.ID == TunnelDead.ID {
				steps = f.ManualSteps("darwin")
			}
		}
		all := strings.Join(steps, "\n")
		if !strings.Contains(all, tt.want) || strings.Contains(all, tt.not) {
			t.Errorf("%s: steps\n%s\nwant %q, never %q", tt.name, all, tt.want, tt.not)
		}
	}
}

// TestRouteNamesUsedRoute holds that the route check reports the route the
// kernel's lookup chose, with its table and rule, not only the main
// table's default.
func TestRouteNamesUsedRoute(t *testing.T) {
	s := healthyState("linux")
	wgQuick(s)
	dg := Diagnose(s)
	for _, c := range dg.Checks {
		if c.ID != "route" {
			continue
		}
		want := "203.0.113.5 uses 0.0.0.0/0 dev wg0 table 51820 (rule 32765: not from all fwmark 0xca6c lookup 51820)"
		if c.Status != StatusPass || !strings.Contains(c.Detail, want) {
			t.Errorf("route: %s %q, want pass naming %q", c.Status, c.Detail, want)
		}
		return
	}
	t.Fatal("no route check")
}

// TestWindowsTunnelAdapterNamed: on Windows a tunnel adapter is named with
// its driver's description (which VPN's it is), and the holder's error
// says why no process can be named.
func TestWindowsTunnelAdapterNamed(t *testing.T) {
	evidence := func(d Diagnosis, id string) string {
		for _, f := range d.Findings {
			if f.ID == id {
				return strings.Join(f.Evidence, "\n")
			}
		}
		t.Fatalf("no %s in %v", id, d.Findings)
		return ""
	}
	s := healthyState("windows")
	s.Links = append(s.Links, netstate.Link{Index: 9, Name: "wg0", Kind: netstate.LinkTunnel, Tunnel: true, AdminUp: true, Carrier: true, Description: "WireGuard Tunnel"})
	for i := range s.V4.External {
		t := &s.V4.External[i]
		t.Route = netstate.Route{Dst: netip.MustParsePrefix("0.0.0.0/1"), IfIndex: 9, IfName: "wg0", Table: 254}
	}
	s.Routes = append(s.Routes, s.V4.External[0].Route)
	tunnelSilent(s)
	if ev := evidence(Diagnose(s), "tunnel-dead"); !strings.Contains(ev, "wg0 is a WireGuard Tunnel adapter") {
		t.Errorf("tunnel-dead evidence lacks the adapter's driver:\n%s", ev)
	}

	s = healthyState("windows")
	fakeIPTun(s, "Clash")
	s.Links[len(s.Links)-1].Description = "Wintun Userspace Tunnel"
	s.TunApp.HoldersErr = fmt.Errorf("Clash (Wintun Userspace Tunnel): Windows has no public API naming the process that holds a Wintun or WireGuard-NT adapter: %w", netstate.ErrUnsupported)
	ev := evidence(Diagnose(s), "proxy-fake-ip")
	for _, want := range []string{"default route via Clash (tunnel: Wintun Userspace Tunnel)", "holder of Clash: Clash (Wintun Userspace Tunnel): Windows has no public API"} {
		if !strings.Contains(ev, want) {
			t.Errorf("proxy-fake-ip evidence lacks %q:\n%s", want, ev)
		}
	}
}
