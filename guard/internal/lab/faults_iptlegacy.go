//go:build linux

package lab

// Faults of the client's own packet filter written with iptables instead
// of nft: the legacy back end (x_tables, which iptables-legacy manages and
// nft cannot see) and iptables-nft (Debian's default iptables, whose rules
// land in nftables' "ip filter" table). Both live in the client
// namespace and go with it.

// iptables runs one iptables-legacy or iptables-nft command in the client.
func (l *Lab) iptables(tool string, rules ...[]string) {
	l.t.Helper()
	for _, r := range rules {
		l.mustRun(l.Client, append([]string{tool}, r...)...)
	}
}

// LegacyRejectHTTPS makes the client's legacy iptables reject TCP 443.
func (l *Lab) LegacyRejectHTTPS() {
	l.t.Helper()
	l.iptables("iptables-legacy", []string{"-A", "OUTPUT", "-p", "tcp", "--dport", "443", "-j", "REJECT"})
}

// LegacyKillSwitch arms a kill switch in legacy iptables as VPN clients
// write one: established connections go on, the OUTPUT policy drops
// everything else but loopback and TunnelIf, which does not exist.
func (l *Lab) LegacyKillSwitch() {
	l.t.Helper()
	l.iptables("iptables-legacy",
		[]string{"-A", "OUTPUT", "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT"},
		[]string{"-A", "OUTPUT", "-o", "lo", "-j", "ACCEPT"},
		[]string{"-A", "OUTPUT", "-o", TunnelIf, "-j", "ACCEPT"},
		[]string{"-P", "OUTPUT", "DROP"})
}

// LegacyDNSLeakGuard drops DNS to every server but VPNDNS in legacy
// iptables, through a user chain as VPN clients write it.
func (l *Lab) LegacyDNSLeakGuard() {
	l.t.Helper()
	l.iptables("iptables-legacy",
		[]string{"-N", "vpn-dns"},
		[]string{"-A", "vpn-dns", "-p", "udp", "!", "-d", VPNDNS, "--dport", "53", "-j", "DROP"},
		[]string{"-A", "vpn-dns", "-p", "tcp", "!", "-d", VPNDNS, "--dport", "53", "-j", "DROP"},
		[]string{"-A", "OUTPUT", "-j", "vpn-dns"})
}

// LegacyAllowingFirewall is a control: a legacy OUTPUT policy of DROP that
// accepts loopback and the client's own uplink and rejects only SMTP.
func (l *Lab) LegacyAllowingFirewall() {
	l.t.Helper()
	l.iptables("iptables-legacy",
		[]string{"-A", "OUTPUT", "-p", "tcp", "--dport", "25", "-j", "REJECT"},
		[]string{"-A", "OUTPUT", "-o", "lo", "-j", "ACCEPT"},
		[]string{"-A", "OUTPUT", "-o", l.ClientIf, "-j", "ACCEPT"},
		[]string{"-P", "OUTPUT", "DROP"})
}

// NFTCompatRejectHTTPS rejects TCP 443 with iptables-nft, after two drops
// that iptables-nft can only write as xtables compat matches (an owner
// match on supplementary groups, a conntrack expiry): rules nft's reader
// cannot evaluate, which only drop.
func (l *Lab) NFTCompatRejectHTTPS() {
	l.t.Helper()
	l.iptables("iptables-nft",
		[]string{"-A", "OUTPUT", "-m", "owner", "--gid-owner", "12345", "--suppl-groups", "-j", "DROP"},
		[]string{"-A", "OUTPUT", "-m", "conntrack", "--ctexpire", "1:100", "-j", "DROP"},
		[]string{"-A", "OUTPUT", "-p", "tcp", "--dport", "443", "-j", "REJECT"})
}
