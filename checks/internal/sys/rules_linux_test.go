//go:build linux

package sys

import (
	"context"
	"encoding/binary"
	"net/netip"
	"reflect"
	"testing"

	"github.com/netguard/netguard/checks/internal/netnstest"
	"github.com/netguard/netguard/checks/netstate"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// TestParseRuleWGQuick reads wg-quick's two rules as the kernel sends them.
func TestParseRuleWGQuick(t *testing.T) {
	hdr := func(flags uint32) []byte {
		b := []byte{unix.AF_INET, 0, 0, 0, 0, 0, 0, unix.FR_ACT_TO_TBL, 0, 0, 0, 0}
		binary.NativeEndian.PutUint32(b[8:], flags)
		return b
	}
	u32 := func(x uint32) []byte { return binary.NativeEndian.AppendUint32(nil, x) }
	fw := append(hdr(unix.FIB_RULE_INVERT), attr(unix.FRA_PRIORITY, u32(32765))...)
	fw = append(fw, attr(unix.FRA_FWMARK, u32(51820))...)
	fw = append(fw, attr(unix.FRA_TABLE, u32(51820))...)
	r, ok, err := parseRule(fw)
	if err != nil || !ok {
		t.Fatalf("parseRule: %v %v", ok, err)
	}
	if got, want := r.String(), "32765: not from all fwmark 0xca6c lookup 51820"; got != want {
		t.Errorf("rule = %q, want %q", got, want)
	}
	sup := append(hdr(0), attr(unix.FRA_PRIORITY, u32(32764))...)
	sup = append(sup, attr(unix.FRA_TABLE, u32(254))...)
	sup = append(sup, attr(unix.FRA_SUPPRESS_PREFIXLEN, u32(0))...)
	r, _, err = parseRule(sup)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := r.String(), "32764: from all lookup main suppress_prefixlength 0"; got != want {
		t.Errorf("rule = %q, want %q", got, want)
	}
	if _, _, err := parseRule(fw[:8]); err == nil {
		t.Error("short rule message parsed")
	}
}

// TestRulesInNetns reads wg-quick's rules from a real kernel, in a
// namespace of its own, and the route lookup answers with the policy
// table the rule chose.
func TestRulesInNetns(t *testing.T) {
	netnstest.Run(t, func(t *testing.T) {
		lo, err := netlink.LinkByName("lo")
		netnstest.Must(t, "lo", err)
		netnstest.Must(t, "lo up", netlink.LinkSetUp(lo))
		netnstest.Must(t, "addr", netlink.AddrAdd(lo, &netlink.Addr{IPNet: netnstest.CIDR("10.66.0.2/32")}))
		netnstest.Must(t, "route", netlink.RouteAdd(&netlink.Route{Dst: netnstest.CIDR("0.0.0.0/0"), LinkIndex: lo.Attrs().Index, Table: 51820}))
		r := netlink.NewRule()
		r.Priority, r.Invert, r.Mark, r.Table = 32765, true, 51820, 51820
		netnstest.Must(t, "rule", netlink.RuleAdd(r))
		r = netlink.NewRule()
		r.Priority, r.Table, r.SuppressPrefixlen = 32764, unix.RT_TABLE_MAIN, 0
		netnstest.Must(t, "rule", netlink.RuleAdd(r))
		s := New().(*linuxSystem)
		rules, err := s.Rules(context.Background())
		netnstest.Must(t, "Rules", err)
		var got []string
		for _, r := range rules {
			if r.Family == 4 {
				got = append(got, r.String())
			}
		}
		want := []string{"0: from all lookup local", "32764: from all lookup main suppress_prefixlength 0",
			"32765: not from all fwmark 0xca6c lookup 51820", "32766: from all lookup main", "32767: from all lookup default"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("rules:\n got %q\nwant %q", got, want)
		}
		rt, err := s.RouteTo(context.Background(), netip.MustParseAddr("203.0.113.5"))
		netnstest.Must(t, "RouteTo", err)
		if rt.Table != 51820 || rt.IfIndex != lo.Attrs().Index {
			t.Errorf("RouteTo = %+v, want table 51820 via lo", rt)
		}
		if m := netstate.RuleFor(rules, netip.MustParseAddr("203.0.113.5"), rt.Src, rt.Table); m == nil || m.Priority != 32765 {
			t.Errorf("RuleFor = %v", m)
		}
	})
}
