//go:build linux || darwin

package wireguard

import (
	"bufio"
	"bytes"
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

	"github.com/netguard/netguard/checks/internal/conffile"
	"github.com/netguard/netguard/checks/netstate"
	"github.com/netguard/netguard/checks/ownedfile"
)

// wgSocketDir is where wireguard-go (and every userspace WireGuard) puts
// its configuration socket, one per device (<device>.sock), and where
// wg-quick on macOS keeps the name file (<name>.name) that maps its
// configuration name to the utun device wireguard-go got.
var wgSocketDir = "/var/run/wireguard"

// errNotWireGuard: the device has no WireGuard socket to read, which is
// the device offering nothing (netstate.ErrTunnelSilent).
var errNotWireGuard = fmt.Errorf("no WireGuard configuration socket: %w", netstate.ErrTunnelSilent)

// readUAPI asks the userspace WireGuard device ifName for its state over
// its configuration socket in dir (the cross-platform UAPI `wg show`
// reads), which must be a socket owned by root and not a symlink: a
// socket anyone else could have put there is never trusted.
func readUAPI(ctx context.Context, dir, ifName string) ([]netstate.TunnelPeer, error) {
	path := filepath.Join(dir, ifName+".sock")
	fi, err := os.Lstat(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, errNotWireGuard
		}
		return nil, err
	}
	if fi.Mode()&os.ModeSocket == 0 || ownedfile.Owner(fi) != 0 {
		return nil, fmt.Errorf("%s is not root's socket: %w", path, errNotWireGuard)
	}
	var dl net.Dialer
	c, err := dl.DialContext(ctx, "unix", path)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if d, ok := ctx.Deadline(); ok {
		_ = c.SetDeadline(d)
	} else {
		_ = c.SetDeadline(time.Now().Add(time.Second))
	}
	if _, err := io.WriteString(c, "get=1\n\n"); err != nil {
		return nil, err
	}
	return parseUAPI(c, time.Now())
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

// Bounds of the wg-quick name-file scan: a directory of root's sockets
// holds a few devices, and a name file is one interface name.
const (
	maxWGNameFiles = 64
	maxWGNameFile  = 64
)

// wgQuickName returns the wg-quick configuration name that brought dev up
// on macOS, "" when none: wg-quick starts wireguard-go with
// WG_TUN_NAME_FILE=<dir>/<name>.name, into which wireguard-go writes the
// utun it got. As wg-quick's own get_real_interface does, a name file
// counts only when its time is within two seconds of the socket's: an
// older one was left by a tunnel that is gone. Only root's regular files
// are read, each bounded.
func wgQuickName(dir, dev string) string {
	sock, err := os.Lstat(filepath.Join(dir, dev+".sock"))
	if err != nil {
		return ""
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return ""
	}
	seen := 0
	for _, e := range ents {
		name, ok := strings.CutSuffix(e.Name(), ".name")
		if !ok || name == "" {
			continue
		}
		if seen++; seen > maxWGNameFiles {
			return ""
		}
		fi, err := os.Lstat(filepath.Join(dir, e.Name()))
		if err != nil || !fi.Mode().IsRegular() || fi.Size() > maxWGNameFile || ownedfile.Owner(fi) != 0 {
			continue
		}
		if d := fi.ModTime().Sub(sock.ModTime()); d >= 2*time.Second || d <= -2*time.Second {
			continue
		}
		b, err := conffile.Read(filepath.Join(dir, e.Name()), maxWGNameFile)
		if err != nil || len(b) > maxWGNameFile || string(bytes.TrimSpace(b)) != dev {
			continue
		}
		if wgQuickNameOK(name) {
			return name
		}
	}
	return ""
}

// wgQuickNameOK reports whether s is a name wg-quick accepts for a
// configuration (^[a-zA-Z0-9_=+.-]{1,15}$), the only names it writes a
// name file for.
func wgQuickNameOK(s string) bool {
	if s == "" || len(s) > 15 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("_=+.-", c)) {
			return false
		}
	}
	return true
}
