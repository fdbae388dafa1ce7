package netstate

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// RuleAction is what a policy routing rule does with a packet it matches.
type RuleAction int

const (
	RuleLookup      RuleAction = iota // look the packet up in Table
	RuleUnreachable                   // refuse with EHOSTUNREACH
	RuleProhibit                      // refuse with EACCES
	RuleBlackhole                     // drop silently
	RuleGoto                          // continue at the rule Goto
	RuleNop                           // do nothing
)

// Rule is one policy routing rule (Linux `ip rule`): the kernel walks
// them in priority order before any table, so a VPN's rule decides which
// table answers (wg-quick's `not fwmark 51820 lookup 51820`, Tailscale's
// table 52).
type Rule struct {
	Family   int // 4 or 6
	Priority int
	Action   RuleAction
	Table    int
	Goto     int
	// Invert is the rule's "not": it matches what its selectors do not.
	Invert bool
	Src    netip.Prefix // invalid: any
	Dst    netip.Prefix // invalid: any
	// Mark and Mask select packets by firewall mark; Mark 0 with Mask 0
	// selects none.
	Mark, Mask uint32
	IifName    string
	OifName    string
	// SuppressPrefixLen rejects a lookup's answer whose prefix is this
	// long or shorter (wg-quick's suppress_prefixlength 0 ignores the main
	// table's default route); -1 when not set.
	SuppressPrefixLen int
}

// String renders r as `ip rule` does: "32765: not from all fwmark 0xca6c
// lookup 51820".
func (r Rule) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d: ", r.Priority)
	if r.Invert {
		b.WriteString("not ")
	}
	if r.Src.IsValid() {
		b.WriteString("from " + r.Src.String())
	} else {
		b.WriteString("from all")
	}
	if r.Dst.IsValid() {
		b.WriteString(" to " + r.Dst.String())
	}
	if r.Mark != 0 || r.Mask != 0 {
		fmt.Fprintf(&b, " fwmark %#x", r.Mark)
		if r.Mask != 0xffffffff {
			fmt.Fprintf(&b, "/%#x", r.Mask)
		}
	}
	if r.IifName != "" {
		b.WriteString(" iif " + r.IifName)
	}
	if r.OifName != "" {
		b.WriteString(" oif " + r.OifName)
	}
	switch r.Action {
	case RuleLookup:
		b.WriteString(" lookup " + TableName(r.Table))
	case RuleUnreachable:
		b.WriteString(" unreachable")
	case RuleProhibit:
		b.WriteString(" prohibit")
	case RuleBlackhole:
		b.WriteString(" blackhole")
	case RuleGoto:
		fmt.Fprintf(&b, " goto %d", r.Goto)
	case RuleNop:
		b.WriteString(" nop")
	}
	if r.SuppressPrefixLen >= 0 {
		fmt.Fprintf(&b, " suppress_prefixlength %d", r.SuppressPrefixLen)
	}
	return b.String()
}

// Linux's reserved routing tables (rtnetlink.h RT_TABLE_*).
const (
	TableDefault = 253
	TableMain    = 254
	TableLocal   = 255
)

// TableName is a table as `ip` names it: "main", "local", "default" or
// its number.
func TableName(t int) string {
	switch t {
	case TableMain:
		return "main"
	case TableLocal:
		return "local"
	case TableDefault:
		return "default"
	}
	return fmt.Sprint(t)
}

// RuleFor returns the rule that sent this host's own traffic to dst into
// table: the first rule, in priority order, of dst's family whose
// selectors match a packet this host sends unmarked and unbound from src
// (invalid: not known), and that looks up table. Nil when no rule does
// (no rules read, or an OS without policy rules).
func RuleFor(rules []Rule, dst, src netip.Addr, table int) *Rule {
	fam := FamilyOf(dst)
	for i := range rules {
		r := &rules[i]
		if r.Family != fam || !r.matchesLocal(dst, src) {
			continue
		}
		if r.Action == RuleLookup && r.Table == table {
			return r
		}
	}
	return nil
}

// matchesLocal reports whether r selects a packet this host sends to dst
// from src without a firewall mark and without binding to an interface;
// a selector that cannot be told (src unknown) does not match.
func (r *Rule) matchesLocal(dst, src netip.Addr) bool {
	m := true
	if r.Dst.IsValid() && !r.Dst.Contains(dst) {
		m = false
	}
	if r.Src.IsValid() && (!src.IsValid() || !r.Src.Contains(src)) {
		m = false
	}
	if (r.Mark != 0 || r.Mask != 0) && 0&r.Mask != r.Mark {
		m = false // our packets carry mark 0
	}
	if r.IifName != "" && r.IifName != "lo" {
		m = false // local traffic enters from the loopback device
	}
	if r.OifName != "" {
		m = false
	}
	return m != r.Invert
}

// RuleReader is implemented by OS layers with policy routing rules
// (Linux, RTM_GETRULE). Without it State.Rules stays empty and the route
// a target takes is still the kernel's own lookup, its rule unnamed.
type RuleReader interface {
	// Rules returns the rules of both families in the kernel's order.
	Rules(ctx context.Context) ([]Rule, error)
}

// TunnelPeer is what a VPN device says about one of its peers.
type TunnelPeer struct {
	// Endpoint is the peer's outer address, invalid when not known.
	Endpoint netip.AddrPort
	// SinceHandshake is how long before the read the peer's last
	// handshake completed; negative: never since the device came up.
	SinceHandshake time.Duration
	RxBytes        int64
	TxBytes        int64
}

// TunnelInfo is the evidence a tunnel device offers about its server.
type TunnelInfo struct {
	IfName string
	// Kind names the protocol read ("wireguard"); empty when the device
	// offered nothing readable.
	Kind  string
	Peers []TunnelPeer
	// Err says why nothing could be read (not root, not a WireGuard
	// device); nil when Kind is set.
	Err error
	// WGQuick is the wg-quick configuration that brought the device up,
	// where the OS tells it (Linux: the device is named after it; macOS:
	// the name file wg-quick keeps beside wireguard-go's socket); "" when
	// not known.
	WGQuick string
}

// ErrTunnelSilent means a tunnel device offers no state of its own to
// read: no WireGuard socket (a VPN app inside a macOS network extension,
// OpenVPN's tun), so the silence through it is all the evidence there is.
var ErrTunnelSilent = errors.New("the device offers no state of its own")

// TunnelInspector is implemented by OS layers that can read a tunnel
// device's own state, as root: WireGuard's, over generic netlink
// (WG_CMD_GET_DEVICE, Linux's kernel devices) or wireguard-go's
// configuration socket (Linux and macOS).
type TunnelInspector interface {
	// InspectTunnel reads ifName's peers; an error says why it could not.
	InspectTunnel(ctx context.Context, ifName string) (TunnelInfo, error)
}
