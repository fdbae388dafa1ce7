//go:build darwin

package wireguard

import (
	"context"
	"fmt"
	"strings"
	"syscall"

	"github.com/netguard/netguard/checks/netstate"
)

// Inspect reads a wireguard-go utun device's peers over its
// configuration socket (/var/run/wireguard/utunN.sock, root's), and the
// wg-quick configuration that brought it up from wg-quick's name file.
// The WireGuard app (and every VPN app inside a network extension) keeps
// no such socket: its device offers nothing (netstate.ErrTunnelSilent).
func Inspect(ctx context.Context, ifName string) (netstate.TunnelInfo, error) {
	info := netstate.TunnelInfo{IfName: ifName}
	if !netstate.ValidIfName(ifName) || strings.ContainsAny(ifName, "/ ") {
		return info, fmt.Errorf("inspect tunnel %q: %w", ifName, syscall.EINVAL)
	}
	peers, err := readUAPI(ctx, wgSocketDir, ifName)
	if err != nil {
		return info, fmt.Errorf("inspect tunnel %s: %w", ifName, err)
	}
	info.Kind, info.Peers, info.WGQuick = "wireguard", peers, wgQuickName(wgSocketDir, ifName)
	return info, nil
}
