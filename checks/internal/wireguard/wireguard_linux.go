//go:build linux

package wireguard

import (
	"context"
	"fmt"
	"strings"
	"syscall"

	"github.com/netguard/netguard/checks/netstate"
)

// Inspect reads a WireGuard device's peers: each peer's endpoint,
// last handshake and byte counters. A kernel device is read over generic
// netlink; a userspace one (wireguard-go) over its configuration socket
// (the cross-platform UAPI `wg show` also reads), which must be root's:
// a socket anyone else could have put there is never trusted. genl is the
// OS layer's generic netlink socket, asked only for a valid name.
func Inspect(ctx context.Context, ifName string, genl Netlink) (netstate.TunnelInfo, error) {
	info := netstate.TunnelInfo{IfName: ifName}
	if !netstate.ValidIfName(ifName) || strings.ContainsAny(ifName, "/ ") {
		return info, fmt.Errorf("inspect tunnel %q: %w", ifName, syscall.EINVAL)
	}
	peers, err := inspectKernelWG(ctx, genl, ifName)
	if err == nil {
		info.Kind, info.Peers, info.WGQuick = "wireguard", peers, ifName
		return info, nil
	}
	if !kernelWGAbsent(err) {
		return info, fmt.Errorf("inspect tunnel %s: %w", ifName, err)
	}
	peers, err = readUAPI(ctx, wgSocketDir, ifName)
	if err != nil {
		return info, fmt.Errorf("inspect tunnel %s: %w", ifName, err)
	}
	// wg-quick names a Linux device after its configuration.
	info.Kind, info.Peers, info.WGQuick = "wireguard", peers, ifName
	return info, nil
}
