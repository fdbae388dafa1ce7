//go:build linux

package neighprobe

import (
	"bytes"
	"context"
	"net"
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/mdlayher/packet"
	"github.com/netguard/netguard/checks/internal/netnstest"
	"github.com/vishvananda/netlink"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// rawPort is the port macOS has, built on Linux: frames this package
// encodes and parses itself, read through the same ARP-only filter,
// from a raw packet socket that sees all traffic (ETH_P_ALL). Only the
// BPF device's record framing (bpfReader, tested on its own) differs.
type rawPort struct {
	c   *packet.Conn
	buf []byte
}

func (p *rawPort) send(f arpFrame) error {
	b, err := f.marshal()
	if err != nil {
		return err
	}
	_, err = p.c.WriteTo(b, &packet.Addr{HardwareAddr: f.EthDst})
	return err
}

func (p *rawPort) next() (arpFrame, bool, error) {
	n, _, err := p.c.ReadFrom(p.buf)
	if err != nil {
		return arpFrame{}, false, err
	}
	f, err := parseARPFrame(p.buf[:n])
	return f, err != nil, err
}

func (p *rawPort) SetReadDeadline(t time.Time) error { return p.c.SetReadDeadline(t) }

func (p *rawPort) Close() error { return p.c.Close() }

// A real kernel answers the frames this package builds, and what it sends
// back parses: in a namespace of the test's own, veth0 (198.18.3.2, ours)
// faces veth1 (198.18.3.1), whose kernel answers ARP for both addresses
// (arp_ignore 0), as a host holding our address would.
func TestARPFlowsAgainstLinux(t *testing.T) {
	netnstest.Run(t, func(t *testing.T) {
		ours := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: "veth0", HardwareAddr: ourMAC}, PeerName: "veth1", PeerHardwareAddr: gwMAC}
		netnstest.Must(t, "add veth", netlink.LinkAdd(ours))
		for name, a := range map[string]string{"veth0": "198.18.3.2/24", "veth1": "198.18.3.1/24"} {
			l, err := netlink.LinkByName(name)
			netnstest.Must(t, "find "+name, err)
			netnstest.Must(t, "address "+name, netlink.AddrAdd(l, &netlink.Addr{IPNet: netnstest.CIDR(a)}))
			netnstest.Must(t, "up "+name, netlink.LinkSetUp(l))
		}
		// veth1 answers a request from 198.18.3.2, an address of its own
		// namespace, only when local sources are accepted.
		netnstest.Must(t, "accept_local", os.WriteFile("/proc/sys/net/ipv4/conf/veth1/accept_local", []byte("1"), 0o644))
		ifi, err := net.InterfaceByName("veth0")
		netnstest.Must(t, "veth0", err)
		raw, err := bpf.Assemble(arpOnly)
		netnstest.Must(t, "assemble", err)
		var ports []*rawPort
		defer func() {
			for _, p := range ports {
				p.Close()
			}
		}()
		open := func() *rawPort {
			c, err := packet.Listen(ifi, packet.Raw, unix.ETH_P_ALL, &packet.Config{Filter: raw})
			netnstest.Must(t, "packet socket", err)
			p := &rawPort{c: c, buf: make([]byte, 1500)}
			ports = append(ports, p)
			return p
		}
		window := func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 300*time.Millisecond)
		}

		ctx, cancel := window()
		defer cancel()
		as, err := probeARP(ctx, open(), ourMAC, ourIP)
		if err != nil || len(as) != 1 || !bytes.Equal(as[0].MAC, gwMAC) {
			t.Errorf("probe of 198.18.3.2 gathered %v, %v; want veth1's %s", as, err, gwMAC)
		}
		ctx, cancel = window()
		defer cancel()
		if as, err := probeARP(ctx, open(), ourMAC, netip.MustParseAddr("198.18.3.9")); err != nil || len(as) != 0 {
			t.Errorf("probe of an address nobody holds gathered %v, %v", as, err)
		}
		ctx, cancel = window()
		defer cancel()
		as, err = solicitARP(ctx, open(), arpAsk{OurMAC: ourMAC, OurIP: ourIP, Gateway: gwIP})
		if err != nil || len(as) != 1 || !bytes.Equal(as[0].MAC, gwMAC) {
			t.Errorf("solicitation of 198.18.3.1 gathered %v, %v; want %s", as, err, gwMAC)
		}
	})
}
