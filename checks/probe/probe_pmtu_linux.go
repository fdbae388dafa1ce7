//go:build linux

package probe

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"sync"
	"time"

	"github.com/netguard/netguard/checks/netstate"
	"golang.org/x/net/icmp"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
	"golang.org/x/sys/unix"
)

// ipHeaderLen and icmpHeaderLen size the echo payload: the IP packet is
// exactly size bytes.
const icmpHeaderLen = 8

func ipHeaderLen(dst netip.Addr) int {
	if dst.Is4() {
		return 20
	}
	return 40
}

// LargeEcho sends don't-fragment echo requests whose IP packets are size
// bytes, Attempts of them Interval apart, and reports the first reply. It
// uses one bare echo socket (an unprivileged ICMP socket, raw as root
// when those are not allowed) rather than a pro-bing Pinger: the probe
// must cost a healthy check next to nothing, and pro-bing's set-up
// (tracker, goroutines, tickers) does not. A send that
// fails with EMSGSIZE means the kernel already knows a smaller path MTU
// (discovery works); the probe stops at once.
func (p *NetProber) LargeEcho(ctx context.Context, dst netip.Addr, size int, privileged bool) netstate.ProbeResult {
	res := netstate.ProbeResult{Kind: netstate.ProbeICMP, Target: netip.AddrPortFrom(dst, 0), Ran: true}
	payload := size - ipHeaderLen(dst) - icmpHeaderLen
	if payload < 8 {
		res.Err = fmt.Errorf("large echo: size %d too small", size)
		return res
	}
	conn, raw, err := openDFEchoSocket(dst.Is6(), privileged)
	if err != nil {
		res.Err, res.NoPermission = err, isPermission(err)
		return res
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.SetReadDeadline(time.Now()) })
	defer stop()

	id := int(rand.UintN(1 << 16))
	var to net.Addr = &net.UDPAddr{IP: dst.AsSlice(), Zone: dst.Zone()}
	var typ icmp.Type = ipv4.ICMPTypeEcho
	proto := 1
	if raw {
		to = &net.IPAddr{IP: dst.AsSlice(), Zone: dst.Zone()}
	}
	if dst.Is6() {
		typ, proto = ipv6.ICMPTypeEchoRequest, 58
	}
	data := make([]byte, payload)
	var (
		mu      sync.Mutex
		sendErr error
		sent    = map[int]time.Time{}
	)
	done := make(chan struct{})
	defer close(done)
	go func() {
		for seq := range p.Attempts {
			b, err := (&icmp.Message{Type: typ, Body: &icmp.Echo{ID: id, Seq: seq, Data: data}}).Marshal(nil)
			if err == nil {
				mu.Lock()
				sent[seq] = time.Now()
				mu.Unlock()
				_, err = conn.WriteTo(b, to)
			}
			if err != nil {
				mu.Lock()
				sendErr = err
				mu.Unlock()
				if errors.Is(err, unix.EMSGSIZE) {
					conn.SetReadDeadline(time.Now())
					return
				}
			}
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-time.After(p.Interval):
			}
		}
	}()
	buf := make([]byte, size+64)
	for {
		n, from, err := conn.ReadFrom(buf)
		if err != nil {
			break
		}
		b := buf[:n]
		if raw && !dst.Is6() && n > 0 {
			b = b[min(int(b[0]&0x0f)*4, n):] // a raw IPv4 socket reads the IP header too
		}
		m, err := icmp.ParseMessage(proto, b)
		if err != nil {
			continue
		}
		e, ok := m.Body.(*icmp.Echo)
		if !ok || (m.Type != ipv4.ICMPTypeEchoReply && m.Type != ipv6.ICMPTypeEchoReply) || len(e.Data) != payload {
			continue
		}
		if raw && (e.ID != id || !sameIP(from, dst)) {
			continue // a raw socket sees every echo reply of the host
		}
		mu.Lock()
		t0, ok := sent[e.Seq]
		mu.Unlock()
		if !ok {
			continue
		}
		res.Answered, res.RTT = true, time.Since(t0)
		break
	}
	mu.Lock()
	defer mu.Unlock()
	res.Attempts = len(sent)
	if !res.Answered {
		res.Err = sendErr
		if res.Err == nil {
			res.Err = netstate.ErrNoReply
		}
	}
	return res
}

func sameIP(a net.Addr, dst netip.Addr) bool {
	var ip net.IP
	switch x := a.(type) {
	case *net.IPAddr:
		ip = x.IP
	case *net.UDPAddr:
		ip = x.IP
	}
	got, ok := netip.AddrFromSlice(ip)
	return ok && got.Unmap() == dst.WithZone("")
}

// openDFEchoSocket opens an echo socket with don't-fragment set
// (IP_MTU_DISCOVER / IPV6_MTU_DISCOVER = PMTUDISC_DO): an unprivileged
// ICMP socket (net.ipv4.ping_group_range), else a raw one when
// privileged. raw reports which.
func openDFEchoSocket(v6, privileged bool) (c net.PacketConn, raw bool, err error) {
	fam, proto, lvl, opt := unix.AF_INET, unix.IPPROTO_ICMP, unix.IPPROTO_IP, unix.IP_MTU_DISCOVER
	if v6 {
		fam, proto, lvl, opt = unix.AF_INET6, unix.IPPROTO_ICMPV6, unix.IPPROTO_IPV6, unix.IPV6_MTU_DISCOVER
	}
	fd, err := unix.Socket(fam, unix.SOCK_DGRAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, proto)
	if err != nil && isPermission(err) && privileged {
		raw = true
		fd, err = unix.Socket(fam, unix.SOCK_RAW|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, proto)
	}
	if err != nil {
		return nil, false, fmt.Errorf("echo socket: %w", err)
	}
	if err := unix.SetsockoptInt(fd, lvl, opt, unix.IP_PMTUDISC_DO); err != nil {
		unix.Close(fd)
		return nil, false, fmt.Errorf("echo socket: don't-fragment: %w", err)
	}
	f := os.NewFile(uintptr(fd), "df-echo")
	defer f.Close() // FilePacketConn dups the descriptor
	c, err = net.FilePacketConn(f)
	if err != nil {
		return nil, false, fmt.Errorf("echo socket: %w", err)
	}
	return c, raw, nil
}
