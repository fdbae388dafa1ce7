package wireguard

// Decoding of what the WireGuard-NT driver answers to WG_IOCTL_GET: a
// WG_IOCTL_INTERFACE followed by its peers, each followed by its allowed
// IPs (wireguard-nt driver/ioctl.h at 41a7c88, the same layout as
// api/wireguard.h's WIREGUARD_INTERFACE/PEER/ALLOWED_IP). No member is a
// pointer, and every struct is declared __declspec(align(8)), so the
// layout is the same on amd64, arm64 and 386; sizes and offsets below
// were checked with offsetof against mingw-w64's ws2ipdef.h. This file has
// no build tag so that the parser is tested on any OS.

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"time"

	"github.com/netguard/netguard/checks/netstate"
)

// WG_IOCTL_GET is CTL_CODE(45208, 321, METHOD_OUT_DIRECT,
// FILE_READ_DATA | FILE_WRITE_DATA). The buffer's size is not in the code:
// a short buffer fails with ERROR_MORE_DATA and the size needed.
const wgntIoctlGet uint32 = 45208<<16 | 3<<14 | 321<<2 | 2

// Layout of the answer.
const (
	wgntInterfaceSize    = 80  // PeersCount at 72
	wgntPeerSize         = 136 // Endpoint at 76, TxBytes 104, RxBytes 112, LastHandshake 120, AllowedIPsCount 128
	wgntAllowedIPSize    = 24
	wgntPeerHasEndpoint  = 1 << 3 // WG_IOCTL_PEER_HAS_ENDPOINT
	wgntFiletimeUnixDiff = 116444736000000000
)

// parseWGNT decodes a WG_IOCTL_GET answer into the peers' evidence; now
// is when it was read. LastHandshake counts 100 ns since 1601-01-01 UTC
// (a FILETIME); 0 is never.
func parseWGNT(b []byte, now time.Time) (netstate.TunnelInfo, error) {
	info := netstate.TunnelInfo{Kind: "wireguard"}
	if len(b) < wgntInterfaceSize {
		return info, fmt.Errorf("WG_IOCTL_GET: %d bytes, want at least %d", len(b), wgntInterfaceSize)
	}
	le := binary.LittleEndian
	n := le.Uint32(b[72:])
	off := wgntInterfaceSize
	for i := uint32(0); i < n; i++ {
		if len(b)-off < wgntPeerSize {
			return info, fmt.Errorf("WG_IOCTL_GET: peer %d of %d cut short at byte %d", i+1, n, off)
		}
		p := b[off : off+wgntPeerSize]
		var peer netstate.TunnelPeer
		if le.Uint32(p)&wgntPeerHasEndpoint != 0 {
			peer.Endpoint = windowsSockaddr(p[76:104])
		}
		peer.TxBytes, peer.RxBytes = int64(le.Uint64(p[104:])), int64(le.Uint64(p[112:]))
		peer.SinceHandshake = -1
		if hs := le.Uint64(p[120:]); hs > wgntFiletimeUnixDiff {
			t := time.Unix(0, 0).Add(time.Duration(hs-wgntFiletimeUnixDiff) * 100)
			peer.SinceHandshake = max(now.Sub(t), 0)
		}
		info.Peers = append(info.Peers, peer)
		ips := int(le.Uint32(p[128:]))
		if ips > (len(b)-off-wgntPeerSize)/wgntAllowedIPSize {
			return info, fmt.Errorf("WG_IOCTL_GET: peer %d: %d allowed IPs past the end", i+1, ips)
		}
		off += wgntPeerSize + ips*wgntAllowedIPSize
	}
	return info, nil
}

// The address families of a SOCKADDR_INET (ws2def.h).
const (
	wgntAFInet  = 2
	wgntAFInet6 = 23
)

// windowsSockaddr decodes a SOCKADDR_INET (28 bytes: family, port in
// network order, then sin_addr, or sin6_flowinfo and sin6_addr) into an
// address without a zone and its port; invalid for another family.
func windowsSockaddr(b []byte) netip.AddrPort {
	var a netip.Addr
	switch binary.LittleEndian.Uint16(b) {
	case wgntAFInet:
		a = netip.AddrFrom4([4]byte(b[4:8]))
	case wgntAFInet6:
		a = netip.AddrFrom16([16]byte(b[8:24]))
	default:
		return netip.AddrPort{}
	}
	return netip.AddrPortFrom(a, binary.BigEndian.Uint16(b[2:4]))
}
