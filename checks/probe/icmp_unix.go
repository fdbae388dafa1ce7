//go:build !windows

package probe

// icmpModes lists the ICMP socket kinds to try, in order (false =
// unprivileged datagram socket, true = raw). Root goes straight to raw: a
// fresh Linux network namespace has ping_group_range "1 0", which denies
// datagram ICMP sockets even to root.
func icmpModes(privileged bool) []bool {
	if privileged {
		return []bool{true}
	}
	return []bool{false, true}
}
