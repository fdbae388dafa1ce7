//go:build linux

package sys

import (
	"context"

	"github.com/netguard/netguard/checks/internal/nlattr"
	"github.com/netguard/netguard/checks/netstate"
	"golang.org/x/sys/unix"
)

var _ netstate.RuleReader = (*linuxSystem)(nil)

// sizeofFibRuleHdr is struct fib_rule_hdr (linux/fib_rules.h): family,
// dst_len, src_len, tos, table, res1, res2, action, flags.
const sizeofFibRuleHdr = 12

// Rules dumps the policy routing rules of both families (RTM_GETRULE, as
// `ip rule` does); the kernel returns them in priority order.
func (s *linuxSystem) Rules(ctx context.Context) ([]netstate.Rule, error) {
	var out []netstate.Rule
	err := s.dump(ctx, "dump rules", unix.RTM_GETRULE, rtgenBody[:sizeofFibRuleHdr], unix.RTM_NEWRULE,
		func() { out = out[:0] },
		func(b []byte) error {
			r, ok, err := parseRule(b)
			if ok {
				out = append(out, r)
			}
			return err
		})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// parseRule reads one RTM_NEWRULE body; ok is false for the families
// checks ignore (multicast routing's rules).
func parseRule(b []byte) (netstate.Rule, bool, error) {
	if len(b) < sizeofFibRuleHdr {
		return netstate.Rule{}, false, errMalformed("rule message")
	}
	r := netstate.Rule{SuppressPrefixLen: -1, Table: int(b[4])}
	switch b[0] {
	case unix.AF_INET:
		r.Family = 4
	case unix.AF_INET6:
		r.Family = 6
	default:
		return netstate.Rule{}, false, nil
	}
	dstLen, srcLen := int(b[1]), int(b[2])
	switch b[7] {
	case unix.FR_ACT_TO_TBL:
		r.Action = netstate.RuleLookup
	case unix.FR_ACT_GOTO:
		r.Action = netstate.RuleGoto
	case unix.FR_ACT_BLACKHOLE:
		r.Action = netstate.RuleBlackhole
	case unix.FR_ACT_UNREACHABLE:
		r.Action = netstate.RuleUnreachable
	case unix.FR_ACT_PROHIBIT:
		r.Action = netstate.RuleProhibit
	default:
		r.Action = netstate.RuleNop
	}
	flags, _ := u32(b[8:12])
	r.Invert = flags&unix.FIB_RULE_INVERT != 0
	markSet := false
	err := nlattr.Each(b[sizeofFibRuleHdr:], func(typ uint16, v []byte) error {
		x, isU32 := u32(v)
		switch typ {
		case unix.FRA_DST:
			r.Dst = prefixOf(v, dstLen)
		case unix.FRA_SRC:
			r.Src = prefixOf(v, srcLen)
		case unix.FRA_IIFNAME:
			r.IifName = cString(v)
		case unix.FRA_OIFNAME:
			r.OifName = cString(v)
		case unix.FRA_PRIORITY:
			if isU32 {
				r.Priority = int(x)
			}
		case unix.FRA_TABLE:
			if isU32 {
				r.Table = int(x)
			}
		case unix.FRA_GOTO:
			if isU32 {
				r.Goto = int(x)
			}
		case unix.FRA_FWMARK:
			if isU32 {
				r.Mark, markSet = x, true
			}
		case unix.FRA_FWMASK:
			if isU32 {
				r.Mask = x
			}
		case unix.FRA_SUPPRESS_PREFIXLEN:
			if isU32 {
				r.SuppressPrefixLen = int(int32(x))
			}
		}
		return nil
	})
	if markSet && r.Mask == 0 {
		r.Mask = 0xffffffff // the kernel's default for a mark without a mask
	}
	return r, true, err
}
