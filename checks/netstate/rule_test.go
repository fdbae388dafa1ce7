package netstate

import (
	"net/netip"
	"testing"
)

// TestRuleFor finds the rule that chose the answering table.
func TestRuleFor(t *testing.T) {
	wg := []Rule{
		{Family: 4, Priority: 0, Table: TableLocal, SuppressPrefixLen: -1},
		{Family: 4, Priority: 32764, Table: TableMain, SuppressPrefixLen: 0},
		{Family: 4, Priority: 32765, Table: 51820, Invert: true, Mark: 51820, Mask: 0xffffffff, SuppressPrefixLen: -1},
		{Family: 4, Priority: 32766, Table: TableMain, SuppressPrefixLen: -1},
		{Family: 6, Priority: 32765, Table: 51820, Invert: true, Mark: 51820, Mask: 0xffffffff, SuppressPrefixLen: -1},
	}
	dst := netip.MustParseAddr("203.0.113.5")
	if r := RuleFor(wg, dst, netip.Addr{}, 51820); r == nil || r.Priority != 32765 || r.Family != 4 {
		t.Errorf("table 51820: %v", r)
	}
	if r := RuleFor(wg, dst, netip.Addr{}, TableMain); r == nil || r.Priority != 32764 {
		t.Errorf("main: %v", r)
	}
	marked := []Rule{{Family: 4, Priority: 10, Table: 7, Mark: 1, Mask: 1, SuppressPrefixLen: -1}, {Family: 4, Priority: 20, Table: 7, Src: netip.MustParsePrefix("10.0.0.0/8"), SuppressPrefixLen: -1}}
	if r := RuleFor(marked, dst, netip.Addr{}, 7); r != nil {
		t.Errorf("a mark or source we lack matched: %v", r)
	}
	if r := RuleFor(marked, dst, netip.MustParseAddr("10.1.2.3"), 7); r == nil || r.Priority != 20 {
		t.Errorf("source rule: %v", r)
	}
}
