package probe

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/netguard/netguard/checks/netstate"
)

var _ netstate.StreamProber = (*NetProber)(nil)

// maxProxyResponse bounds what is read of a proxy's answer to a CONNECT:
// a status line and headers, never a body.
const maxProxyResponse = 16 << 10

// dialStream connects to dst and arranges for the connection to close
// when ctx is done: the probe window has no deadline to copy into the
// socket.
func dialStream(ctx context.Context, dst netip.AddrPort) (net.Conn, func(), error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", dst.String())
	if err != nil {
		return nil, nil, err
	}
	stop := context.AfterFunc(ctx, func() { c.Close() })
	return c, func() { stop(); c.Close() }, nil
}

// closedErr reports whether err means the peer closed or reset the
// connection (as opposed to our side giving up).
func closedErr(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || isReset(err)
}

// isReset reports whether err is the peer resetting or aborting the
// connection, in this OS's errnos (Winsock's own codes on Windows).
func isReset(err error) bool { return netstate.Classify(err) == netstate.ClassReset }

// ctxErr is the error to report once ctx ended a read: a timeout, as the
// other probes report silence.
func ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%w: %w", netstate.ErrNoReply, ctx.Err())
	}
	return err
}

// Hello connects to dst, sends a first request and reads the first bytes
// of the answer.
func (p *NetProber) Hello(ctx context.Context, dst netip.AddrPort) netstate.StreamResult {
	r := netstate.StreamResult{Ran: true, Target: dst}
	t0 := time.Now()
	c, done, err := dialStream(ctx, dst)
	if err != nil {
		r.Err = ctxErr(ctx, fmt.Errorf("connect %s: %w", dst, err))
		// A reset (not a refusal) while connecting is a handshake the
		// peer completed and then dropped, before the dialer looked.
		r.Connected = isReset(err)
		r.Reset = r.Connected
		return r
	}
	defer done()
	r.Connected = true
	req := []byte("HEAD / HTTP/1.0\r\n\r\n")
	if dst.Port() == 443 {
		req = clientHello()
	}
	if _, err := c.Write(req); err != nil {
		r.Err = ctxErr(ctx, fmt.Errorf("send to %s: %w", dst, err))
		r.Reset = ctx.Err() == nil && closedErr(err)
		return r
	}
	var b [1]byte
	_, err = io.ReadFull(c, b[:])
	r.RTT = time.Since(t0)
	if err == nil {
		r.Replied = true
		return r
	}
	r.Err = ctxErr(ctx, fmt.Errorf("read from %s: %w", dst, err))
	r.Reset = ctx.Err() == nil && closedErr(err)
	return r
}

// clientHello is a minimal TLS 1.2 ClientHello (no SNI, a few common
// suites): any TLS server answers it with a ServerHello or an alert, which
// is all the probe needs.
func clientHello() []byte {
	suites := []uint16{0xc02f, 0xc02b, 0xc030, 0xc02c, 0x009c, 0x002f, 0x1301, 0x1302}
	var body []byte
	body = append(body, 0x03, 0x03)
	rnd := make([]byte, 32)
	_, _ = rand.Read(rnd)
	body = append(body, rnd...)
	body = append(body, 0) // no session id
	body = binary.BigEndian.AppendUint16(body, uint16(2*len(suites)))
	for _, s := range suites {
		body = binary.BigEndian.AppendUint16(body, s)
	}
	body = append(body, 1, 0) // null compression
	// Extensions: supported_groups and ec_point_formats, without which
	// ECDHE suites cannot be chosen.
	ext := []byte{0x00, 0x0a, 0x00, 0x06, 0x00, 0x04, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x0b, 0x00, 0x02, 0x01, 0x00}
	body = binary.BigEndian.AppendUint16(body, uint16(len(ext)))
	body = append(body, ext...)
	hs := []byte{0x01, byte(len(body) >> 16), byte(len(body) >> 8), byte(len(body))}
	hs = append(hs, body...)
	rec := []byte{0x16, 0x03, 0x01}
	rec = binary.BigEndian.AppendUint16(rec, uint16(len(hs)))
	return append(rec, hs...)
}

// Connect sends one HTTP CONNECT for target through the proxy and reads
// the status and headers.
func (p *NetProber) Connect(ctx context.Context, proxy, target netip.AddrPort, auth string) netstate.ProxyConnect {
	r := netstate.ProxyConnect{Ran: true, Target: target, SentAuth: auth != ""}
	t0 := time.Now()
	c, done, err := dialStream(ctx, proxy)
	if err != nil {
		r.Err = ctxErr(ctx, fmt.Errorf("connect to proxy %s: %w", proxy, err))
		return r
	}
	defer done()
	var b strings.Builder
	fmt.Fprintf(&b, "CONNECT %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: netguard\r\n", target, target)
	if auth != "" {
		b.WriteString("Proxy-Authorization: " + auth + "\r\n")
	}
	b.WriteString("\r\n")
	if _, err := io.WriteString(c, b.String()); err != nil {
		r.Err = ctxErr(ctx, fmt.Errorf("send CONNECT to %s: %w", proxy, err))
		r.Closed = ctx.Err() == nil && closedErr(err)
		return r
	}
	req := &http.Request{Method: http.MethodConnect}
	resp, err := http.ReadResponse(bufio.NewReader(io.LimitReader(c, maxProxyResponse)), req)
	r.RTT = time.Since(t0)
	if err != nil {
		r.Err = ctxErr(ctx, fmt.Errorf("read CONNECT answer from %s: %w", proxy, err))
		r.Closed = ctx.Err() == nil && closedErr(err)
		return r
	}
	r.Status = resp.StatusCode
	r.Reason = printable(strings.TrimPrefix(resp.Status, fmt.Sprint(resp.StatusCode)))
	if resp.StatusCode == http.StatusProxyAuthRequired {
		r.AuthScheme, r.Realm = parseProxyAuthenticate(resp.Header.Values("Proxy-Authenticate"))
	}
	return r
}

// parseProxyAuthenticate returns the first challenge's scheme and realm
// (RFC 9110 11.6.1: Basic realm="corp", Negotiate, ...).
func parseProxyAuthenticate(vs []string) (scheme, realm string) {
	for _, v := range vs {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		scheme, rest, _ := strings.Cut(v, " ")
		scheme = strings.TrimSuffix(scheme, ",")
		for rest != "" {
			rest = strings.TrimLeft(rest, " ,")
			k, after, ok := strings.Cut(rest, "=")
			if !ok {
				break
			}
			k = strings.TrimSpace(k)
			var val string
			if strings.HasPrefix(after, `"`) {
				val, rest = quoted(after[1:])
			} else {
				val, rest, _ = strings.Cut(after, ",")
			}
			if strings.EqualFold(k, "realm") {
				return printable(scheme), printable(val)
			}
		}
		return printable(scheme), ""
	}
	return "", ""
}

// printable keeps what a report may show of text a proxy sent: printable
// characters, at most 80 of them.
func printable(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
	if r := []rune(s); len(r) > 80 {
		s = string(r[:80]) + "…"
	}
	return s
}

// quoted reads a quoted-string body up to its closing quote, with
// backslash escapes; rest is what follows it.
func quoted(s string) (val, rest string) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			}
		case '"':
			return b.String(), s[i+1:]
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String(), ""
}
