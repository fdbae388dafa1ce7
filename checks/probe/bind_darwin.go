//go:build darwin

package probe

import (
	"github.com/netguard/netguard/checks/netstate"
	"golang.org/x/sys/unix"
)

// icmpBindable is false: pro-bing cannot bind macOS echo sockets to an
// interface.
const icmpBindable = false

// bindToInterface scopes a socket to l with IP_BOUND_IF/IPV6_BOUND_IF, as
// ping -b and curl --interface do; no privilege needed. The kernel then
// uses l's scoped routes (RTF_IFSCOPE), including its own default route.
func bindToInterface(fd uintptr, v6 bool, l netstate.Link) error {
	if v6 {
		return unix.SetsockoptInt(int(fd), unix.IPPROTO_IPV6, unix.IPV6_BOUND_IF, l.Index)
	}
	return unix.SetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_BOUND_IF, l.Index)
}
