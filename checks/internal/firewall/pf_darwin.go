package firewall

import (
	"context"
	"errors"
	"fmt"
	"unsafe"

	"github.com/netguard/netguard/checks/internal/xnu"
	"github.com/netguard/netguard/checks/netstate"
	"golang.org/x/sys/unix"
)

// ReadOutput reads pf's filter rules for outgoing packets from /dev/pf,
// read-only: DIOCGETSTATUS (pf disabled filters nothing), then
// DIOCGETRULES/DIOCGETRULE over the main ruleset and the anchors its rules
// call. /dev/pf is root's alone: anyone else gets the open's EACCES, and
// diagnosis falls back to what errno proves. Each request carries its
// struct's size (pf.go), so a release whose layout differs answers with an
// errno instead of being misread. Content filters of Network Extension
// apps (Little Snitch, LuLu) are not pf, and are not read.
func ReadOutput(ctx context.Context) netstate.FirewallState {
	fs := netstate.FirewallState{Source: pfSourceName}
	fd, err := unix.Open("/dev/pf", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		fs.Read, fs.Err = netstate.TriNo, fmt.Errorf("open /dev/pf: %w", err)
		return fs
	}
	defer unix.Close(fd)
	var st [pfStatusSize]byte
	if err := xnu.Ioctl(fd, pfDIOCGETSTATUS, unsafe.Pointer(&st[0])); err != nil {
		// pfioctl answers a request it does not know on a read-only
		// descriptor with EACCES: after an open that root got, that is
		// a pf_status of another size, not a missing privilege.
		fs.Read, fs.Err = netstate.TriNo, fmt.Errorf("pf DIOCGETSTATUS (pf_status of %d bytes, as xnu-11417 lays it out): %w", pfStatusSize, err)
		return fs
	}
	if running, _ := pfStatusRunning(st[:]); !running {
		fs.Read = netstate.TriYes // disabled: no rule applies
		return fs
	}
	src := &pfDev{ctx: ctx, fd: fd}
	var main pfRuleset
	// EBUSY: the ruleset changed between two reads (a ticket from before
	// a reload); read it again once.
	for range 2 {
		budget := pfMaxRules
		main, err = readPFRuleset(src, "", 0, &budget)
		if !errors.Is(err, unix.EBUSY) {
			break
		}
	}
	if err != nil {
		fs.Read, fs.Err = netstate.TriNo, err
		return fs
	}
	fs.Read = netstate.TriYes
	fs.Chains = []netstate.FWChain{pfOutputChain(main)}
	return fs
}

// pfDev reads rulesets with the ioctls of an open /dev/pf.
type pfDev struct {
	ctx context.Context
	fd  int
	buf [pfIocRuleSize]byte
}

func (d *pfDev) ioctl(req uint, b []byte, what string) error {
	if err := d.ctx.Err(); err != nil {
		return fmt.Errorf("read pf rules: %w", err)
	}
	if err := xnu.Ioctl(d.fd, req, unsafe.Pointer(&b[0])); err != nil {
		return fmt.Errorf("pf %s: %w", what, err)
	}
	return nil
}

func (d *pfDev) Rules(path string) ([]pfRule, error) {
	b := d.buf[:]
	if err := pfIocRuleRequest(b, path, 0, 0); err != nil {
		return nil, err
	}
	if err := d.ioctl(pfDIOCGETRULES, b, fmt.Sprintf("DIOCGETRULES %q", path)); err != nil {
		return nil, err
	}
	n, ticket := pfIocRuleCount(b)
	if n > pfMaxRules {
		return nil, errPFTooMany
	}
	rules := make([]pfRule, 0, n)
	for nr := range n {
		if err := pfIocRuleRequest(b, path, ticket, nr); err != nil {
			return nil, err
		}
		if err := d.ioctl(pfDIOCGETRULE, b, fmt.Sprintf("DIOCGETRULE %q %d", path, nr)); err != nil {
			return nil, err
		}
		r, err := decodePFIocRule(b)
		if err != nil {
			return nil, err
		}
		rules = append(rules, r)
	}
	return rules, nil
}

func (d *pfDev) Children(path string) ([]string, error) {
	var b [pfIocRSetSize]byte
	if err := pfIocRulesetRequest(b[:], path, 0); err != nil {
		return nil, err
	}
	if err := d.ioctl(pfDIOCGETRULESETS, b[:], fmt.Sprintf("DIOCGETRULESETS %q", path)); err != nil {
		return nil, err
	}
	n, _ := pfIocRulesetAnswer(b[:])
	if n > pfMaxRules {
		return nil, errPFTooMany
	}
	names := make([]string, 0, n)
	for nr := range n {
		if err := pfIocRulesetRequest(b[:], path, nr); err != nil {
			return nil, err
		}
		if err := d.ioctl(pfDIOCGETRULESET, b[:], fmt.Sprintf("DIOCGETRULESET %q %d", path, nr)); err != nil {
			return nil, err
		}
		_, name := pfIocRulesetAnswer(b[:])
		names = append(names, name)
	}
	return names, nil
}
