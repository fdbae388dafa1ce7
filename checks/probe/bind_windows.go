//go:build windows

package probe

import (
	"encoding/binary"

	"github.com/netguard/netguard/checks/netstate"
	"golang.org/x/sys/windows"
)

// icmpBindable is false: pro-bing cannot bind Windows echo sockets to an
// interface.
const icmpBindable = false

// IP_UNICAST_IF and IPV6_UNICAST_IF (ws2ipdef.h); x/sys/windows lacks them.
const (
	windowsIPUnicastIf   = 31
	windowsIPv6UnicastIf = 31
)

// bindToInterface makes a socket send through l with IP_UNICAST_IF
// (interface index in network byte order for IPv4, host order for IPv6);
// no privilege needed.
func bindToInterface(fd uintptr, v6 bool, l netstate.Link) error {
	h := windows.Handle(fd)
	if v6 {
		return windows.SetsockoptInt(h, windows.IPPROTO_IPV6, windowsIPv6UnicastIf, l.Index)
	}
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], uint32(l.Index))
	return windows.SetsockoptInt(h, windows.IPPROTO_IP, windowsIPUnicastIf, int(binary.NativeEndian.Uint32(b[:])))
}
