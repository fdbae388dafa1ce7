//go:build linux

package lab

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// WireGuard tunnel faults: a full tunnel from the client to a WireGuard
// server on the internet host, brought up by the real wg-quick. The sandbox
// kernel has no WireGuard module, so wg-quick falls back to wireguard-go
// (the device is a tun) and installs what it installs on any machine: the
// device's fwmark, `default dev wg table 51820`, `not fwmark 51820 table
// 51820`, `table main suppress_prefixlength 0` and its nftables table.

// Tunnel addresses inside the lab's WireGuard tunnel.
const (
	TunnelClientIP = "10.66.0.2"
	TunnelServerIP = "10.66.0.1"
	TunnelPort     = "51820"
	TunnelTable    = "51820"
)

// TunnelIf is the client's WireGuard device. Its name is unique to the
// lab: wireguard-go's socket lives in the host-wide /var/run/wireguard.
func (l *Lab) TunnelIf() string { return l.Prefix + "-wg" }

// tunnelServerIf is the internet host's WireGuard device.
func (l *Lab) tunnelServerIf() string { return l.Prefix + "-ws" }

// LiveTunnel is a working full tunnel: the server runs, everything the
// client sends goes through it and is answered.
func (l *Lab) LiveTunnel() { l.WGQuickTunnel(WGQuick{ServerUp: true, InEtc: true}) }

// DeadTunnel is the same tunnel whose server is gone: the device is up,
// the rules and table 51820 send everything into it, nothing answers.
func (l *Lab) DeadTunnel() { l.WGQuickTunnel(WGQuick{InEtc: true}) }

// setWG configures a WireGuard device with key (passed through a file,
// as wg wants it) and the rest of `wg set`'s arguments.
func (l *Lab) setWG(ns, dev, key string, args ...string) {
	l.t.Helper()
	l.mustRun(ns, append([]string{"sh", "-c", `k=$(mktemp) && printf '%s\n' "$1" >"$k" && d=$2 && shift 2 && wg set "$d" private-key "$k" "$@"; r=$?; rm -f "$k"; exit $r`, "sh", key, dev}, args...)...)
}

// startWG runs wireguard-go for dev in ns in the foreground until the test
// ends, then stops that process (its own pid only) and removes its socket.
func (l *Lab) startWG(ns, dev string) {
	l.t.Helper()
	cmd := l.Cmd(context.Background(), ns, "wireguard-go", "-f", dev)
	cmd.Env = append(cmd.Env, "WG_PROCESS_FOREGROUND=1", "LOG_LEVEL=error")
	if err := cmd.Start(); err != nil {
		l.t.Fatalf("lab %s: start wireguard-go %s: %v", l.Prefix, dev, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	l.t.Cleanup(func() {
		_ = cmd.Process.Kill()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			l.t.Errorf("lab %s: wireguard-go %s did not stop", l.Prefix, dev)
		}
		l.removeWGSocket(dev)
	})
	// The device exists once wireguard-go has its socket.
	sock := wgSocket(dev)
	for range 100 {
		if out, err := l.Cmd(context.Background(), ns, "test", "-S", sock).CombinedOutput(); err == nil {
			return
		} else if len(out) > 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	l.t.Fatalf("lab %s: wireguard-go %s: no socket %s", l.Prefix, dev, sock)
}

// WGQuickConf is where WGQuickTunnel writes the tunnel's configuration
// when it is kept in /etc/wireguard: in the client's /etc/netns entry,
// which `ip netns exec` binds over /etc/wireguard for every command run in
// the client, so `wg-quick down TunnelIf()` finds it there.
func (l *Lab) WGQuickConf() string {
	return filepath.Join(l.netnsConf, "wireguard", l.TunnelIf()+".conf")
}

// TunnelClientIP6 and TunnelServerIP6 are the tunnel's IPv6 addresses
// when WGQuick.IPv6 is set.
const (
	TunnelClientIP6 = "fd66::2"
	TunnelServerIP6 = "fd66::1"
)

// WGQuick is how WGQuickTunnel builds its tunnel.
type WGQuick struct {
	// ServerUp runs the WireGuard server on the internet host.
	ServerUp bool
	// InEtc keeps the configuration in /etc/wireguard (WGQuickConf), where
	// wg-quick finds a tunnel by its name; otherwise it lives only in a
	// directory of the test, as one brought up by its path does, and
	// `wg-quick down TunnelIf()` cannot find it.
	InEtc bool
	// IPv6 makes the tunnel dual-stack (AllowedIPs 0.0.0.0/0, ::/0), as
	// VPN providers' configurations are: wg-quick then adds its rules for
	// IPv6 too.
	IPv6 bool
}

// WGQuickTunnel brings up a full tunnel (AllowedIPs 0.0.0.0/0, Table
// auto, no DNS line, so resolv.conf is left alone) with the real wg-quick
// in the client, to a WireGuard server on the internet host. The sandbox
// kernel has no WireGuard module, so wg-quick falls back to wireguard-go by
// itself, and installs its own fwmark rules, table and nftables marks. The
// daemon and its socket are removed when the test ends, however it ends.
func (l *Lab) WGQuickTunnel(o WGQuick) {
	l.t.Helper()
	wgQuick, err := exec.LookPath("wg-quick")
	if err != nil {
		l.t.Fatalf("lab %s: wg-quick: %v (apt-get install wireguard-tools)", l.Prefix, err)
	}
	if _, err := exec.LookPath("wireguard-go"); err != nil {
		l.t.Fatalf("lab %s: wireguard-go: %v (apt-get install wireguard-go)", l.Prefix, err)
	}
	ckey := strings.TrimSpace(l.mustRun(l.Client, "wg", "genkey"))
	skey := strings.TrimSpace(l.mustRun(l.Client, "wg", "genkey"))
	cpub := strings.TrimSpace(l.mustRun(l.Client, "sh", "-c", `printf '%s\n' "$1" | wg pubkey`, "sh", ckey))
	spub := strings.TrimSpace(l.mustRun(l.Client, "sh", "-c", `printf '%s\n' "$1" | wg pubkey`, "sh", skey))
	addrs, allowed, peer := TunnelClientIP+"/32", "0.0.0.0/0", TunnelClientIP+"/32"
	if o.IPv6 {
		addrs, allowed, peer = addrs+", "+TunnelClientIP6+"/128", allowed+", ::/0", peer+","+TunnelClientIP6+"/128"
	}
	if o.ServerUp {
		srv := l.tunnelServerIf()
		l.startWG(l.Internet, srv)
		l.setWG(l.Internet, srv, skey, "listen-port", TunnelPort, "peer", cpub, "allowed-ips", peer)
		batch := "addr add " + TunnelServerIP + "/24 dev " + srv + "\n"
		if o.IPv6 {
			batch += "addr add " + TunnelServerIP6 + "/64 dev " + srv + " nodad\n"
		}
		l.mustIP(l.Internet, "-batch", "-", batch+"link set "+srv+" up\n")
	}
	dev := l.TunnelIf()
	conf := l.WGQuickConf()
	if !o.InEtc {
		conf = filepath.Join(l.Dir, "wg", dev+".conf")
	}
	if err := os.MkdirAll(filepath.Dir(conf), 0o700); err != nil {
		l.t.Fatalf("lab %s: %v", l.Prefix, err)
	}
	text := "[Interface]\nPrivateKey = " + ckey + "\nAddress = " + addrs + "\nTable = auto\n\n" +
		"[Peer]\nPublicKey = " + spub + "\nEndpoint = " + ExternalIP + ":" + TunnelPort + "\nAllowedIPs = " + allowed + "\n"
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		l.t.Fatalf("lab %s: %v", l.Prefix, err)
	}
	// Registered before wg-quick runs: a wg-quick that fails half-way
	// may have started the daemon already.
	l.t.Cleanup(func() { l.stopWGDaemon(dev) })
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	cmd := l.Cmd(ctx, l.Client, wgQuick, "up", conf)
	// The daemon that wg-quick starts must not hold our output: with
	// LOG_LEVEL set it keeps stdout and stderr.
	cmd.Env = slices.DeleteFunc(cmd.Env, func(kv string) bool {
		return strings.HasPrefix(kv, "LOG_LEVEL=") || strings.HasPrefix(kv, "WG_")
	})
	if out, err := cmd.CombinedOutput(); err != nil {
		l.t.Fatalf("lab %s: ip netns exec %s %s up %s: %v\n%s", l.Prefix, l.Client, wgQuick, conf, err, out)
	}
	// Traffic into the device creates its NOARP neighbor entries: send
	// some now, so a snapshot taken after this never sees them appear.
	_ = l.Cmd(context.Background(), l.Client, "ping", "-n", "-q", "-c1", "-W1", ExternalIP).Run()
	if o.IPv6 {
		_ = l.Cmd(context.Background(), l.Client, "ping", "-n", "-q", "-c1", "-W1", ExternalIP6).Run()
	}
	if o.ServerUp {
		const ready = `for a in "$@"; do n=0; until ping -n -q -c1 -W1 "$a" >/dev/null 2>&1; do n=$((n+1)); [ $n -lt 60 ] || exit 1; sleep 0.05; done; done`
		targets := []string{ExternalIP}
		if o.IPv6 {
			targets = append(targets, ExternalIP6)
		}
		l.mustRun(l.Client, append([]string{"sh", "-c", ready, "sh"}, targets...)...)
	}
}

// WGDaemon returns the pid of the wireguard-go serving dev, 0 when none
// runs. Device names are unique to a lab, so its argv names it:
// `wireguard-go dev` as wg-quick starts it (and as it re-executes itself to
// daemonize), `wireguard-go -f dev` as startWG does.
func WGDaemon(dev string) int {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		argv := strings.Split(strings.TrimSuffix(string(b), "\x00"), "\x00")
		if len(argv) >= 2 && filepath.Base(argv[0]) == "wireguard-go" && argv[len(argv)-1] == dev {
			return pid
		}
	}
	return 0
}

// stopWGDaemon kills the wireguard-go daemon of dev, if one still runs,
// waits up to 5 s for it to go, and removes its socket from the host-wide
// /var/run/wireguard.
func (l *Lab) stopWGDaemon(dev string) {
	for range 250 {
		pid := WGDaemon(dev)
		if pid == 0 {
			break
		}
		_ = syscall.Kill(pid, syscall.SIGKILL)
		time.Sleep(20 * time.Millisecond)
	}
	if pid := WGDaemon(dev); pid != 0 {
		l.t.Errorf("lab %s: wireguard-go %s (pid %d) did not stop", l.Prefix, dev, pid)
	}
	l.removeWGSocket(dev)
}

// wgSocket is wireguard-go's control socket for dev, in the host-wide
// /var/run/wireguard.
func wgSocket(dev string) string { return "/var/run/wireguard/" + dev + ".sock" }

// removeWGSocket removes dev's socket, which a killed wireguard-go leaves
// behind.
func (l *Lab) removeWGSocket(dev string) {
	if err := os.Remove(wgSocket(dev)); err != nil && !errors.Is(err, os.ErrNotExist) {
		l.t.Errorf("lab %s: %v", l.Prefix, err)
	}
}
