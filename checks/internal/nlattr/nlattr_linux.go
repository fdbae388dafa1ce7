// Package nlattr walks the attributes of a netlink message body. It is
// shared by the readers of rtnetlink (checks/internal/sys, checks/watch)
// and of generic netlink (checks/internal/wireguard), which may not
// import one another.
package nlattr

import (
	"encoding/binary"
	"fmt"

	"golang.org/x/sys/unix"
)

// typeMask clears NLA_F_NESTED and NLA_F_NET_BYTEORDER from a type.
const typeMask = 0x3fff

// Each calls fn for each attribute in b, with its type (flags cleared)
// and value, and stops at fn's first error. Written here rather than
// syscall.ParseNetlinkRouteAttr or nl.ParseRouteAttr: both slice past the
// end (a panic) when the last attribute's length is not 4-aligned and
// reaches the end of the buffer, and both allocate a slice per message.
// A malformed attribute is an error wrapping EINVAL.
func Each(b []byte, fn func(typ uint16, v []byte) error) error {
	ne := binary.NativeEndian
	for len(b) >= unix.SizeofRtAttr {
		l := int(ne.Uint16(b[0:2]))
		if l < unix.SizeofRtAttr || l > len(b) {
			return fmt.Errorf("malformed rtnetlink attribute: %w", unix.EINVAL)
		}
		if err := fn(ne.Uint16(b[2:4])&typeMask, b[unix.SizeofRtAttr:l]); err != nil {
			return err
		}
		b = b[min((l+unix.RTA_ALIGNTO-1)&^(unix.RTA_ALIGNTO-1), len(b)):]
	}
	return nil
}

// Append appends one attribute of type typ and value v to b, padded to 4
// bytes as the kernel expects the next one.
func Append(b []byte, typ uint16, v []byte) []byte {
	ne := binary.NativeEndian
	b = ne.AppendUint16(b, uint16(unix.SizeofRtAttr+len(v)))
	b = ne.AppendUint16(b, typ)
	b = append(b, v...)
	for range (unix.RTA_ALIGNTO - len(v)%unix.RTA_ALIGNTO) % unix.RTA_ALIGNTO {
		b = append(b, 0)
	}
	return b
}
