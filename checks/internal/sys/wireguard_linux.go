//go:build linux

package sys

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/netguard/netguard/checks/netstate"
)

var _ netstate.TunnelInspector = (*linuxSystem)(nil)

// wgSocketDir is where wireguard-go (and every userspace WireGuard) puts
// its configuration socket, one per device.
var wgSocketDir = "/var/run/wireguard"

// errNotWireGuard: the device has no WireGuard socket to read.
var errNotWireGuard = errors.New("not a WireGuard device with a readable state")

// InspectTunnel reads a WireGuard device's peers: each peer's endpoint,
// last handshake and byte counters. A kernel device is read over generic
// netlink; a userspace one (wireguard-go) over its configuration socket
// (the cross-platform UAPI `wg show` also reads), which must be root's:
// a socket anyone else could have put there is never trusted.
func (s *linuxSystem) InspectTunnel(ctx context.Context, ifName string) (netstate.TunnelInfo, error) {
	info := netstate.TunnelInfo{IfName: ifName}
	if !netstate.ValidIfName(ifName) || strings.ContainsAny(ifName, "/ ") {
		return info, fmt.Errorf("inspect tunnel %q: %w", ifName, syscall.EINVAL)
	}
	peers, err := inspectKernelWG(ctx, ifName)
	if err == nil {
		info.Kind, info.Peers = "wireguard", peers
		return info, nil
	}
	if !kernelWGAbsent(err) {
		return info, fmt.Errorf("inspect tunnel %s: %w", ifName, err)
	}
	path := filepath.Join(wgSocketDir, ifName+".sock")
	fi, err := os.Lstat(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return info, fmt.Errorf("inspect tunnel %s: %w", ifName, errNotWireGuard)
		}
		return info, fmt.Errorf("inspect tunnel %s: %w", ifName, err)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); !ok || fi.Mode()&os.ModeSocket == 0 || st.Uid != 0 {
		return info, fmt.Errorf("inspect tunnel %s: %s is not root's socket: %w", ifName, path, errNotWireGuard)
	}
	var dl net.Dialer
	c, err := dl.DialContext(ctx, "unix", path)
	if err != nil {
		return info, fmt.Errorf("inspect tunnel %s: %w", ifName, err)
	}
	defer c.Close()
	if d, ok := ctx.Deadline(); ok {
		_ = c.SetDeadline(d)
	} else {
		_ = c.SetDeadline(time.Now().Add(time.Second))
	}
	if _, err := io.WriteString(c, "get=1\n\n"); err != nil {
		return info, fmt.Errorf("inspect tunnel %s: %w", ifName, err)
	}
	peers, err = parseUAPI(c, time.Now())
	if err != nil {
		return info, fmt.Errorf("inspect tunnel %s: %w", ifName, err)
	}
	info.Kind, info.Peers = "wireguard", peers
	return info, nil
}

// maxUAPILines bounds the reply read: a device with thousands of allowed
// IPs sends that many lines, nothing sends more.
const maxUAPILines = 1 << 16

// parseUAPI reads a `get=1` reply (key=value lines ending with an empty
// line, "errno=N" last): a peer starts at each public_key. Keys are never
// kept. now turns the handshake's wall-clock time into an age.
func parseUAPI(r io.Reader, now time.Time) ([]netstate.TunnelPeer, error) {
	sc := bufio.NewScanner(r)
	var peers []netstate.TunnelPeer
	var sec, nsec int64
	var p *netstate.TunnelPeer
	flush := func() {
		if p == nil {
			return
		}
		p.SinceHandshake = -1
		if sec != 0 || nsec != 0 {
			p.SinceHandshake = max(now.Sub(time.Unix(sec, nsec)), 0)
		}
		peers = append(peers, *p)
		p, sec, nsec = nil, 0, 0
	}
	for n := 0; sc.Scan(); n++ {
		if n > maxUAPILines {
			return nil, fmt.Errorf("wireguard reply longer than %d lines", maxUAPILines)
		}
		line := sc.Text()
		if line == "" {
			flush()
			return peers, nil
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("wireguard reply: malformed line %q", line)
		}
		switch k {
		case "public_key":
			flush()
			p = &netstate.TunnelPeer{}
		case "errno":
			if v != "0" {
				e, _ := strconv.Atoi(v)
				return nil, fmt.Errorf("wireguard reply: %w", syscall.Errno(e))
			}
		}
		if p == nil {
			continue
		}
		x, _ := strconv.ParseInt(v, 10, 64)
		switch k {
		case "endpoint":
			if ap, err := netip.ParseAddrPort(v); err == nil {
				p.Endpoint = ap
			}
		case "last_handshake_time_sec":
			sec = x
		case "last_handshake_time_nsec":
			nsec = x
		case "rx_bytes":
			p.RxBytes = x
		case "tx_bytes":
			p.TxBytes = x
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("wireguard reply: %w", err)
	}
	return nil, fmt.Errorf("wireguard reply: %w", io.ErrUnexpectedEOF)
}
