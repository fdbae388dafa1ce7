package diagnose

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"syscall"
	"time"

	"github.com/netguard/netguard/checks/netstate"
)

// corpScope makes the DNS probe's name git.corp.example, under the
// per-domain resolver /etc/resolver/corp.example whose servers are
// servers: the probe asked them, and only them.
func corpScope(s *netstate.State, servers ...netip.AddrPort) {
	s.DNS.Name = "git.corp.example"
	s.DNS.Resolver.Scoped = []netstate.ScopedResolver{{Domain: "corp.example", Source: "/etc/resolver/corp.example", Servers: servers}}
}

var corpNS2 = netip.MustParseAddrPort("10.8.0.2:53")

// nrptScope makes the DNS probe's name git.corp.example, under a Windows
// NRPT rule for .corp.example whose servers are servers, set by Group
// Policy when policy.
func nrptScope(s *netstate.State, policy bool, servers ...netip.AddrPort) {
	const id = "{5abe529b-675b-4486-8459-25a634dacc23}"
	store := "local"
	if policy {
		store = "Group Policy"
	}
	s.DNS.Name = "git.corp.example"
	s.DNS.Resolver.Scoped = []netstate.ScopedResolver{
		{Domain: "corp.example", Source: "NRPT rule " + id + " (" + store + ")", Rule: id, Policy: policy, Servers: servers},
		// Always On VPN's exemption for a public host of the same domain.
		{Domain: "www.corp.example", Source: "NRPT rule {E} (" + store + ")", Rule: "{E}", Policy: policy, Exact: true, Exempt: true},
	}
}

// dnsScopedLocalCases are the cases of TestDiagnoseLocal about per-domain
// resolvers (macOS /etc/resolver).
var dnsScopedLocalCases = []localCase{
	{
		name: "a VPN's per-domain resolver left behind: its servers silent, the name under its domain fails, the file named",
		oses: []string{"darwin"},
		mutate: func(s *netstate.State) {
			corpScope(s, corpNS, corpNS2)
			s.DNS.Err, s.DNS.Addrs = context.DeadlineExceeded, nil
			s.DNS.Servers = []netstate.DNSServerResult{{Server: corpNS, Err: context.DeadlineExceeded}, {Server: corpNS2, Err: context.DeadlineExceeded}}
		},
		want: []string{"dns-scoped-resolver-dead"}, verdict: Unhealthy,
		culprit: "/etc/resolver/corp.example sends names under corp.example to 10.8.0.1, 10.8.0.2, which do not answer", check: "dns", status: StatusFail,
		steps: "sudo rm /etc/resolver/corp.example",
	},
	{
		name: "a DNS app's per-domain resolver on loopback (puma-dev, Valet) that is not running: the file, not mDNSResponder",
		oses: []string{"darwin"},
		mutate: func(s *netstate.State) {
			ns := netip.MustParseAddrPort("127.0.0.1:5353")
			corpScope(s, ns)
			s.DNS.Err, s.DNS.Addrs = errors.New("lookup git.corp.example: no such host"), nil
			s.DNS.Servers = []netstate.DNSServerResult{{Server: ns, Err: fmt.Errorf("dns 127.0.0.1:5353: %w", syscall.ECONNREFUSED)}}
		},
		want: []string{"dns-scoped-resolver-dead"}, verdict: Unhealthy,
		culprit: "/etc/resolver/corp.example sends names under corp.example to 127.0.0.1:5353, which do not answer (connection refused)", check: "dns", status: StatusFail,
	},
	{
		name: "a DNS app's per-domain resolver on loopback that takes the query and stays silent: the file, not a stub's upstreams",
		oses: []string{"darwin"},
		mutate: func(s *netstate.State) {
			ns := netip.MustParseAddrPort("127.0.0.1:53")
			corpScope(s, ns)
			s.DNS.Err, s.DNS.Addrs = context.DeadlineExceeded, nil
			s.DNS.Servers = []netstate.DNSServerResult{{Server: ns, Err: context.DeadlineExceeded}}
		},
		want: []string{"dns-scoped-resolver-dead"}, verdict: Unhealthy,
		culprit: "/etc/resolver/corp.example sends names under corp.example to 127.0.0.1, which do not answer", check: "dns", status: StatusFail,
	},
	{
		name: "a per-domain resolver that refuses the name: refused, named with its file",
		oses: []string{"darwin"},
		mutate: func(s *netstate.State) {
			corpScope(s, corpNS)
			s.DNS.Err, s.DNS.Addrs = errors.New("lookup git.corp.example: server misbehaving"), nil
			s.DNS.Servers = []netstate.DNSServerResult{{Server: corpNS, Answered: true, Rcode: "REFUSED"}}
		},
		want: []string{"dns-server-refused"}, verdict: Unhealthy,
		culprit: "resolver left in /etc/resolver/corp.example does; it is the resolver for corp.example", check: "dns", status: StatusFail,
		steps: "cat /etc/resolver/corp.example",
	},
	{
		name: "a silent first server of a per-domain resolver ahead of one that answers: its file named",
		oses: []string{"darwin"},
		mutate: func(s *netstate.State) {
			corpScope(s, corpNS, corpNS2)
			s.DNS.Resolver.Scoped[0].Timeout = 2 * time.Second
			s.DNS.Servers = []netstate.DNSServerResult{{Server: corpNS, Err: context.DeadlineExceeded}, {Server: corpNS2, Answered: true, Rcode: "NOERROR"}}
		},
		want: []string{"dns-first-server-silent"}, verdict: Degraded,
		culprit: "name server 10.8.0.1 comes first in /etc/resolver/corp.example but does not answer, while 10.8.0.2 does: every lookup waits 2s", check: "dns", status: StatusWarn,
	},
	{
		name: "a per-domain resolver whose servers are silent while the name resolves: no claim",
		oses: []string{"darwin"},
		mutate: func(s *netstate.State) {
			corpScope(s, corpNS)
			s.DNS.Servers = []netstate.DNSServerResult{{Server: corpNS, Err: context.DeadlineExceeded}}
		},
		verdict: Healthy, check: "dns", status: StatusPass,
	},
	{
		name: "a VPN client's NRPT rule left behind: its servers silent, the name under its namespace fails, the rule named with the steps that remove it",
		oses: []string{"windows"},
		mutate: func(s *netstate.State) {
			nrptScope(s, false, corpNS, corpNS2)
			s.DNS.Err, s.DNS.Addrs = context.DeadlineExceeded, nil
			s.DNS.Servers = []netstate.DNSServerResult{{Server: corpNS, Err: context.DeadlineExceeded}, {Server: corpNS2, Err: context.DeadlineExceeded}}
		},
		want: []string{"dns-scoped-resolver-dead"}, verdict: Unhealthy,
		culprit: "NRPT rule {5abe529b-675b-4486-8459-25a634dacc23} (local) sends names under corp.example to 10.8.0.1, 10.8.0.2, which do not answer", check: "dns", status: StatusFail,
		steps: "Remove-DnsClientNrptRule -Name '{5abe529b-675b-4486-8459-25a634dacc23}' -Force",
	},
	{
		name: "a Group Policy NRPT rule whose servers are silent: the rule named, its removal left to the administrator",
		oses: []string{"windows"},
		mutate: func(s *netstate.State) {
			nrptScope(s, true, corpNS)
			s.DNS.Err, s.DNS.Addrs = context.DeadlineExceeded, nil
			s.DNS.Servers = []netstate.DNSServerResult{{Server: corpNS, Err: context.DeadlineExceeded}}
		},
		want: []string{"dns-scoped-resolver-dead"}, verdict: Unhealthy,
		culprit: "NRPT rule {5abe529b-675b-4486-8459-25a634dacc23} (Group Policy) sends names under corp.example to 10.8.0.1, which do not answer (no reply): git.corp.example does not resolve; Group Policy sets the rule", check: "dns", status: StatusFail,
		steps: "ask its administrator to remove the rule",
	},
	{
		name: "an NRPT rule whose server refuses the name: refused, named with the rule",
		oses: []string{"windows"},
		mutate: func(s *netstate.State) {
			nrptScope(s, false, corpNS)
			s.DNS.Err, s.DNS.Addrs = errors.New("lookup git.corp.example: server misbehaving"), nil
			s.DNS.Servers = []netstate.DNSServerResult{{Server: corpNS, Answered: true, Rcode: "REFUSED"}}
		},
		want: []string{"dns-server-refused"}, verdict: Unhealthy,
		culprit: "resolver left in NRPT rule {5abe529b-675b-4486-8459-25a634dacc23} (local) does; it is the resolver for corp.example", check: "dns", status: StatusFail,
		steps: "Get-DnsClientNrptRule -Name '{5abe529b-675b-4486-8459-25a634dacc23}'",
	},
	{
		name: "a host an NRPT exemption keeps off the VPN's rule: the default servers, as before",
		oses: []string{"windows"},
		mutate: func(s *netstate.State) {
			nrptScope(s, false, corpNS)
			s.DNS.Name = "www.corp.example"
			s.DNS.Err, s.DNS.Addrs = context.DeadlineExceeded, nil
			s.DNS.Servers = []netstate.DNSServerResult{{Server: goodNS, Err: context.DeadlineExceeded}}
		},
		want: []string{"dns-failed"}, verdict: Unhealthy, check: "dns", status: StatusFail,
	},
	{
		name: "a name outside every per-domain resolver's domain: the default servers, as before",
		oses: []string{"darwin"},
		mutate: func(s *netstate.State) {
			s.DNS.Resolver.Scoped = []netstate.ScopedResolver{{Domain: "corp.example", Source: "/etc/resolver/corp.example", Servers: []netip.AddrPort{corpNS}}}
			s.DNS.Err, s.DNS.Addrs = context.DeadlineExceeded, nil
			s.DNS.Servers = []netstate.DNSServerResult{{Server: goodNS, Err: context.DeadlineExceeded}}
		},
		want: []string{"dns-failed"}, verdict: Unhealthy, check: "dns", status: StatusFail,
	},
}
