package netstate

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"syscall"
)

// FirewallReader is implemented by OS layers that can read the local
// packet filter's rules for outgoing traffic: Linux (nftables over
// netlink, which iptables-nft rules are part of, and the legacy iptables
// filter table where the kernel has one), macOS (pf over /dev/pf),
// Windows (the firewall's policy store) and checkstest's fake.
// Reading needs privilege (CAP_NET_ADMIN on Linux, root for /dev/pf on
// macOS); without it the state says so in Err and diagnosis falls back
// to what errno proves.
type FirewallReader interface {
	// OutputFilter returns the chains that filter this machine's own
	// outgoing packets, with the chains they jump to. It must return
	// promptly once ctx is done.
	OutputFilter(ctx context.Context) FirewallState
}

// FirewallState is the local packet filter's output path as the kernel
// holds it.
type FirewallState struct {
	// Read: TriYes when the rules were read, TriNo when reading failed
	// (Err says why: EPERM without privilege), TriUnknown when this OS
	// layer cannot read them.
	Read Tri
	Err  error
	// Source names what was read ("nftables", "pf", or "nftables,
	// iptables-legacy" when the legacy back end holds tables too).
	Source string
	// Chains are the base chains hooked on output, in the order the kernel
	// runs them, and every regular chain of their tables (jump targets).
	Chains []FWChain
	// Partial, when Read is TriYes, says which source of rules could not
	// be read and why (Windows: the filtering platform's filters without
	// elevation); what was read still counts.
	Partial error
}

// FWChain is one chain of the packet filter.
type FWChain struct {
	Family string // the table's family: "inet", "ip", "ip6"
	Table  string
	Name   string
	// Hook is "output" for a base chain on the output hook, "" for a
	// regular chain reached only by jumps.
	Hook     string
	Priority int
	// Policy is what a base chain does with a packet no rule decided:
	// FWAccept or FWDrop.
	Policy FWVerdict
	Rules  []FWRule
	// Backend is the packet filter that holds the chain: "" for the
	// state's Source, BackendIPTablesLegacy for x_tables. Both run on the
	// output hook when both hold rules: a packet must pass each.
	Backend string
	// Assumed: the chain applies only if an assumption the OS layer made
	// holds (Windows: the profile judged is the strictest of several that
	// may be active); a claim from it then says so.
	Assumed bool
}

// BackendIPTablesLegacy is the legacy iptables back end (x_tables), which
// iptables-legacy and ip6tables-legacy manage.
const BackendIPTablesLegacy = "iptables-legacy"

// FWVerdict is what a rule does with a packet it matches.
type FWVerdict string

const (
	FWNone     FWVerdict = ""         // no verdict: the next rule goes on (counter, log)
	FWAccept   FWVerdict = "accept"   // leaves this base chain
	FWDrop     FWVerdict = "drop"     // silently discarded
	FWReject   FWVerdict = "reject"   // discarded with an ICMP error or a TCP reset
	FWJump     FWVerdict = "jump"     // into Target, back after it
	FWGoto     FWVerdict = "goto"     // into Target, not back
	FWReturn   FWVerdict = "return"   // back to the calling chain
	FWContinue FWVerdict = "continue" // same as no verdict
)

// FWRule is one rule: every Match must hold for Verdict to apply.
type FWRule struct {
	// Handle is the rule's nftables handle; for iptables-legacy, its
	// number in the chain (what iptables -D takes).
	Handle  uint64
	Match   []FWMatch
	Verdict FWVerdict
	Target  string // the chain of a jump or goto
	// Opaque: the rule tests something not modelled here (connection
	// state, marks, a set that could not be read). Whether it matches a
	// packet is then unknown, and diagnosis claims nothing from it.
	Opaque bool
	// Text is a short rendering of the rule for evidence
	// ("tcp dport 443 reject").
	Text string
	// Anchor is the pf anchor that holds the rule ("" for pf's main
	// ruleset, and for every other firewall): pf's anchors are inlined
	// into one chain, so the chain does not name them.
	Anchor string
}

// FWField names what a match tests.
type FWField string

const (
	FWNFProto FWField = "nfproto" // the address family: Protos holds 4 or 6
	FWL4Proto FWField = "l4proto" // the transport protocol: Protos holds 6 (tcp), 17 (udp)
	FWDPort   FWField = "dport"   // the destination port: Ports
	FWDAddr   FWField = "daddr"   // the destination address: Prefixes
	FWOIfName FWField = "oifname" // the outgoing interface: Names
	// FWCtState is the connection-tracking state: Names holds "new",
	// "established", "related", "invalid", "untracked". Every packet the
	// start needs opens a connection: it is "new".
	FWCtState FWField = "ct state"
	// FWMark is the packet's or its connection's mark (meta mark, ct
	// mark), masked as the rule masks it: Marks holds the values. The
	// start's packets carry none: 0.
	FWMark FWField = "mark"
)

// FWMatch is one test of a rule: the field is (or, Neg, is not) one of
// the values.
type FWMatch struct {
	Field    FWField
	Neg      bool
	Protos   []uint8
	Ports    []PortRange
	Prefixes []netip.Prefix
	Names    []string
	Marks    []uint32
}

// PortRange is an inclusive range of ports; Lo == Hi for one port.
type PortRange struct{ Lo, Hi uint16 }

// FWPacket is a packet the start needs to send, run through the rules.
type FWPacket struct {
	Family  int   // 4 or 6
	L4Proto uint8 // 6 tcp, 17 udp
	DAddr   netip.Addr
	DPort   uint16
	OIfName string // the route's interface
}

// Protocol numbers of the transports probed.
const (
	ProtoTCP uint8 = 6
	ProtoUDP uint8 = 17
)

// PortFailure is a TCP port of a target that failed with an errno (not
// silence) before another port answered: a reject of that port alone.
type PortFailure struct {
	Port uint16
	Err  error
}

// ErrFirewallDrops is the error of a probe not sent because the local
// firewall's rules drop what it would send (a kill switch): the rules
// prove the silence. It is a permission error (errors.Is EPERM), as a
// send the kernel refused would be.
var ErrFirewallDrops error = firewallDrops{}

type firewallDrops struct{}

func (firewallDrops) Error() string        { return "not sent: the local firewall's output rules drop it" }
func (firewallDrops) Is(target error) bool { return target == syscall.EPERM }

// LocalRejectError is a connect refused by an ICMP error that this host
// itself sent (a local firewall's reject rule), not by the target: the
// target never answered. Err keeps the kernel's errno (ECONNREFUSED,
// EHOSTUNREACH); it classifies as ClassPermission, the local firewall.
type LocalRejectError struct {
	Err  error
	From netip.Addr // the local address the ICMP error came from
}

func (e *LocalRejectError) Error() string {
	why := "refused"
	var en syscall.Errno
	if errors.As(e.Err, &en) {
		why = en.Error()
	}
	return fmt.Sprintf("rejected by this host's own firewall (an ICMP error from %s: %s)", e.From, why)
}

func (e *LocalRejectError) Unwrap() error { return e.Err }
