package probe

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"github.com/netguard/netguard/checks/netstate"
)

// maxPortalRead is how much of a portal's answer is read: its status
// line, headers and the start of a page fit; a portal is never downloaded.
const maxPortalRead = 4 << 10

// maxPortalLocation bounds the login URL a report repeats.
const maxPortalLocation = 512

// Portal sends one GET for / to addr:80 with Host host and reads at most
// maxPortalRead bytes of the answer: the status and where it sends a
// browser. It follows no redirect and submits nothing.
func (p *NetProber) Portal(ctx context.Context, addr netip.Addr, host string) netstate.PortalResult {
	return portal(ctx, netip.AddrPortFrom(addr, 80), host)
}

// portal is Portal to any port, for tests on loopback.
func portal(ctx context.Context, dst netip.AddrPort, host string) netstate.PortalResult {
	addr := dst.Addr()
	res := netstate.PortalResult{Addr: addr, Host: host}
	if strings.ContainsFunc(host, func(r rune) bool { return r <= ' ' || r >= 0x7f }) || host == "" {
		res.Err = fmt.Errorf("portal: host %q is not a plain name", host)
		return res
	}
	c, done, err := dialStream(ctx, dst)
	if err != nil {
		res.Err = fmt.Errorf("portal %s: %w", addr, err)
		return res
	}
	defer done()
	req := "GET / HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: netguard\r\nAccept: text/html\r\nConnection: close\r\n\r\n"
	if _, err := io.WriteString(c, req); err != nil {
		res.Err = fmt.Errorf("portal %s: %w", addr, err)
		return res
	}
	status, loc, err := readPortalAnswer(io.LimitReader(c, maxPortalRead))
	if err != nil {
		res.Err = fmt.Errorf("portal %s: %w", addr, err)
		return res
	}
	res.Status = status
	res.Location = portalURL(loc, addr, host)
	return res
}

// readPortalAnswer reads an HTTP response's status and where it sends the
// browser: a Location header, or for a 200 the URL of a meta refresh in
// what was read of the page.
func readPortalAnswer(r io.Reader) (status int, location string, err error) {
	br := bufio.NewReaderSize(r, maxPortalRead)
	line, err := br.ReadString('\n')
	if err != nil && line == "" {
		return 0, "", err
	}
	proto, rest, _ := strings.Cut(strings.TrimRight(line, "\r\n"), " ")
	code, _, _ := strings.Cut(rest, " ")
	status, cerr := strconv.Atoi(code)
	if !strings.HasPrefix(proto, "HTTP/") || cerr != nil || status < 100 || status > 999 {
		return 0, "", errors.New("not an HTTP response")
	}
	for {
		h, err := br.ReadString('\n')
		h = strings.TrimRight(h, "\r\n")
		if h == "" || err != nil {
			break
		}
		k, v, ok := strings.Cut(h, ":")
		if ok && strings.EqualFold(strings.TrimSpace(k), "location") && location == "" {
			location = strings.TrimSpace(v)
		}
	}
	if status == 200 && location == "" {
		body, _ := io.ReadAll(br)
		location = metaRefresh(body)
	}
	return status, location, nil
}

// metaRefresh is the URL of a <meta http-equiv="refresh" content="N;
// url=..."> in page, "" if there is none.
func metaRefresh(page []byte) string {
	// ASCII-only lowering keeps every offset of page valid in low.
	low := make([]byte, len(page))
	for i, b := range page {
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		low[i] = b
	}
	i := bytes.Index(low, []byte("http-equiv=\"refresh\""))
	if i < 0 {
		i = bytes.Index(low, []byte("http-equiv=refresh"))
	}
	if i < 0 {
		return ""
	}
	start := max(0, bytes.LastIndexByte(low[:i], '<'))
	end := len(low)
	if e := bytes.IndexByte(low[start:], '>'); e >= 0 {
		end = start + e
	}
	u := bytes.Index(low[start:end], []byte("url="))
	if u < 0 {
		return ""
	}
	v := bytes.TrimLeft(page[start+u+4:end], " '")
	if e := bytes.IndexAny(v, "\"'"); e >= 0 {
		v = v[:e]
	}
	return strings.TrimSpace(string(v))
}

// portalURL makes loc absolute against http://host/ as the browser would,
// and keeps it only when it is a printable http(s) URL of bounded length:
// it comes from whoever answers on the network, and a report repeats it.
func portalURL(loc string, addr netip.Addr, host string) string {
	if loc == "" || len(loc) > maxPortalLocation || strings.ContainsFunc(loc, func(r rune) bool { return r <= ' ' || r >= 0x7f }) {
		return ""
	}
	base := &url.URL{Scheme: "http", Host: host, Path: "/"}
	if host == "" {
		base.Host = addr.String()
	}
	u, err := base.Parse(loc)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return ""
	}
	s := u.String()
	if len(s) > maxPortalLocation {
		return ""
	}
	return s
}
