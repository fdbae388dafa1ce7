package probe

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// serveOnce listens on loopback and hands each connection to handle until
// the test ends.
func serveOnce(t *testing.T, handle func(c net.Conn)) netip.AddrPort {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); handle(c) }()
		}
	}()
	return netip.MustParseAddrPort(ln.Addr().String())
}

// readHead reads a request's lines up to the blank line.
func readHead(c net.Conn) []string {
	br := bufio.NewReader(io.LimitReader(c, 4096))
	var lines []string
	for {
		l, err := br.ReadString('\n')
		l = strings.TrimRight(l, "\r\n")
		if err != nil || l == "" {
			return lines
		}
		lines = append(lines, l)
	}
}

// reset closes c with an RST (SO_LINGER 0), as a proxy app whose upstream
// is gone does.
func reset(c net.Conn) { c.(*net.TCPConn).SetLinger(0); c.Close() }

var target = netip.MustParseAddrPort("203.0.113.5:443") // never dialled: the proxy is a loopback fake

func TestConnect(t *testing.T) {
	got := make(chan []string, 8)
	for _, tc := range []struct {
		name     string
		reply    string // "" closes; "RST" resets
		auth     string
		status   int
		realm    string
		closed   bool
		reason   string
		wantAuth bool
	}{
		{name: "200", reply: "HTTP/1.1 200 Connection established\r\n\r\n", status: 200, reason: "Connection established"},
		{name: "407 with realm", reply: "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"corp \\\"proxy\\\"\", charset=\"UTF-8\"\r\nContent-Length: 5\r\n\r\nnope!", status: 407, realm: `corp "proxy"`, reason: "Proxy Authentication Required"},
		{name: "407 with credentials sent", reply: "HTTP/1.1 407 Nope\r\nProxy-Authenticate: Negotiate\r\nProxy-Authenticate: Basic realm=squid\r\n\r\n", auth: "Basic YTpi", status: 407, wantAuth: true, reason: "Nope"},
		{name: "403", reply: "HTTP/1.1 403 Forbidden\r\n\r\n", status: 403, reason: "Forbidden"},
		{name: "closed", reply: "", closed: true},
		{name: "reset", reply: "RST", closed: true},
		{name: "not HTTP", reply: "\x05\xff", closed: false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			proxy := serveOnce(t, func(c net.Conn) {
				got <- readHead(c)
				switch tc.reply {
				case "RST":
					reset(c)
				case "":
				default:
					io.WriteString(c, tc.reply)
				}
			})
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			r := Default().Connect(ctx, proxy, target, tc.auth)
			head := <-got
			if len(head) == 0 || head[0] != "CONNECT 203.0.113.5:443 HTTP/1.1" {
				t.Errorf("request %q, want a CONNECT for the target", head)
			}
			if sent := strings.Contains(strings.Join(head, "\n"), "Proxy-Authorization: "+tc.auth); tc.auth != "" && !sent {
				t.Errorf("request %q lacks the credentials", head)
			}
			if !r.Ran || r.Status != tc.status || r.Realm != tc.realm || r.Closed != tc.closed || r.SentAuth != tc.wantAuth || r.Reason != tc.reason {
				t.Errorf("got %+v, want status %d realm %q closed %v reason %q", r, tc.status, tc.realm, tc.closed, tc.reason)
			}
			if (r.Status == 0) != (r.Err != nil) {
				t.Errorf("status %d with err %v", r.Status, r.Err)
			}
		})
	}
}

func TestConnectSilentProxyEndsWithWindow(t *testing.T) {
	proxy := serveOnce(t, func(c net.Conn) { readHead(c); time.Sleep(2 * time.Second) })
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	t0 := time.Now()
	r := Default().Connect(ctx, proxy, target, "")
	if r.Status != 0 || r.Closed || r.Failed() || r.Err == nil {
		t.Errorf("silent proxy: %+v, want no status, not closed, not failed", r)
	}
	if d := time.Since(t0); d > time.Second {
		t.Errorf("took %s after a 100ms window", d)
	}
}

func TestHello(t *testing.T) {
	answer := serveOnce(t, func(c net.Conn) {
		if head := readHead(c); len(head) > 0 && strings.HasPrefix(head[0], "HEAD / ") {
			io.WriteString(c, "HTTP/1.0 400 Bad Request\r\n\r\n")
		}
	})
	rst := serveOnce(t, func(c net.Conn) { reset(c) })
	fin := serveOnce(t, func(c net.Conn) {})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, tc := range []struct {
		name           string
		dst            netip.AddrPort
		replied, reset bool
	}{
		{"answers", answer, true, false},
		{"reset", rst, false, true},
		{"closed", fin, false, true},
	} {
		r := Default().Hello(ctx, tc.dst)
		if !r.Ran || !r.Connected || r.Replied != tc.replied || r.Reset != tc.reset || (r.Err == nil) != tc.replied {
			t.Errorf("%s: %+v, want replied %v reset %v", tc.name, r, tc.replied, tc.reset)
		}
	}
	// Refused is not accepted-then-reset: nothing listens.
	if r := Default().Hello(ctx, netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), freePort(t))); r.Connected || r.Reset || r.Replied {
		t.Errorf("refused: %+v", r)
	}
}

func TestHelloTLS(t *testing.T) {
	h := clientHello()
	if h[0] != 0x16 || int(h[3])<<8|int(h[4]) != len(h)-5 || h[5] != 0x01 {
		t.Fatalf("bad ClientHello framing % x", h[:9])
	}
	if n := int(h[6])<<16 | int(h[7])<<8 | int(h[8]); n != len(h)-9 {
		t.Fatalf("handshake length %d, want %d", n, len(h)-9)
	}
	// A real TLS stack answers it: Go's server, on loopback.
	srv := serveOnce(t, func(c net.Conn) {
		var b [1]byte
		c.Read(b[:])
		c.Write([]byte{0x16})
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	r := Default().Hello(ctx, srv)
	if !r.Replied || r.Reset || r.Err != nil {
		t.Errorf("answering server: %+v", r)
	}
}
