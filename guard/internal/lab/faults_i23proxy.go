//go:build linux

package lab

import (
	"bufio"
	"context"
	"encoding/base64"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Faults of proxies and proxy apps: an HTTP CONNECT proxy on the router,
// and a fake-ip TUN proxy app in the client.

// ConnectProxyPort is where StartConnectProxy listens, on the router's
// LAN address.
const ConnectProxyPort = 3129

// ProxyRealm is the realm the credential-wanting proxy names.
const ProxyRealm = "netguard-lab"

// ProxyUser and ProxyPassword are the only credentials it accepts.
const (
	ProxyUser     = "dev"
	ProxyPassword = "s3cret-lab"
)

// pythonConnectProxy is a minimal HTTP CONNECT proxy: with argv[3] "auth"
// it answers 407 (realm argv[4]) unless Proxy-Authorization is argv[5];
// otherwise it connects to the target (2 s at most) and answers 200 and
// relays, or 502. Each connection is served in its own thread; the
// process exits after 120 s at most.
const pythonConnectProxy = `import socket, sys, threading, time
addr, port, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
realm, want = (sys.argv[4], sys.argv[5]) if mode == "auth" else ("", "")
def relay(a, b):
    try:
        while True:
            d = a.recv(4096)
            if not d:
                break
            b.sendall(d)
    except OSError:
        pass
    finally:
        for s in (a, b):
            try: s.shutdown(socket.SHUT_RDWR)
            except OSError: pass
def serve(c):
    c.settimeout(5)
    try:
        head = b""
        while b"\r\n\r\n" not in head and len(head) < 8192:
            d = c.recv(1024)
            if not d:
                return
            head += d
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        hdrs = {}
        for l in lines[1:]:
            if ":" in l:
                k, v = l.split(":", 1)
                hdrs[k.strip().lower()] = v.strip()
        if method != "CONNECT":
            c.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            return
        if mode == "auth" and hdrs.get("proxy-authorization", "") != want:
            c.sendall(('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="%s"\r\nContent-Length: 0\r\n\r\n' % realm).encode())
            return
        if mode == "forbid":
            c.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            return
        h, p = target.rsplit(":", 1)
        try:
            u = socket.create_connection((h.strip("[]"), int(p)), timeout=2)
        except OSError:
            c.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            return
        c.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        c.settimeout(None)
        threading.Thread(target=relay, args=(u, c), daemon=True).start()
        relay(c, u)
    except (OSError, ValueError):
        pass
    finally:
        c.close()
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((addr, port))
s.listen(64)
print("ready", flush=True)
threading.Thread(target=lambda: (time.sleep(120), __import__("os")._exit(0)), daemon=True).start()
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
`

// ConnectProxyMode is how the lab's CONNECT proxy answers.
type ConnectProxyMode string

const (
	// ProxyOpen tunnels to any target that accepts (200), else 502.
	ProxyOpen ConnectProxyMode = "open"
	// ProxyAuth wants ProxyUser:ProxyPassword (407 with ProxyRealm).
	ProxyAuth ConnectProxyMode = "auth"
	// ProxyForbid answers every CONNECT 403.
	ProxyForbid ConnectProxyMode = "forbid"
)

// StartConnectProxy starts an HTTP CONNECT proxy on the router's LAN
// address, port ConnectProxyPort. The router's own connections to the
// internet host are not forwarded, so it gets out even after BlockDirect.
func (l *Lab) StartConnectProxy(mode ConnectProxyMode) {
	l.t.Helper()
	args := []string{GatewayIP, strconv.Itoa(ConnectProxyPort), string(mode)}
	if mode == ProxyAuth {
		args = append(args, ProxyRealm, "Basic "+base64.StdEncoding.EncodeToString([]byte(ProxyUser+":"+ProxyPassword)))
	}
	l.startPython(l.Router, "connect proxy", pythonConnectProxy, args...)
}

// startPython runs a python3 script in ns as root, waits for it to print
// "ready" and returns its pid; it is killed when the test ends and dies
// with the test process.
func (l *Lab) startPython(ns, what, script string, args ...string) int {
	l.t.Helper()
	py := "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		if py, err = exec.LookPath("python3"); err != nil {
			l.t.Fatalf("lab %s: python3 not found (install python3): %v", l.Prefix, err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := l.Cmd(ctx, ns, append([]string{py, "-c", script}, args...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	out, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		l.t.Fatalf("lab %s: %v", l.Prefix, err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		cancel()
		l.t.Fatalf("lab %s: start %s: %v", l.Prefix, what, err)
	}
	l.t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
	})
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		ready <- sc.Scan() && sc.Text() == "ready"
		for sc.Scan() {
		}
	}()
	select {
	case ok := <-ready:
		if !ok {
			l.t.Fatalf("lab %s: %s in %s did not start: %s", l.Prefix, what, ns, stderr.String())
		}
	case <-time.After(10 * time.Second):
		l.t.Fatalf("lab %s: %s in %s not ready after 10 s", l.Prefix, what, ns)
	}
	return cmd.Process.Pid
}
