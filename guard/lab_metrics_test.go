//go:build linux

package main

import (
	"bufio"
	"context"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/netguard/netguard/guard/internal/lab"
)

// holdScript, run as another user, opens n keep-alive connections to
// host:port (the metrics address), sends one request on each, says "open"
// and holds them for hold seconds.
const holdScript = `
import socket, sys, time
host, port, n, hold = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
cs = []
for _ in range(n):
    c = socket.create_connection((host, port))
    c.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
    cs.append(c)
print("open", flush=True)
time.sleep(hold)
`

// TestLabMetricsOtherUserConnections checks that another local user holding
// hundreds of keep-alive connections to guard watch --metrics costs the
// watcher at most the connection cap in file descriptors, and scrapes work
// again once they are gone.
func TestLabMetricsOtherUserConnections(t *testing.T) {
	lab.RequireRoot(t)
	bin := lab.Build(t)
	t.Parallel()
	l := lab.New(t)
	state := watchStateDir(t, l, "metrics", "")
	w := startLabWatch(t, l, bin, "", state, watchArgs("--metrics", watchMetricsAddr)...)
	scrapeLab(t, l)
	fds := func() int {
		ents, err := os.ReadDir(filepath.Join("/proc", strconv.Itoa(w.cmd.Process.Pid), "fd"))
		if err != nil {
			t.Fatalf("the watcher's descriptors: %v", err)
		}
		return len(ents)
	}
	base := fds()
	const conns = 300
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	host, port, _ := net.SplitHostPort(watchMetricsAddr)
	cmd := l.CmdAs(ctx, l.Client, "nobody", "/usr/bin/python3", "-c", holdScript, host, port, strconv.Itoa(conns), "4")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || strings.TrimSpace(line) != "open" {
		t.Fatalf("connection holder: %q %v", line, err)
	}
	peak := 0
	for range 10 { // 1 s of samples while all of them are held
		peak = max(peak, fds())
		time.Sleep(100 * time.Millisecond)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("connection holder: %v", err)
	}
	t.Logf("watcher descriptors: %d before, at most %d while nobody held %d connections", base, peak, conns)
	if peak > base+metricsLimits.Conns+4 {
		t.Errorf("the watcher held %d descriptors (%d before): more than the cap of %d connections", peak, base, metricsLimits.Conns)
	}
	if m := scrapeLab(t, l); !strings.Contains(m, "netguard_verdict") {
		t.Errorf("metrics after the connections left:\n%s", m)
	}
}
