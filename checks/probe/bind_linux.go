//go:build linux

package probe

import (
	"github.com/netguard/netguard/checks/netstate"
	"golang.org/x/sys/unix"
)

// icmpBindable is true: Linux routes an echo socket's packets through the
// interface named in IP_PKTINFO/IPV6_PKTINFO (pro-bing's InterfaceName).
const icmpBindable = true

// bindToInterface binds a socket to l with SO_BINDTODEVICE, which an
// unprivileged process may do since Linux 5.7 on a socket not yet bound
// to a device (older kernels answer EPERM: the probe is then "not
// permitted", never "unreachable"). The route lookup then only considers
// routes through l.
func bindToInterface(fd uintptr, _ bool, l netstate.Link) error {
	return unix.SetsockoptString(int(fd), unix.SOL_SOCKET, unix.SO_BINDTODEVICE, l.Name)
}
