package wireguard

import (
	"encoding/binary"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/netguard/netguard/checks/netstate"
)

// filetime is t as a FILETIME: 100 ns since 1601-01-01 UTC.
func filetime(t time.Time) uint64 { return uint64(t.UnixNano()/100) + wgntFiletimeUnixDiff }

// wgntAnswer is a WG_IOCTL_GET answer written byte by byte from
// driver/ioctl.h: an interface, a peer over IPv4 with two allowed IPs
// and a handshake 3 minutes before now, and a peer over IPv6 that never
// completed one.
func wgntAnswer(now time.Time) []byte {
	le := binary.LittleEndian
	iface := make([]byte, 80)          // WG_IOCTL_INTERFACE
	le.PutUint32(iface[0:], 1<<0|1<<2) // Flags: HAS_PUBLIC_KEY | HAS_LISTEN_PORT
	le.PutUint16(iface[4:], 51820)     // ListenPort; keys at 6 and 38
	le.PutUint32(iface[72:], 2)        // PeersCount
	p1 := make([]byte, 136)            // WG_IOCTL_PEER
	le.PutUint32(p1[0:], 1<<0|1<<3)    // Flags: HAS_PUBLIC_KEY | HAS_ENDPOINT
	le.PutUint16(p1[72:], 25)          // PersistentKeepalive
	le.PutUint16(p1[76:], 2)           // Endpoint.si_family = AF_INET
	binary.BigEndian.PutUint16(p1[78:], 51820)
	copy(p1[80:84], []byte{192, 0, 2, 7}) // sin_addr
	le.PutUint64(p1[104:], 1000)          // TxBytes
	le.PutUint64(p1[112:], 0)             // RxBytes
	le.PutUint64(p1[120:], filetime(now.Add(-3*time.Minute)))
	le.PutUint32(p1[128:], 2) // AllowedIPsCount
	aip := make([]byte, 48)   // two WG_IOCTL_ALLOWED_IP: 0.0.0.0/0 and ::/0
	le.PutUint16(aip[16:], 2)
	le.PutUint16(aip[24+16:], 23)
	p2 := make([]byte, 136)
	le.PutUint32(p2[0:], 1<<0|1<<3)
	le.PutUint16(p2[76:], 23) // AF_INET6: sin6_port at 78, flowinfo 80, addr 84
	binary.BigEndian.PutUint16(p2[78:], 51820)
	copy(p2[84:100], netip.MustParseAddr("2001:db8::1").AsSlice())
	// LastHandshake 0: never; no allowed IPs.
	return append(append(append(iface, p1...), aip...), p2...)
}

// TestParseWGNT decodes the peers' endpoints, traffic and last handshake.
func TestParseWGNT(t *testing.T) {
	now := time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC)
	got, err := parseWGNT(wgntAnswer(now), now)
	if err != nil {
		t.Fatal(err)
	}
	want := netstate.TunnelInfo{Kind: "wireguard", Peers: []netstate.TunnelPeer{
		{Endpoint: netip.MustParseAddrPort("192.0.2.7:51820"), SinceHandshake: 3 * time.Minute, TxBytes: 1000},
		{Endpoint: netip.MustParseAddrPort("[2001:db8::1]:51820"), SinceHandshake: -1},
	}}
	if d := cmp.Diff(want, got, cmp.Comparer(func(a, b netip.AddrPort) bool { return a == b })); d != "" {
		t.Errorf("tunnel (-want +got):\n%s", d)
	}
	if wgntIoctlGet != 0xb098c506 {
		t.Errorf("WG_IOCTL_GET = %#x, want 0xb098c506", wgntIoctlGet)
	}
}

// TestParseWGNTShort: an answer cut anywhere is an error, never a panic
// or a peer read past the end.
func TestParseWGNTShort(t *testing.T) {
	now := time.Now()
	b := wgntAnswer(now)
	for _, n := range []int{0, 79, 80 + 135, 80 + 136 + 47, len(b) - 1} {
		if _, err := parseWGNT(b[:n], now); err == nil {
			t.Errorf("%d of %d bytes: no error", n, len(b))
		}
	}
}

func FuzzParseWGNT(f *testing.F) {
	f.Add(wgntAnswer(time.Unix(1e9, 0)))
	f.Fuzz(func(t *testing.T, b []byte) {
		info, err := parseWGNT(b, time.Unix(1e9, 0))
		if err == nil && len(info.Peers) > len(b)/wgntPeerSize {
			t.Errorf("%d peers from %d bytes", len(info.Peers), len(b))
		}
	})
}
