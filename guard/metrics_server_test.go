package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// countingListener records the most connections open at once.
type countingListener struct {
	net.Listener
	open, peak atomic.Int32
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	n := l.open.Add(1)
	for p := l.peak.Load(); n > p && !l.peak.CompareAndSwap(p, n); p = l.peak.Load() {
	}
	return &countedConn{Conn: c, l: l}, nil
}

type countedConn struct {
	net.Conn
	l    *countingListener
	once sync.Once
}

func (c *countedConn) Close() error {
	c.once.Do(func() { c.l.open.Add(-1) })
	return c.Conn.Close()
}

// Another local user opening many keep-alive connections to the metrics
// server holds at most the cap of them at once, and each is closed once
// idle: the watcher's descriptors and memory stay bounded, and every
// scraper is served in turn.
func TestMetricsServerBoundsIdleConnections(t *testing.T) {
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := &countingListener{Listener: raw}
	limits := serverLimits{Conns: 4, Header: 300 * time.Millisecond, Read: 300 * time.Millisecond, Write: 300 * time.Millisecond, Idle: 150 * time.Millisecond}
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "netguard_up 1") })
	srv, limited := metricsServer(ln, h, limits)
	go func() { _ = srv.Serve(limited) }()
	defer srv.Close()

	const clients = 40
	errs := make(chan error, clients)
	for range clients {
		go func() {
			c, err := net.Dial("tcp", raw.Addr().String())
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(20 * time.Second))
			if _, err := io.WriteString(c, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
				errs <- err
				return
			}
			br := bufio.NewReader(c)
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				errs <- fmt.Errorf("no response: %w", err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			// Keep-alive: the client says nothing more. The server must
			// hang up by itself.
			if _, err := br.ReadByte(); err != io.EOF {
				errs <- fmt.Errorf("idle keep-alive connection not closed by the server: %v", err)
				return
			}
			errs <- nil
		}()
	}
	for range clients {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if p := ln.peak.Load(); p > int32(limits.Conns) {
		t.Errorf("%d connections open at once, want at most %d", p, limits.Conns)
	}
}
