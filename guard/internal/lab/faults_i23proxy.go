//go:build linux

package lab

import (
	"encoding/base64"
	"strconv"
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

// TunAppIface is the TUN device StartTunApp creates in the client.
const TunAppIface = "ngtun0"

// TunAppFakeIP is what its resolver answers for every A query.
const TunAppFakeIP = "198.18.0.7"

// tunAppPort is where the nat rule sends every TCP connection routed into
// the TUN device: the app's own listener.
const tunAppPort = 7893

// pythonTunApp models a TUN-mode proxy app in fake-ip mode (Clash,
// mihomo, sing-box) in one process, as they are: it holds a TUN device
// (argv[1]) open, answers echo requests routed into it itself, answers
// every DNS A query on 127.0.0.1:53 with a fake address (argv[2]), and
// accepts the TCP connections a nat rule sends it on argv[3]. With argv[4]
// "dead" it resets each after the first request, as an app whose proxy
// server is gone does; with "alive" it answers the request (a TLS alert,
// or an HTTP status), as the relayed server would. It exits after 120 s.
const pythonTunApp = `import fcntl, os, socket, struct, sys, threading, time
name, fake, port, mode = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
tun = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(tun, 0x400454ca, struct.pack("16sH", name.encode(), 0x0001 | 0x1000))
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff); s += s >> 16
    return (~s) & 0xffff
def icmp():
    while True:
        p = bytearray(os.read(tun, 65536))
        if len(p) < 28 or p[0] >> 4 != 4 or p[9] != 1: continue
        ihl = (p[0] & 15) * 4
        if p[ihl] != 8: continue
        p[12:16], p[16:20] = p[16:20], p[12:16]
        p[ihl] = 0; p[ihl+2:ihl+4] = b"\0\0"
        p[ihl+2:ihl+4] = struct.pack("!H", csum(bytes(p[ihl:])))
        os.write(tun, bytes(p))
def dns():
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 53))
    while True:
        q, a = u.recvfrom(512)
        if len(q) < 17: continue
        i = 12
        while i < len(q) and q[i]: i += q[i] + 1
        qtype = q[i+1:i+3]
        r = q[:2] + b"\x81\x80" + q[4:6] + (b"\0\1" if qtype == b"\0\1" else b"\0\0") + b"\0\0\0\0" + q[12:i+5]
        if qtype == b"\0\1":
            r += b"\xc0\x0c\0\1\0\1\0\0\0\1\0\4" + socket.inet_aton(fake)
        u.sendto(r, a)
def serve(c):
    c.settimeout(2)
    try:
        d = c.recv(4096)
        if mode == "alive" and d:
            c.sendall(b"\x15\x03\x03\x00\x02\x02\x28" if d[:1] == b"\x16" else b"HTTP/1.0 400 Bad Request\r\n\r\n")
            c.close()
            return
    except OSError:
        pass
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    c.close()
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", port))
s.listen(64)
for f in (icmp, dns):
    threading.Thread(target=f, daemon=True).start()
threading.Thread(target=lambda: (time.sleep(120), os._exit(0)), daemon=True).start()
print("ready", flush=True)
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
`

// TunAppMode is whether the lab's TUN proxy app gets out.
type TunAppMode string

const (
	// TunAppAlive answers the first request of every connection.
	TunAppAlive TunAppMode = "alive"
	// TunAppDead resets every connection after its first request.
	TunAppDead TunAppMode = "dead"
)

// StartTunApp puts a fake-ip TUN proxy app in the client: a process
// holding TunAppIface, which owns 0.0.0.0/1 and 128.0.0.0/1 over the main
// default route, a resolver on 127.0.0.1 (resolv.conf points at it)
// answering every name with TunAppFakeIP, and a nat rule that hands every
// TCP connection routed into the device to the app's listener. It returns
// the app's pid.
func (l *Lab) StartTunApp(mode TunAppMode) int {
	l.t.Helper()
	pid := l.startPython(l.Client, "TUN proxy app", pythonTunApp, TunAppIface, TunAppFakeIP, strconv.Itoa(tunAppPort), string(mode))
	l.mustIP(l.Client, "link", "set", TunAppIface, "up")
	l.mustIP(l.Client, "addr", "add", "198.18.0.1/30", "dev", TunAppIface)
	l.mustIP(l.Client, "route", "add", "0.0.0.0/1", "dev", TunAppIface)
	l.mustIP(l.Client, "route", "add", "128.0.0.0/1", "dev", TunAppIface)
	l.nft(l.Client, "table ip nglab_tunapp {\n\tchain out { type nat hook output priority -100; policy accept; oifname \""+TunAppIface+"\" meta l4proto tcp redirect to :"+strconv.Itoa(tunAppPort)+"; }\n}\n")
	l.SetResolvConf("nameserver 127.0.0.1\n")
	// The first packet into a point-to-point device makes the kernel add
	// its NOARP neighbor entry: send it now, so the check's own traffic
	// leaves the client's tables as they were. The app answers it.
	l.mustRun(l.Client, "ping", "-c", "1", "-W", "2", ExternalIP)
	return pid
}
