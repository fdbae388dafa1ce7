package diagnose

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/netguard/netguard/checks/netstate"
)

// fwRead gives s a readable nftables ruleset of these output chains.
func fwRead(s *netstate.State, chains ...netstate.FWChain) {
	s.Firewall = netstate.FirewallState{Read: netstate.TriYes, Source: "nftables", Chains: chains}
}

// fwReadBoth gives s nftables' chains and the legacy iptables back end's.
func fwReadBoth(s *netstate.State, nft []netstate.FWChain, legacy ...netstate.FWChain) {
	s.Firewall = netstate.FirewallState{Read: netstate.TriYes, Source: "nftables, iptables-legacy", Chains: append(nft, legacy...)}
}

// legacyOutput is the legacy iptables filter table's OUTPUT chain.
func legacyOutput(policy netstate.FWVerdict, rules ...netstate.FWRule) netstate.FWChain {
	return netstate.FWChain{Family: "ip", Table: "filter", Name: "OUTPUT", Hook: "output", Policy: policy, Backend: netstate.BackendIPTablesLegacy, Rules: rules}
}

// winFW is Windows Firewall's outbound chain for the Public profile, as
// the policy store reader builds it.
func winFW(policy netstate.FWVerdict, rules ...netstate.FWRule) netstate.FirewallState {
	return netstate.FirewallState{Read: netstate.TriYes, Source: "Windows Firewall policy store", Chains: []netstate.FWChain{{
		Table: "Windows Firewall", Name: "outbound, Public profile", Hook: "output", Policy: policy, Rules: rules,
	}}}
}

// wfpSublayer is a WFP sublayer as the filtering-platform reader maps it.
func wfpSublayer(owner string, rules ...netstate.FWRule) netstate.FWChain {
	return netstate.FWChain{Table: "WFP", Name: owner + " sublayer", Hook: "output", Policy: netstate.FWAccept, Rules: rules}
}

func fwOutput(policy netstate.FWVerdict, rules ...netstate.FWRule) netstate.FWChain {
	return netstate.FWChain{Family: "inet", Table: "filter", Name: "output", Hook: "output", Policy: policy, Rules: rules}
}

func tcpDport(p uint16) []netstate.FWMatch {
	return []netstate.FWMatch{
		{Field: netstate.FWL4Proto, Protos: []uint8{netstate.ProtoTCP}},
		{Field: netstate.FWDPort, Ports: []netstate.PortRange{{Lo: p, Hi: p}}},
	}
}

func oifAccept(h uint64, name string) netstate.FWRule {
	return netstate.FWRule{Handle: h, Match: []netstate.FWMatch{{Field: netstate.FWOIfName, Names: []string{name}}}, Verdict: netstate.FWAccept, Text: `oifname "` + name + `" accept`}
}

// pfRead gives s pf's rules as the macOS layer reads them: one chain,
// the quick rules first in pf's order, then the others reversed (pf's
// last match wins), then pass.
func pfRead(s *netstate.State, rules ...netstate.FWRule) {
	s.Firewall = netstate.FirewallState{Read: netstate.TriYes, Source: "pf", Chains: []netstate.FWChain{{
		Table: "pf", Name: "main ruleset", Hook: "output", Policy: netstate.FWAccept, Rules: rules,
	}}}
}

// pfOnAccept is pf's "pass out on <name> all".
func pfOnAccept(nr uint64, anchor, name string) netstate.FWRule {
	return netstate.FWRule{Handle: nr, Anchor: anchor, Match: []netstate.FWMatch{{Field: netstate.FWOIfName, Names: []string{name}}},
		Verdict: netstate.FWAccept, Text: "pass out on " + name + " all flags S/SA keep state"}
}

// https443Fails: port 443 of the target failed with err before port 53
// answered (a refusal proves the host is there).
func https443Fails(s *netstate.State, err error) {
	t := &s.V4.External[0]
	t.TCP = tcpAt(t.Addr, 53, true, true, nil)
	t.TCP.PortFailures = []netstate.PortFailure{{Port: 443, Err: err}}
}

// dnsDead: the only name server stays silent and the lookup fails.
func dnsDead(s *netstate.State, err error) {
	s.DNS.Err, s.DNS.Addrs = context.DeadlineExceeded, nil
	s.DNS.Servers = []netstate.DNSServerResult{{Server: goodNS, Err: err}}
}

var vpnDNS = netip.MustParsePrefix("10.64.0.1/32")

// leakGuard is a VPN's DNS leak protection: DNS to anything but its own
// server is dropped.
func leakGuard(h uint64) netstate.FWRule {
	return netstate.FWRule{Handle: h, Verdict: netstate.FWDrop, Text: "udp dport 53 ip daddr != 10.64.0.1 drop", Match: []netstate.FWMatch{
		{Field: netstate.FWL4Proto, Protos: []uint8{netstate.ProtoUDP}},
		{Field: netstate.FWDPort, Ports: []netstate.PortRange{{Lo: 53, Hi: 53}}},
		{Field: netstate.FWDAddr, Neg: true, Prefixes: []netip.Prefix{vpnDNS}},
	}}
}

// firewallLocalCases are the cases of TestDiagnoseLocal whose first finding is the firewall check's.
var firewallLocalCases = []localCase{
	{
		name:    "443 fails with EACCES while 53 answers: the local firewall, whatever the other ports say",
		mutate:  func(s *netstate.State) { https443Fails(s, syscall.EACCES) },
		want:    []string{"firewall-blocks-https"},
		verdict: Unhealthy, culprit: "port 443", check: "firewall", status: StatusFail,
	},
	{
		name: "443 refused by an ICMP error from this host itself while 53 answers: a local reject rule",
		mutate: func(s *netstate.State) {
			https443Fails(s, &netstate.LocalRejectError{Err: syscall.ECONNREFUSED, From: netip.MustParseAddr("198.18.3.2")})
		},
		want:    []string{"firewall-blocks-https"},
		verdict: Unhealthy, culprit: "an ICMP error from 198.18.3.2: connection refused", check: "firewall", status: StatusFail,
	},
	{
		name:    "443 rejected as administratively prohibited while 53 answers",
		mutate:  func(s *netstate.State) { https443Fails(s, syscall.EHOSTUNREACH) },
		want:    []string{"https-rejected"},
		verdict: Unhealthy, culprit: "port 53 answers", check: "firewall", status: StatusFail,
	},
	{
		name: "443 unreachable and nothing else answers: the path, not a filter",
		mutate: func(s *netstate.State) {
			t := &s.V4.External[0]
			t.TCP = tcpAt(t.Addr, 443, false, false, syscall.EHOSTUNREACH)
			t.TCP.PortFailures = []netstate.PortFailure{{Port: 443, Err: syscall.EHOSTUNREACH}}
		},
		want: []string{"tcp-blocked"}, verdict: Degraded, check: "firewall", status: StatusPass,
	},
	{
		name: "root reads an nftables reject of 443 behind the host's refusal", oses: []string{"linux"},
		mutate: func(s *netstate.State) {
			t := &s.V4.External[0]
			t.TCP = tcpAt(t.Addr, 443, true, true, nil)
			fwRead(s, fwOutput(netstate.FWAccept, netstate.FWRule{Handle: 7, Match: tcpDport(443), Verdict: netstate.FWReject, Text: "tcp dport 443 reject"}))
		},
		want:    []string{"firewall-blocks-https"},
		verdict: Unhealthy, culprit: "inet filter output handle 7: tcp dport 443 reject", check: "firewall", status: StatusFail,
		steps: "sudo nft delete rule inet filter output handle 7",
	},
	{
		name: "an accepted connection to 443 overrides a rule that seems to reject it", oses: []string{"linux"},
		mutate: func(s *netstate.State) {
			t := &s.V4.External[0]
			t.TCP = tcpAt(t.Addr, 443, true, false, nil)
			fwRead(s, fwOutput(netstate.FWAccept, netstate.FWRule{Handle: 7, Match: tcpDport(443), Verdict: netstate.FWReject}))
		},
		want: nil, verdict: Healthy, check: "firewall", status: StatusPass,
	},
	{
		name: "a rule the model cannot read may accept first: no claim", oses: []string{"linux"},
		mutate: func(s *netstate.State) {
			t := &s.V4.External[0]
			t.TCP = tcpAt(t.Addr, 443, true, true, nil)
			fwRead(s, fwOutput(netstate.FWAccept,
				netstate.FWRule{Handle: 3, Opaque: true, Verdict: netstate.FWAccept, Text: "meta mark 0x1 accept"},
				netstate.FWRule{Handle: 7, Match: tcpDport(443), Verdict: netstate.FWReject}))
		},
		want: nil, verdict: Healthy, check: "firewall", status: StatusPass,
	},
	{
		name: "a firewall that allows what the start needs is healthy", oses: []string{"linux"},
		mutate: func(s *netstate.State) {
			fwRead(s, fwOutput(netstate.FWDrop, oifAccept(2, "lo"), oifAccept(3, "eth0")),
				netstate.FWChain{Family: "ip", Table: "x", Name: "out", Hook: "output", Policy: netstate.FWAccept,
					Rules: []netstate.FWRule{{Handle: 4, Match: tcpDport(25), Verdict: netstate.FWDrop}}})
		},
		want: nil, verdict: Healthy, check: "firewall", status: StatusPass,
	},
	{
		name: "kill switch left armed: policy drop, only wg0 accepted, wg0 gone", oses: []string{"linux"},
		mutate: func(s *netstate.State) {
			allSilent(s)
			fwRead(s, netstate.FWChain{Family: "inet", Table: "killswitch", Name: "output", Hook: "output", Policy: netstate.FWDrop,
				Rules: []netstate.FWRule{oifAccept(2, "lo"), oifAccept(3, "wg0")}})
		},
		want:    []string{"firewall-kill-switch"},
		verdict: Unhealthy, culprit: "wg0", check: "firewall", status: StatusFail,
		steps: "sudo nft -a list chain inet killswitch output",
	},
	{
		name: "kill switch as the engine reports it: no probe sent, the neighbor entry not blamed", oses: []string{"linux"},
		mutate: func(s *netstate.State) {
			dropped := func(t *netstate.TargetResult) {
				t.ICMP = netstate.ProbeResult{Kind: netstate.ProbeICMP, Target: netip.AddrPortFrom(t.Addr, 0), Err: netstate.ErrFirewallDrops}
				t.TCP = netstate.ProbeResult{Kind: netstate.ProbeTCP, Target: netip.AddrPortFrom(t.Addr, 443), Err: netstate.ErrFirewallDrops}
			}
			dropped(s.V4.GatewayProbe)
			dropped(&s.V4.External[0])
			dnsDead(s, netstate.ErrFirewallDrops)
			fwRead(s, netstate.FWChain{Family: "inet", Table: "killswitch", Name: "output", Hook: "output", Policy: netstate.FWDrop,
				Rules: []netstate.FWRule{oifAccept(2, "lo"), oifAccept(3, "wg0")}})
		},
		want:    []string{"firewall-kill-switch"},
		verdict: Unhealthy, culprit: "wg0", check: "neighbor", status: StatusPass,
	},
	{
		name: "an output policy drop that lets only loopback out: everything blocked, no tunnel to blame", oses: []string{"linux"},
		mutate: func(s *netstate.State) {
			allSilent(s)
			fwRead(s, fwOutput(netstate.FWDrop, oifAccept(2, "lo")))
		},
		want:    []string{"firewall-blocks-outbound"},
		verdict: Unhealthy, culprit: "inet filter output: policy drop", check: "firewall", status: StatusFail,
		steps: "sudo nft -a list chain inet filter output",
	},
	{
		// A machine whose own firewall lets only the proxy out: the proxy
		// tunnels, so "nothing leaves this machine" would be false; what the
		// rules do block, DNS to the name server, is named instead.
		name: "an output policy drop that lets only the proxy out, the proxy tunnels: DNS blocked is named, not everything", oses: []string{"linux"},
		mutate: func(s *netstate.State) {
			allSilent(s)
			withProxy(s, "HTTPS_PROXY", "http://198.51.100.7:3128", tcpAt(proxy2, 3128, true, false, nil))
			s.Proxy.Settings[0].Connect = connectAnswer(200, "Connection established", "", false)
			s.Proxy.Settings[0].Route = netstate.Route{Dst: netip.MustParsePrefix("0.0.0.0/0"), Gateway: gw, IfIndex: 2}
			fwRead(s, fwOutput(netstate.FWDrop, oifAccept(2, "lo"),
				netstate.FWRule{Handle: 3, Match: []netstate.FWMatch{{Field: netstate.FWDAddr, Prefixes: []netip.Prefix{netip.MustParsePrefix("198.51.100.7/32")}}}, Verdict: netstate.FWAccept, Text: "ip daddr 198.51.100.7 accept"}))
		},
		want:    []string{"gateway-silent", "firewall-blocks-dns", "network-proxy-only"},
		verdict: Unhealthy, culprit: "203.0.113.5", check: "firewall", status: StatusFail,
	},
	{
		// A proxy app on this machine accepts, but the rules fence it in
		// too: accepting proves only that it runs, so the rules still name
		// the cause.
		name: "an output policy drop that lets only loopback out, a local proxy app accepts: still everything blocked", oses: []string{"linux"},
		mutate: func(s *netstate.State) {
			allSilent(s)
			withProxy(s, "https_proxy", "http://127.0.0.1:7890", tcpAt(proxy1, 7890, true, false, nil))
			fwRead(s, fwOutput(netstate.FWDrop, oifAccept(2, "lo")))
		},
		want:    []string{"firewall-blocks-outbound"},
		verdict: Unhealthy, culprit: "inet filter output: policy drop", check: "firewall", status: StatusFail,
	},
	{
		name: "kill switch reached by a jump", oses: []string{"linux"},
		mutate: func(s *netstate.State) {
			allSilent(s)
			fwRead(s,
				netstate.FWChain{Family: "inet", Table: "vpn", Name: "output", Hook: "output", Policy: netstate.FWAccept,
					Rules: []netstate.FWRule{{Handle: 1, Verdict: netstate.FWJump, Target: "ks"}}},
				netstate.FWChain{Family: "inet", Table: "vpn", Name: "ks", Rules: []netstate.FWRule{oifAccept(2, "tun0"), {Handle: 3, Verdict: netstate.FWDrop, Text: "drop"}}})
		},
		want:    []string{"firewall-kill-switch"},
		verdict: Unhealthy, culprit: "inet vpn ks (handle 3: drop) drops everything not sent through tun0", check: "firewall", status: StatusFail,
	},
	{
		name: "DNS leak protection left behind: every server but the VPN's dropped", oses: []string{"linux"},
		mutate: func(s *netstate.State) {
			dnsDead(s, netstate.ErrNoReply)
			fwRead(s, fwOutput(netstate.FWAccept, leakGuard(9)))
		},
		want:    []string{"firewall-dns-leak-guard"},
		verdict: Unhealthy, culprit: "every server but 10.64.0.1", check: "firewall", status: StatusFail,
		steps: "sudo nft delete rule inet filter output handle 9",
	},
	{
		name: "DNS leak guard while another server still answers: a warning", oses: []string{"linux"},
		mutate: func(s *netstate.State) {
			s.DNS.Resolver.Servers = []netip.AddrPort{goodNS, netip.MustParseAddrPort("10.64.0.1:53")}
			s.DNS.Servers = append(s.DNS.Servers, netstate.DNSServerResult{Server: netip.MustParseAddrPort("10.64.0.1:53"), Answered: true, Rcode: "NOERROR"})
			s.DNS.Servers[0] = netstate.DNSServerResult{Server: goodNS, Err: netstate.ErrNoReply}
			fwRead(s, fwOutput(netstate.FWAccept, leakGuard(9)))
		},
		want:    []string{"firewall-dns-leak-guard"},
		verdict: Degraded, culprit: "203.0.113.5", check: "firewall", status: StatusWarn, notRoot: true,
	},
	{
		name:    "a DNS query that fails with EPERM: the local firewall, not a dead server",
		mutate:  func(s *netstate.State) { dnsDead(s, syscall.EPERM) },
		want:    []string{"firewall-blocks-dns"},
		verdict: Unhealthy, culprit: "203.0.113.5", check: "firewall", status: StatusFail,
	},
	{
		name: "a Windows Firewall block rule for 443 from the policy store", oses: []string{"windows"},
		mutate: func(s *netstate.State) {
			t := &s.V4.External[0]
			t.TCP = tcpAt(t.Addr, 53, true, false, nil)
			s.Firewall = netstate.FirewallState{Read: netstate.TriYes, Source: "Windows Firewall policy store", Chains: []netstate.FWChain{{
				Table: "Windows Firewall", Name: "outbound", Hook: "output", Policy: netstate.FWAccept,
				Rules: []netstate.FWRule{{Match: tcpDport(443), Verdict: netstate.FWDrop, Text: `"Block HTTPS": block out tcp port 443`}},
			}}}
		},
		want:    []string{"firewall-blocks-https"},
		verdict: Unhealthy, culprit: `Windows Firewall outbound rule "Block HTTPS"`, check: "firewall", status: StatusFail,
	},
	{
		name: "root reads a legacy iptables reject of 443 beside an nftables ruleset that allows it", oses: []string{"linux"},
		mutate: func(s *netstate.State) {
			t := &s.V4.External[0]
			t.TCP = tcpAt(t.Addr, 443, true, true, nil)
			fwReadBoth(s, []netstate.FWChain{fwOutput(netstate.FWAccept, oifAccept(2, "eth0"))},
				legacyOutput(netstate.FWAccept, netstate.FWRule{Handle: 1, Match: tcpDport(443), Verdict: netstate.FWReject, Text: "-p tcp -m tcp --dport 443 -j REJECT"}))
		},
		want:    []string{"firewall-blocks-https"},
		verdict: Unhealthy, culprit: "iptables-legacy filter OUTPUT rule 1: -p tcp -m tcp --dport 443 -j REJECT", check: "firewall", status: StatusFail,
		steps: "sudo iptables-legacy -t filter -D OUTPUT 1",
	},
	{
		name: "Windows Firewall's default outbound block with no allow rule for the start: the profile's default is named", oses: []string{"windows"},
		mutate: func(s *netstate.State) {
			allSilent(s)
			s.Firewall = winFW(netstate.FWDrop)
		},
		want:    []string{"firewall-blocks-outbound"},
		verdict: Unhealthy, culprit: "Windows Firewall outbound, Public profile: default block", check: "firewall", status: StatusFail,
		steps: "Get-NetFirewallProfile -PolicyStore ActiveStore",
	},
	{
		name: "Windows Firewall's default outbound block with allow rules that let the start out is healthy", oses: []string{"windows"},
		mutate: func(s *netstate.State) {
			s.Firewall = winFW(netstate.FWDrop,
				netstate.FWRule{Match: tcpDport(443), Verdict: netstate.FWAccept, Text: `"HTTPS": allow out tcp port 443`},
				netstate.FWRule{Match: []netstate.FWMatch{{Field: netstate.FWL4Proto, Protos: []uint8{netstate.ProtoUDP}}}, Verdict: netstate.FWAccept, Text: `"UDP": allow out udp`})
		},
		want: nil, verdict: Healthy, check: "firewall", status: StatusPass,
	},
	{
		name: "Windows Firewall's default outbound block with allow rules for programs: guard's silence proves nothing, a warning", oses: []string{"windows"},
		mutate: func(s *netstate.State) {
			allSilent(s)
			s.V4.GatewayProbe.TCP = tcpAt(gw, 53, true, true, nil) // a rule for the local subnet lets it out
			s.Firewall = winFW(netstate.FWDrop, netstate.FWRule{Opaque: true, Verdict: netstate.FWAccept, Text: `"git": allow out (and conditions not modelled)`})
		},
		want:    []string{"firewall-outbound-allowlist"},
		verdict: Degraded, culprit: "lets out only what its allow rules name (1 rule(s) for programs or services)", check: "firewall", status: StatusWarn,
		steps: "Get-NetFirewallApplicationFilter",
	},
	{
		name: "the same with the profile only assumed (several may be active): the outage stands", oses: []string{"windows"},
		mutate: func(s *netstate.State) {
			allSilent(s)
			s.V4.GatewayProbe.TCP = tcpAt(gw, 53, true, true, nil)
			s.Firewall = winFW(netstate.FWDrop, netstate.FWRule{Opaque: true, Verdict: netstate.FWAccept, Text: `"git": allow out (and conditions not modelled)`})
			s.Firewall.Chains[0].Assumed = true
		},
		want: []string{"internet-unreachable"}, verdict: Unhealthy, check: "firewall", status: StatusPass,
	},
	{
		name: "a WFP kill switch (a sublayer that permits only its tunnel) whose tunnel is gone", oses: []string{"windows"},
		mutate: func(s *netstate.State) {
			allSilent(s)
			s.Firewall = netstate.FirewallState{Read: netstate.TriYes, Source: "Windows Firewall policy store and WFP filters", Chains: []netstate.FWChain{
				wfpSublayer("CorpVPN",
					netstate.FWRule{Verdict: netstate.FWAccept, Match: []netstate.FWMatch{{Field: netstate.FWOIfName, Names: []string{"CorpVPN"}}}, Text: `"Permit tunnel" of CorpVPN: permit through CorpVPN`},
					netstate.FWRule{Verdict: netstate.FWDrop, Text: `"Block all" of CorpVPN: block all`}),
				winFW(netstate.FWAccept).Chains[0],
			}}
		},
		want:    []string{"firewall-kill-switch"},
		verdict: Unhealthy, culprit: `WFP CorpVPN sublayer rule "Block all" of CorpVPN: block all drops everything not sent through CorpVPN`, check: "firewall", status: StatusFail,
		steps: "netsh wfp show filters",
	},
	{
		name: "WireGuard's kill switch with its service's hard permit: the rules prove nothing", oses: []string{"windows"},
		mutate: func(s *netstate.State) {
			allSilent(s)
			s.V4.GatewayProbe.TCP = tcpAt(gw, 53, true, true, nil)
			s.Firewall = netstate.FirewallState{Read: netstate.TriYes, Source: "Windows Firewall policy store and WFP filters", Chains: []netstate.FWChain{
				wfpSublayer("WireGuard",
					netstate.FWRule{Verdict: netstate.FWAccept, Match: []netstate.FWMatch{{Field: netstate.FWOIfName, Names: []string{"wg0"}}}, Text: `"Permit outbound IPv4 traffic on TUN" of WireGuard: permit through wg0`},
					netstate.FWRule{Verdict: netstate.FWAccept, Opaque: true, Text: `"Permit unrestricted outbound traffic for WireGuard service (IPv4)" of WireGuard: permit (hard permit) (and conditions not modelled)`},
					netstate.FWRule{Verdict: netstate.FWDrop, Text: `"Block all traffic" of WireGuard: block all`}),
				winFW(netstate.FWAccept).Chains[0],
			}}
		},
		want: []string{"internet-unreachable"}, verdict: Unhealthy, check: "firewall", status: StatusPass,
	},
	{
		name: "a legacy iptables kill switch: policy DROP, only wg0 accepted", oses: []string{"linux"},
		mutate: func(s *netstate.State) {
			allSilent(s)
			fwReadBoth(s, nil, legacyOutput(netstate.FWDrop,
				netstate.FWRule{Handle: 1, Match: []netstate.FWMatch{{Field: netstate.FWOIfName, Names: []string{"lo"}}}, Verdict: netstate.FWAccept, Text: "-o lo -j ACCEPT"},
				netstate.FWRule{Handle: 2, Match: []netstate.FWMatch{{Field: netstate.FWOIfName, Names: []string{"wg0"}}}, Verdict: netstate.FWAccept, Text: "-o wg0 -j ACCEPT"}))
		},
		want:    []string{"firewall-kill-switch"},
		verdict: Unhealthy, culprit: "iptables-legacy filter OUTPUT drops everything not sent through wg0", check: "firewall", status: StatusFail,
		steps: "sudo iptables-legacy -t filter -L OUTPUT -n -v --line-numbers",
	},
	{
		name: "a legacy iptables DNS leak guard", oses: []string{"linux"},
		mutate: func(s *netstate.State) {
			dnsDead(s, netstate.ErrNoReply)
			r := leakGuard(3)
			r.Text = "! -d 10.64.0.1 -p udp -m udp --dport 53 -j DROP"
			fwReadBoth(s, nil, legacyOutput(netstate.FWAccept, r))
		},
		want:    []string{"firewall-dns-leak-guard"},
		verdict: Unhealthy, culprit: "every server but 10.64.0.1 (iptables-legacy filter OUTPUT rule 3", check: "firewall", status: StatusFail,
		steps: "sudo iptables-legacy -t filter -D OUTPUT 3",
	},
	{
		// Both back ends may name a chain alike: a jump stays in its own.
		name: "a jump in nftables does not land in the legacy chain of the same name", oses: []string{"linux"},
		mutate: func(s *netstate.State) {
			t := &s.V4.External[0]
			t.TCP = tcpAt(t.Addr, 443, true, true, nil)
			legacyVPN := netstate.FWChain{Family: "ip", Table: "filter", Name: "vpn", Backend: netstate.BackendIPTablesLegacy, Policy: netstate.FWAccept,
				Rules: []netstate.FWRule{{Handle: 1, Match: tcpDport(443), Verdict: netstate.FWReject, Text: "-p tcp -m tcp --dport 443 -j REJECT"}}}
			fwReadBoth(s, []netstate.FWChain{
				{Family: "ip", Table: "filter", Name: "OUTPUT", Hook: "output", Policy: netstate.FWAccept, Rules: []netstate.FWRule{{Handle: 1, Verdict: netstate.FWJump, Target: "vpn"}}},
				{Family: "ip", Table: "filter", Name: "vpn", Policy: netstate.FWAccept, Rules: []netstate.FWRule{{Handle: 2, Match: tcpDport(25), Verdict: netstate.FWDrop}}},
			}, legacyVPN)
			s.Firewall.Chains = append([]netstate.FWChain{legacyVPN}, s.Firewall.Chains[:2]...)
		},
		want: nil, verdict: Healthy, check: "firewall", status: StatusPass,
	},
	{
		name: "an app-specific Windows block rule is not taken as blocking the start", oses: []string{"windows"},
		mutate: func(s *netstate.State) {
			s.Firewall = netstate.FirewallState{Read: netstate.TriYes, Source: "Windows Firewall policy store", Chains: []netstate.FWChain{{
				Table: "Windows Firewall", Name: "outbound", Hook: "output", Policy: netstate.FWAccept,
				Rules: []netstate.FWRule{{Opaque: true, Verdict: netstate.FWDrop, Text: `"No game": block out (and conditions not modelled)`}},
			}}}
		},
		want: nil, verdict: Healthy, check: "firewall", status: StatusPass,
	},
	{
		name: "pf kill switch left armed: block out all, pass out on utun3, utun3 gone", oses: []string{"darwin"},
		mutate: func(s *netstate.State) {
			allSilent(s)
			// pf.conf: "block drop out all" (0), "pass out on lo0 all" (1),
			// "pass out on utun3 all" (2): none quick, so reversed.
			pfRead(s, pfOnAccept(2, "", "utun3"), pfOnAccept(1, "", "lo0"),
				netstate.FWRule{Handle: 0, Verdict: netstate.FWDrop, Text: "block drop out all"})
		},
		want:    []string{"firewall-kill-switch"},
		verdict: Unhealthy, culprit: "pf main ruleset rule block drop out all drops everything not sent through utun3", check: "firewall", status: StatusFail,
		steps: "sudo pfctl -a '*' -sr",
	},
	{
		name: "pf kill switch in a VPN app's anchor, per family and quick", oses: []string{"darwin"},
		mutate: func(s *netstate.State) {
			allSilent(s)
			inet := []netstate.FWMatch{{Field: netstate.FWNFProto, Protos: []uint8{4}}}
			pfRead(s,
				netstate.FWRule{Handle: 0, Anchor: "mullvad", Match: []netstate.FWMatch{{Field: netstate.FWOIfName, Names: []string{"lo0"}}}, Verdict: netstate.FWAccept, Text: "pass out quick on lo0 all"},
				netstate.FWRule{Handle: 1, Anchor: "mullvad", Match: append(slices.Clone(inet), netstate.FWMatch{Field: netstate.FWOIfName, Names: []string{"utun4"}}), Verdict: netstate.FWAccept, Text: "pass out quick on utun4 inet all"},
				netstate.FWRule{Handle: 2, Anchor: "mullvad", Match: inet, Verdict: netstate.FWDrop, Text: "block drop out quick inet all"})
		},
		want:    []string{"firewall-kill-switch"},
		verdict: Unhealthy, culprit: `pf anchor "mullvad" rule block drop out quick inet all drops everything not sent through utun4`, check: "firewall", status: StatusFail,
		steps: "sudo pfctl -a mullvad -F rules",
	},
	{
		name: "pf kill switch whose tunnel is up and routes the targets: healthy", oses: []string{"darwin"},
		mutate: func(s *netstate.State) {
			pfRead(s, pfOnAccept(2, "", s.V4.Default.IfName), netstate.FWRule{Handle: 0, Verdict: netstate.FWDrop, Text: "block drop out all"})
		},
		want: nil, verdict: Healthy, check: "firewall", status: StatusPass,
	},
	{
		name: "root reads a pf block of 443 behind the host's refusal", oses: []string{"darwin"},
		mutate: func(s *netstate.State) {
			t := &s.V4.External[0]
			t.TCP = tcpAt(t.Addr, 443, true, true, nil)
			pfRead(s, netstate.FWRule{Handle: 3, Anchor: "com.example.blocker", Match: tcpDport(443), Verdict: netstate.FWReject,
				Text: "block return out quick proto tcp from any to any port = 443"})
		},
		want:    []string{"firewall-blocks-https"},
		verdict: Unhealthy, culprit: `pf anchor "com.example.blocker" rule block return out quick proto tcp from any to any port = 443`, check: "firewall", status: StatusFail,
		steps: "sudo pfctl -a com.example.blocker -sr",
	},
	{
		name: "a pf block of 443 overridden by a later pass: pf's last match wins", oses: []string{"darwin"},
		mutate: func(s *netstate.State) {
			t := &s.V4.External[0]
			t.TCP = tcpAt(t.Addr, 443, true, true, nil)
			// "block drop out proto tcp to any port = 443" (0), then
			// "pass out all" (1): reversed, the pass comes first.
			pfRead(s, netstate.FWRule{Handle: 1, Verdict: netstate.FWAccept, Text: "pass out all flags S/SA keep state"},
				netstate.FWRule{Handle: 0, Match: tcpDport(443), Verdict: netstate.FWDrop, Text: "block drop out proto tcp from any to any port = 443"})
		},
		want: nil, verdict: Healthy, check: "firewall", status: StatusPass,
	},
	{
		name: "pf DNS leak protection in a VPN app's anchor: to ! its server port 53", oses: []string{"darwin"},
		mutate: func(s *netstate.State) {
			dnsDead(s, netstate.ErrNoReply)
			r := leakGuard(4)
			r.Anchor, r.Text = "com.example.vpn", "block drop out quick proto udp from any to ! 10.64.0.1 port = 53"
			pfRead(s, r)
		},
		want:    []string{"firewall-dns-leak-guard"},
		verdict: Unhealthy, culprit: "every server but 10.64.0.1", check: "firewall", status: StatusFail,
		steps: "sudo pfctl -a com.example.vpn -sr",
	},
	{
		name: "pf disabled: read, nothing filters", oses: []string{"darwin"},
		mutate: func(s *netstate.State) {
			s.Firewall = netstate.FirewallState{Read: netstate.TriYes, Source: "pf"}
		},
		want: nil, verdict: Healthy, check: "firewall", status: StatusPass,
	},
	{
		name: "/dev/pf unreadable without root: unknown, never a failure", oses: []string{"darwin"},
		mutate: func(s *netstate.State) {
			s.Firewall = netstate.FirewallState{Read: netstate.TriNo, Source: "pf", Err: syscall.EACCES}
		},
		want: nil, verdict: Healthy, check: "firewall", status: StatusUnknown,
	},
	{
		name: "rules unreadable without root: unknown, never a failure", oses: []string{"linux"},
		mutate: func(s *netstate.State) {
			s.Firewall = netstate.FirewallState{Read: netstate.TriNo, Source: "nftables", Err: syscall.EPERM}
		},
		want: nil, verdict: Healthy, check: "firewall", status: StatusUnknown,
	},
}

// TestFirewallPartialRead: a source of rules that could not be read (WFP
// filters without elevation) is said in the check's detail; what was read
// still counts, and nothing unread makes the check fail.
func TestFirewallPartialRead(t *testing.T) {
	s := localHealthy("windows")
	s.Firewall = winFW(netstate.FWAccept)
	s.Firewall.Partial = errors.New("WFP filters: the Windows Filtering Platform's filters are readable only from an elevated prompt")
	d := Diagnose(s)
	for _, c := range d.Checks {
		if c.ID != "firewall" {
			continue
		}
		if c.Status != StatusPass || !strings.Contains(c.Detail, "readable only from an elevated prompt (not judged)") {
			t.Errorf("firewall check = %s %q, want pass naming the unread filters", c.Status, c.Detail)
		}
		if !strings.Contains(c.Detail, "Windows Firewall outbound, Public profile") {
			t.Errorf("firewall check detail %q does not name the profile judged", c.Detail)
		}
		return
	}
	t.Fatal("no firewall check")
}

// TestWindowsDefaultBlockNoted: a profile that blocks outbound by default
// is said in the firewall check's detail even when its allow rules (for
// programs, which the model cannot judge) leave the verdict to the probes.
func TestWindowsDefaultBlockNoted(t *testing.T) {
	s := localHealthy("windows")
	allSilent(s)
	s.Firewall = winFW(netstate.FWDrop, netstate.FWRule{Opaque: true, Verdict: netstate.FWAccept, Text: `"git": allow out (and conditions not modelled)`})
	for _, c := range Diagnose(s).Checks {
		if c.ID == "firewall" {
			if !strings.Contains(c.Detail, "Windows Firewall outbound, Public profile: outbound blocked by default") {
				t.Errorf("firewall check detail %q does not say outbound is blocked by default", c.Detail)
			}
			return
		}
	}
	t.Fatal("no firewall check")
}
