//go:build !linux

package probe

import (
	"net/netip"
	"syscall"
)

// rejectWatch tells a local firewall's reject from the host's refusal
// only on Linux (IP_RECVERR); elsewhere a refusal is the host's.
type rejectWatch struct{}

func newRejectWatch() *rejectWatch { return &rejectWatch{} }

func (*rejectWatch) control(next func(string, string, syscall.RawConn) error) func(string, string, syscall.RawConn) error {
	return next
}

func (*rejectWatch) localSender() (netip.Addr, bool) { return netip.Addr{}, false }

func (*rejectWatch) close() {}
