//go:build linux

package lab

import (
	"context"

	"os/exec"
	"strings"
	"time"
)

// WireGuard tunnel faults: a wg-quick full tunnel from the client to a
// WireGuard server on the internet host, built as wg-quick builds it
// (wireguard-go, as the sandbox kernel has no WireGuard module, so the
// device is a tun): the device, its fwmark, `default dev wg table 51820`,
// `not fwmark 51820 table 51820` and `table main suppress_prefixlength 0`.

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
func (l *Lab) LiveTunnel() { l.wgTunnel(true) }

// DeadTunnel is the same tunnel whose server is gone: the device is up,
// the rules and table 51820 send everything into it, nothing answers.
func (l *Lab) DeadTunnel() { l.wgTunnel(false) }

func (l *Lab) wgTunnel(serverUp bool) {
	l.t.Helper()
	if _, err := exec.LookPath("wireguard-go"); err != nil {
		l.t.Fatalf("lab %s: wireguard-go: %v (apt-get install wireguard-go wireguard-tools)", l.Prefix, err)
	}
	ckey := strings.TrimSpace(l.mustRun(l.Client, "wg", "genkey"))
	skey := strings.TrimSpace(l.mustRun(l.Client, "wg", "genkey"))
	cpub := strings.TrimSpace(l.mustRun(l.Client, "sh", "-c", `printf '%s\n' "$1" | wg pubkey`, "sh", ckey))
	spub := strings.TrimSpace(l.mustRun(l.Client, "sh", "-c", `printf '%s\n' "$1" | wg pubkey`, "sh", skey))
	if serverUp {
		srv := l.tunnelServerIf()
		l.startWG(l.Internet, srv)
		l.setWG(l.Internet, srv, skey, "listen-port", TunnelPort, "peer", cpub, "allowed-ips", TunnelClientIP+"/32")
		l.mustIP(l.Internet, "-batch", "-", "addr add "+TunnelServerIP+"/24 dev "+srv+"\nlink set "+srv+" up\n")
	}
	c := l.TunnelIf()
	l.startWG(l.Client, c)
	l.setWG(l.Client, c, ckey, "fwmark", TunnelTable, "peer", spub, "endpoint", ExternalIP+":"+TunnelPort, "allowed-ips", "0.0.0.0/0")
	l.sysctl(l.Client, "net/ipv4/conf/all/src_valid_mark", "1")
	l.mustIP(l.Client, "-batch", "-", strings.Join([]string{
		"addr add " + TunnelClientIP + "/32 dev " + c,
		"link set " + c + " up",
		"route add 0.0.0.0/0 dev " + c + " table " + TunnelTable,
		"rule add not fwmark " + TunnelTable + " table " + TunnelTable,
		"rule add table main suppress_prefixlength 0",
	}, "\n")+"\n")
	// Traffic into the device creates its NOARP neighbor entry: send
	// some now, so a snapshot taken after this never sees it appear.
	_ = l.Cmd(context.Background(), l.Client, "ping", "-n", "-q", "-c1", "-W1", ExternalIP).Run()
	if serverUp {
		// The tunnel is live once a packet has made it both ways.
		const ready = `n=0; while [ $n -lt 60 ]; do n=$((n+1)); ping -n -q -c1 -W1 "$1" >/dev/null 2>&1 && exit 0; sleep 0.05; done; exit 1`
		l.mustRun(l.Client, "sh", "-c", ready, "sh", ExternalIP)
	}
}

// setWG configures a WireGuard device with key (passed through a file,
// as wg wants it) and the rest of `wg set`'s arguments.
func (l *Lab) setWG(ns, dev, key string, args ...string) {
	l.t.Helper()
	l.mustRun(ns, append([]string{"sh", "-c", `k=$(mktemp) && printf '%s\n' "$1" >"$k" && d=$2 && shift 2 && wg set "$d" private-key "$k" "$@"; r=$?; rm -f "$k"; exit $r`, "sh", key, dev}, args...)...)
}

// startWG runs wireguard-go for dev in ns in the foreground until the test
// ends, then stops that process (its own pid only).
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
	})
	// The device exists once wireguard-go has its socket.
	sock := "/var/run/wireguard/" + dev + ".sock"
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
