//go:build linux

package lab

import "fmt"

// Faults of the client's own packet filter: nftables rules in the client
// namespace, the way a user, a VPN client's kill switch or its DNS leak
// protection leave them. Each lives in its own table, removed with the
// namespace.

// VPNDNS is the one name server DNSLeakGuard lets through: a VPN's own
// resolver, gone with the VPN.
const VPNDNS = "10.64.0.1"

// TunnelIf is the tunnel a kill switch lets through; the lab never
// creates it.
const TunnelIf = "wg0"

// clientOutput is a table with one filter chain on the client's output
// hook.
func clientOutput(table, policy, rules string) string {
	return fmt.Sprintf("table inet %s {\n\tchain output {\n\t\ttype filter hook output priority 0; policy %s;\n%s\t}\n}\n", table, policy, rules)
}

// RejectHTTPS makes the client's own firewall reject TCP 443 with the
// given nft reject ("reject": an ICMP port unreachable, which connect
// reads as ECONNREFUSED; "reject with icmpx admin-prohibited":
// EHOSTUNREACH). Ports 53 and 80 are untouched.
func (l *Lab) RejectHTTPS(reject string) {
	l.t.Helper()
	l.nft(l.Client, clientOutput("ngfw", "accept", "\t\ttcp dport 443 "+reject+"\n"))
}

// DNSLeakGuard drops DNS from the client to every server but VPNDNS, as a
// VPN client's leak protection does while it is connected.
func (l *Lab) DNSLeakGuard() {
	l.t.Helper()
	l.nft(l.Client, clientOutput("vpnleak", "accept",
		"\t\tudp dport 53 ip daddr != "+VPNDNS+" drop\n\t\ttcp dport 53 ip daddr != "+VPNDNS+" drop\n"))
}

// KillSwitch arms a VPN kill switch in the client: the output policy drops
// everything not sent through TunnelIf (or loopback), and TunnelIf does
// not exist.
func (l *Lab) KillSwitch() {
	l.t.Helper()
	l.nft(l.Client, clientOutput("killswitch", "drop",
		"\t\toifname \"lo\" accept\n\t\toifname \""+TunnelIf+"\" accept\n"))
}

// AllowingFirewall is a control: an output policy of drop that accepts
// loopback and the client's own uplink, and rejects only SMTP. Everything
// a start needs gets out.
func (l *Lab) AllowingFirewall() {
	l.t.Helper()
	l.nft(l.Client, clientOutput("allowed", "drop",
		"\t\ttcp dport 25 reject\n\t\toifname \"lo\" accept\n\t\toifname \""+l.ClientIf+"\" accept\n"))
}

// RejectHTTPSUpstream makes the router reject TCP 443 forwarded through
// it with an ICMP administratively prohibited: a firewall on the way, not
// the client's own.
func (l *Lab) RejectHTTPSUpstream() {
	l.t.Helper()
	l.nft(l.Router, routerTable("https", "", "tcp dport 443 reject with icmpx admin-prohibited;", ""))
}

// ProxyOnlyFirewall is a machine that its own firewall confines to the
// proxy: for IPv4 (the lab's targets' family) the output policy drops
// everything but loopback, the CONNECT proxy on the gateway
// (ConnectProxyPort) and DNS queries over UDP to the lab's name server,
// as locked-down corporate machines are set up; IPv6 is left alone.
func (l *Lab) ProxyOnlyFirewall() {
	l.t.Helper()
	l.nft(l.Client, clientOutput("proxyonly", "drop", fmt.Sprintf(
		"\t\toifname \"lo\" accept\n\t\tmeta nfproto ipv6 accept\n\t\tip daddr %s tcp dport %d accept\n\t\tip daddr %s udp dport 53 accept\n",
		GatewayIP, ConnectProxyPort, ExternalIP)))
}
