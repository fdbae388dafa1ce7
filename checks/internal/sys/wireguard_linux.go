//go:build linux

package sys

import (
	"context"
	"fmt"
	"strings"
	"syscall"

	"github.com/netguard/netguard/checks/netstate"
)

var _ netstate.TunnelInspector = (*linuxSystem)(nil)

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
