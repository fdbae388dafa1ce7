//go:build linux

package lab

import (
	"context"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Faults of what name servers answer and of networks that hold traffic
// until someone logs in: a VPN's resolver left behind that refuses public
// names, a local stub whose upstreams are gone, a captive portal.

// CorpResolverIP is the VPN resolver CorporateResolverLeft leaves in the
// client's resolv.conf, on the router's loopback.
const CorpResolverIP = "10.8.0.1"

// CorpSearchDomain is the search domain that came with it.
const CorpSearchDomain = "corp.example"

// PortalLogin is where the captive portal sends a browser.
const PortalLogin = "http://" + GatewayIP + "/login?orig=" + DNSName

// Rcodes a DNSResponder answers with.
const (
	RcodeServfail = 2
	RcodeRefused  = 5
)

// pythonDNS answers every query on argv[1]:53 (UDP) with rcode argv[2]
// and, for NOERROR, one A record argv[3] for any A question. It exits
// after 120 s at most.
const pythonDNS = `import socket, struct, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 53))
s.settimeout(1)
rcode = int(sys.argv[2])
a = socket.inet_aton(sys.argv[3]) if len(sys.argv) > 3 else None
print("ready", flush=True)
end = time.time() + 120
while time.time() < end:
    try:
        q, peer = s.recvfrom(1500)
    except socket.timeout:
        continue
    if len(q) < 12:
        continue
    qid, flags, qd = struct.unpack(">HHH", q[:6])
    i = 12
    while i < len(q) and q[i] != 0:
        i += 1 + q[i]
    question = q[12:i + 5]
    qtype = struct.unpack(">H", q[i + 1:i + 3])[0] if i + 3 <= len(q) else 0
    an = 1 if (rcode == 0 and a is not None and qtype == 1) else 0
    hdr = struct.pack(">HHHHHH", qid, 0x8180 | (flags & 0x0100) | rcode, 1, an, 0, 0)
    body = question
    if an:
        body += b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + a
    s.sendto(hdr + body, peer)
`

// pythonPortal answers every HTTP request on argv[1]:80 with a 302 to
// argv[2], as a captive portal does. It exits after 120 s at most.
const pythonPortal = `import http.server, socketserver, sys, threading, time
loc = sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(302)
        self.send_header("Location", loc)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *a):
        pass
socketserver.TCPServer.allow_reuse_address = True
srv = socketserver.ThreadingTCPServer((sys.argv[1], 80), H)
threading.Thread(target=srv.serve_forever, daemon=True).start()
print("ready", flush=True)
time.sleep(120)
`

// DNSResponder starts a name server on addr:53 in ns that answers every
// query with rcode, and with the A record answer (when not "") for
// NOERROR.
func (l *Lab) DNSResponder(ns, addr string, rcode int, answer string) {
	l.t.Helper()
	args := []string{addr, strconv.Itoa(rcode)}
	if answer != "" {
		args = append(args, answer)
	}
	l.runPython(ns, "name server on "+addr, pythonDNS, args...)
}

// CorporateResolverLeft leaves a VPN's resolver in the client's
// resolv.conf, with its search domain: a server on the router's loopback
// that refuses every name it does not serve, as corporate resolvers do for
// clients outside the VPN.
func (l *Lab) CorporateResolverLeft() {
	l.t.Helper()
	l.mustIP(l.Router, "addr", "add", CorpResolverIP+"/32", "dev", "lo")
	l.DNSResponder(l.Router, CorpResolverIP, RcodeRefused, "")
	l.SetResolvConf("# written by a VPN client\nsearch " + CorpSearchDomain + "\nnameserver " + CorpResolverIP + "\n")
}

// StubUpstreamsDead makes the client's only name server a local stub on
// 127.0.0.1 that answers SERVFAIL, as systemd-resolved and dnsmasq do when
// none of their upstreams answers.
func (l *Lab) StubUpstreamsDead() {
	l.t.Helper()
	l.DNSResponder(l.Client, "127.0.0.1", RcodeServfail, "")
	l.SetResolvConf("nameserver 127.0.0.1\n")
}

// CaptivePortal turns the router into a captive portal: its name server
// answers every name with its own address, port 80 redirects to
// PortalLogin, and forwarded TCP (HTTPS included) is dropped while ICMP
// passes, as on a hotel network before login.
func (l *Lab) CaptivePortal() {
	l.t.Helper()
	l.DNSResponder(l.Router, GatewayIP, 0, GatewayIP)
	l.runPython(l.Router, "portal on "+GatewayIP+":80", pythonPortal, GatewayIP, PortalLogin)
	l.nft(l.Router, routerTable("portal", "", "meta l4proto tcp drop;", ""))
	l.SetResolvConf("nameserver " + GatewayIP + "\n")
}

// DeadUpstreamIP is the upstream StubUpstreamsSilent gives dnsmasq: on the
// internet host's network, where no host has it.
const DeadUpstreamIP = "203.0.113.9"

// StubUpstreamsSilent makes the client's only name server a dnsmasq on
// 127.0.0.1 whose one upstream is gone: dnsmasq takes every query and
// answers none while it waits on it.
func (l *Lab) StubUpstreamsSilent() {
	l.t.Helper()
	l.startStub("127.0.0.1", DeadUpstreamIP)
	l.SetResolvConf("nameserver 127.0.0.1\n")
}

// startStub runs dnsmasq in the client as a caching stub on addr:53 that
// forwards to upstreams, until the test ends, and waits until it takes
// queries.
func (l *Lab) startStub(addr string, upstreams ...string) {
	l.t.Helper()
	ip, err := netip.ParseAddr(addr)
	if err != nil || !ip.Is4() {
		l.t.Fatalf("lab %s: stub address %q: want IPv4", l.Prefix, addr)
	}
	args := []string{"dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null",
		"--no-resolv", "--no-hosts", "--no-poll", "--bind-interfaces", "--listen-address=" + addr, "--port=53",
		"--user=root", "--pid-file=" + l.Dir + "/dnsmasq-stub.pid", "--log-facility=" + l.Dir + "/dnsmasq-stub.log"}
	for _, u := range upstreams {
		args = append(args, "--server="+u)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := l.Cmd(ctx, l.Client, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		cancel()
		l.t.Fatalf("lab %s: start dnsmasq stub: %v", l.Prefix, err)
	}
	l.t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
	})
	// Ready when it takes queries: its UDP socket is in the namespace's
	// /proc/net/udp (the address in hex, in the kernel's byte order).
	a := ip.As4()
	bound := fmt.Sprintf(" %02X%02X%02X%02X:0035 ", a[3], a[2], a[1], a[0])
	for i := 0; ; i++ {
		if _, _, code := l.Run(l.t, l.Client, "grep", "-qF", bound, "/proc/net/udp"); code == 0 {
			break
		}
		if i == 100 {
			l.t.Fatalf("lab %s: dnsmasq stub not listening on %s after 3 s", l.Prefix, addr)
		}
		time.Sleep(30 * time.Millisecond)
	}
}

// ResolvedStubIP is systemd-resolved's stub listener, which ResolvedStub
// runs a stand-in on.
const ResolvedStubIP = "127.0.0.53"

// ResolvedStub gives the client systemd-resolved's layout: resolv.conf
// names only the stub 127.0.0.53, and resolved's own list of upstreams,
// /run/systemd/resolve/resolv.conf, names upstreams (written under
// RunDir: a run sees it through PrivateRun). When running, a dnsmasq
// stands in for resolved on 127.0.0.53, forwarding to those upstreams;
// otherwise nothing listens there, as when resolved is stopped.
func (l *Lab) ResolvedStub(running bool, upstreams ...string) {
	l.t.Helper()
	var list strings.Builder
	list.WriteString("# This is /run/systemd/resolve/resolv.conf managed by man:systemd-resolved(8).\n")
	for _, u := range upstreams {
		list.WriteString("nameserver " + u + "\n")
	}
	l.WriteRunFile("systemd/resolve/resolv.conf", list.String())
	if running {
		l.startStub(ResolvedStubIP, upstreams...)
	}
	l.SetResolvConf("# This is /run/systemd/resolve/stub-resolv.conf managed by man:systemd-resolved(8).\nnameserver " + ResolvedStubIP + "\noptions edns0 trust-ad\nsearch .\n")
}

// CaptivePortalIntercept is CaptivePortal on a portal that also takes
// port 80 of every address for itself (DNAT), as most do: a probe of an
// external target's port 80 is answered, HTTPS is still held.
func (l *Lab) CaptivePortalIntercept() {
	l.t.Helper()
	l.CaptivePortal()
	l.nft(l.Router, "table ip nglab_portalnat {\n\tchain pre { type nat hook prerouting priority -100; policy accept; iifname \""+l.RouterLANIf+"\" tcp dport 80 dnat to "+GatewayIP+"; }\n}\n")
}
