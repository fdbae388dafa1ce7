//go:build linux

package wireguard

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/netguard/netguard/checks/internal/nlattr"
	"github.com/netguard/netguard/checks/netstate"
	"golang.org/x/sys/unix"
)

// Netlink is the OS layer's generic netlink socket (a NETLINK_GENERIC
// socket opened on first use). Request sends one message of type typ
// (body: the fixed header and attributes) and calls fn with the body of
// every reply message of type want, before the receive buffer is reused:
// fn must copy what it keeps. reset is called before each attempt so that
// fn starts from scratch after a retried dump. Errors keep the kernel's
// errno and ctx's error.
type Netlink interface {
	Request(ctx context.Context, typ, flags uint16, body []byte, want uint16, reset func(), fn func([]byte) error) error
}

// errMalformed wraps every parse failure; EINVAL like the library's.
func errMalformed(what string) error {
	return fmt.Errorf("malformed rtnetlink %s: %w", what, unix.EINVAL)
}

// sizeofGenlMsghdr is struct genlmsghdr: cmd, version, reserved.
const sizeofGenlMsghdr = 4

// genlBody is a generic netlink request body: its header and attributes.
func genlBody(cmd, version uint8, attrs ...[]byte) []byte {
	b := []byte{cmd, version, 0, 0}
	for _, a := range attrs {
		b = append(b, a...)
	}
	return b
}

// inspectKernelWG reads a kernel WireGuard device's peers over generic
// netlink (WG_CMD_GET_DEVICE, as `wg show` does; root only). ENOENT from
// the family lookup: no WireGuard module; EOPNOTSUPP or ENODEV: ifName is
// not a kernel WireGuard device.
func inspectKernelWG(ctx context.Context, c Netlink, ifName string) ([]netstate.TunnelPeer, error) {
	var fam uint16
	err := c.Request(ctx, unix.GENL_ID_CTRL, 0,
		genlBody(unix.CTRL_CMD_GETFAMILY, 1, nlattr.Append(nil, unix.CTRL_ATTR_FAMILY_NAME, append([]byte(unix.WG_GENL_NAME), 0))),
		unix.GENL_ID_CTRL, nil,
		func(b []byte) error {
			if len(b) < sizeofGenlMsghdr {
				return errMalformed("generic netlink message")
			}
			return nlattr.Each(b[sizeofGenlMsghdr:], func(typ uint16, v []byte) error {
				if typ == unix.CTRL_ATTR_FAMILY_ID && len(v) >= 2 {
					fam = binary.NativeEndian.Uint16(v)
				}
				return nil
			})
		})
	if err != nil {
		return nil, fmt.Errorf("resolve generic netlink family %s: %w", unix.WG_GENL_NAME, err)
	}
	if fam == 0 {
		return nil, fmt.Errorf("resolve generic netlink family %s: %w", unix.WG_GENL_NAME, unix.ENOENT)
	}
	var peers []netstate.TunnelPeer
	now := time.Now()
	err = c.Request(ctx, fam, unix.NLM_F_DUMP,
		genlBody(unix.WG_CMD_GET_DEVICE, unix.WG_GENL_VERSION, nlattr.Append(nil, unix.WGDEVICE_A_IFNAME, append([]byte(ifName), 0))),
		fam, func() { peers = peers[:0] },
		func(b []byte) error {
			ps, err := parseWGDevice(b, now)
			peers = append(peers, ps...)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("read WireGuard device %s: %w", ifName, err)
	}
	return peers, nil
}

// parseWGDevice reads one WG_CMD_GET_DEVICE reply message (a large
// device's peers come spread over several): each peer's endpoint, last
// handshake (a __kernel_timespec, zero: never) and byte counters. Keys
// are never kept. now turns the handshake time into an age.
func parseWGDevice(b []byte, now time.Time) ([]netstate.TunnelPeer, error) {
	if len(b) < sizeofGenlMsghdr {
		return nil, errMalformed("WireGuard device message")
	}
	var out []netstate.TunnelPeer
	err := nlattr.Each(b[sizeofGenlMsghdr:], func(typ uint16, v []byte) error {
		if typ != unix.WGDEVICE_A_PEERS {
			return nil
		}
		return nlattr.Each(v, func(_ uint16, pv []byte) error {
			p := netstate.TunnelPeer{SinceHandshake: -1}
			err := nlattr.Each(pv, func(typ uint16, x []byte) error {
				switch typ {
				case unix.WGPEER_A_ENDPOINT:
					p.Endpoint = sockaddrAddrPort(x)
				case unix.WGPEER_A_LAST_HANDSHAKE_TIME:
					if len(x) >= 16 {
						sec := int64(binary.NativeEndian.Uint64(x[0:8]))
						nsec := int64(binary.NativeEndian.Uint64(x[8:16]))
						if sec != 0 || nsec != 0 {
							p.SinceHandshake = max(now.Sub(time.Unix(sec, nsec)), 0)
						}
					}
				case unix.WGPEER_A_RX_BYTES:
					if len(x) >= 8 {
						p.RxBytes = int64(binary.NativeEndian.Uint64(x))
					}
				case unix.WGPEER_A_TX_BYTES:
					if len(x) >= 8 {
						p.TxBytes = int64(binary.NativeEndian.Uint64(x))
					}
				}
				return nil
			})
			out = append(out, p)
			return err
		})
	})
	return out, err
}

// sockaddrAddrPort reads a struct sockaddr_in or sockaddr_in6 (family in
// host order, port in network order); invalid for anything else.
func sockaddrAddrPort(b []byte) netip.AddrPort {
	if len(b) < 8 {
		return netip.AddrPort{}
	}
	port := binary.BigEndian.Uint16(b[2:4])
	switch binary.NativeEndian.Uint16(b[0:2]) {
	case unix.AF_INET:
		a, _ := netip.AddrFromSlice(b[4:8])
		return netip.AddrPortFrom(a, port)
	case unix.AF_INET6:
		if len(b) < 24 {
			return netip.AddrPort{}
		}
		a, _ := netip.AddrFromSlice(b[8:24])
		return netip.AddrPortFrom(a, port)
	}
	return netip.AddrPort{}
}

// kernelWGAbsent reports whether err says the kernel has no WireGuard
// device by that name (no module, or another kind of device), so the
// userspace socket is asked instead.
func kernelWGAbsent(err error) bool {
	return errors.Is(err, unix.ENOENT) || errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.ENODEV)
}
