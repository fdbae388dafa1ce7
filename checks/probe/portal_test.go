package probe

import (
	"context"
	"io"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// servePortal answers one connection on a loopback port with answer and
// returns the port and what the client sent.
func servePortal(t *testing.T, answer string) (netip.AddrPort, <-chan string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	got := make(chan string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			got <- ""
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(2 * time.Second))
		buf := make([]byte, 1024)
		n, _ := c.Read(buf)
		got <- string(buf[:n])
		io.WriteString(c, answer)
	}()
	return netip.MustParseAddrPort(ln.Addr().String()), got
}

func TestPortalRedirect(t *testing.T) {
	for _, tc := range []struct {
		name, answer string
		status       int
		location     string
	}{
		{"302 absolute", "HTTP/1.1 302 Found\r\nLocation: http://portal.example/login?mac=02:00:00:00:00:02&x=1\r\nContent-Length: 0\r\n\r\n", 302, "http://portal.example/login?mac=02:00:00:00:00:02&x=1"},
		{"307 relative", "HTTP/1.1 307 Temporary Redirect\r\nlocation: /login\r\n\r\n", 307, "http://www.lab.test/login"},
		{"200 meta refresh", "HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n<html><head><META HTTP-EQUIV=\"Refresh\" CONTENT=\"0; URL='https://Portal.example/Start'\"></head></html>", 200, "https://Portal.example/Start"},
		{"200 plain page", "HTTP/1.1 200 OK\r\n\r\n<html>hello</html>", 200, ""},
		{"javascript location dropped", "HTTP/1.1 302 Found\r\nLocation: javascript:alert(1)\r\n\r\n", 302, ""},
		{"location with a control character dropped", "HTTP/1.1 302 Found\r\nLocation: http://a.example/\x1b[31m\r\n\r\n", 302, ""},
		{"location with credentials dropped", "HTTP/1.1 302 Found\r\nLocation: http://u:p@a.example/\r\n\r\n", 302, ""},
		{"huge location dropped", "HTTP/1.1 302 Found\r\nLocation: http://a.example/" + strings.Repeat("a", 600) + "\r\n\r\n", 302, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dst, sent := servePortal(t, tc.answer)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			r := portal(ctx, dst, "www.lab.test")
			if r.Err != nil || r.Status != tc.status || r.Location != tc.location {
				t.Fatalf("got status %d location %q err %v; want %d %q", r.Status, r.Location, r.Err, tc.status, tc.location)
			}
			if req := <-sent; !strings.HasPrefix(req, "GET / HTTP/1.1\r\nHost: www.lab.test\r\n") {
				t.Fatalf("request %q", req)
			}
		})
	}
}

// A portal that never stops sending is read no further than the bound,
// and one that says nothing ends with the context.
func TestPortalBounded(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for range 2 {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(3 * time.Second))
				buf := make([]byte, 1024)
				c.Read(buf)
				io.WriteString(c, "HTTP/1.1 200 OK\r\n")
				for range 1000 {
					if _, err := io.WriteString(c, "X-Junk: "+strings.Repeat("j", 1000)+"\r\n"); err != nil {
						return
					}
				}
			}()
		}
	}()
	dst := netip.MustParseAddrPort(ln.Addr().String())
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	t0 := time.Now()
	r := portal(ctx, dst, "www.lab.test")
	if r.Status != 200 || r.Location != "" || time.Since(t0) > time.Second {
		t.Fatalf("endless headers: %+v after %v", r, time.Since(t0))
	}

	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	ctx2, cancel2 := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel2()
	t0 = time.Now()
	r = portal(ctx2, netip.MustParseAddrPort(silent.Addr().String()), "www.lab.test")
	if r.Err == nil || time.Since(t0) > time.Second {
		t.Fatalf("silent server: %+v after %v", r, time.Since(t0))
	}
	if r = portal(ctx2, dst, "a\r\nX: b"); r.Err == nil {
		t.Fatal("a host with CRLF was sent")
	}
}
