package wireguard

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/netguard/netguard/checks/internal/nlattr"
	"golang.org/x/sys/unix"
)

// TestParseWGDevice reads a WG_CMD_GET_DEVICE reply as the kernel builds
// it: WGDEVICE_A_PEERS nested, each peer nested, its endpoint a
// sockaddr_in and its handshake a __kernel_timespec.
func TestParseWGDevice(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	u64 := func(x uint64) []byte { return binary.NativeEndian.AppendUint64(nil, x) }
	sin := []byte{0, 0, 0xca, 0x6c, 192, 0, 2, 7, 0, 0, 0, 0, 0, 0, 0, 0}
	binary.NativeEndian.PutUint16(sin[0:2], unix.AF_INET)
	ts := append(u64(1_799_999_880), u64(0)...)
	peer1 := append(nlattr.Append(nil, unix.WGPEER_A_PUBLIC_KEY, make([]byte, 32)), nlattr.Append(nil, unix.WGPEER_A_ENDPOINT, sin)...)
	peer1 = append(peer1, nlattr.Append(nil, unix.WGPEER_A_LAST_HANDSHAKE_TIME, ts)...)
	peer1 = append(peer1, nlattr.Append(nil, unix.WGPEER_A_TX_BYTES, u64(4096))...)
	peer2 := append(nlattr.Append(nil, unix.WGPEER_A_LAST_HANDSHAKE_TIME, make([]byte, 16)), nlattr.Append(nil, unix.WGPEER_A_RX_BYTES, u64(0))...)
	peers := append(nlattr.Append(nil, 0|unix.NLA_F_NESTED, peer1), nlattr.Append(nil, 1|unix.NLA_F_NESTED, peer2)...)
	msg := genlBody(unix.WG_CMD_GET_DEVICE, unix.WG_GENL_VERSION,
		nlattr.Append(nil, unix.WGDEVICE_A_IFNAME, []byte("wg0\x00")), nlattr.Append(nil, unix.WGDEVICE_A_PEERS|unix.NLA_F_NESTED, peers))
	got, err := parseWGDevice(msg, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Endpoint.String() != "192.0.2.7:51820" || got[0].SinceHandshake != 2*time.Minute || got[0].TxBytes != 4096 ||
		got[1].SinceHandshake >= 0 || got[1].Endpoint.IsValid() {
		t.Errorf("peers = %+v", got)
	}
	if _, err := parseWGDevice(msg[:len(msg)-3], now); err == nil {
		t.Error("truncated message parsed")
	}
}
