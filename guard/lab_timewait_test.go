//go:build linux

package main

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/netguard/netguard/guard/internal/lab"
)

// twScript, run as another user, leaves servers*each loopback TIME_WAIT
// sockets on the client side: the client closes first, the server after
// reading its FIN. The servers' ports lie outside the ephemeral range.
const twScript = `
import socket, sys
servers, each = int(sys.argv[1]), int(sys.argv[2])
for k in range(servers):
    ls = socket.socket()
    ls.bind(("127.0.0.1", 30001 + k))
    ls.listen(64)
    for _ in range(each):
        c = socket.create_connection(("127.0.0.1", 30001 + k))
        s, _ = ls.accept()
        c.close()
        s.recv(1)
        s.close()
    ls.close()
`

// TestLabOtherUsersTimeWait checks that another local user's loopback
// TIME_WAIT sockets, more than 90% of the ephemeral range in all but spread
// over their own servers, never block a start: the kernel reuses each local
// port for every other destination.
func TestLabOtherUsersTimeWait(t *testing.T) {
	lab.RequireRoot(t)
	bin := lab.Build(t)
	t.Parallel()
	l := lab.New(t)
	const lo, hi = 40000, 44999 // 5000 ports: 90% is 4500
	const servers, each = 8, 600
	l.SetEphemeralRange(lo, hi)
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	start := time.Now()
	if out, err := l.CmdAs(ctx, l.Client, "nobody", "/usr/bin/python3", "-c", twScript, strconv.Itoa(servers), strconv.Itoa(each)).CombinedOutput(); err != nil {
		t.Fatalf("TIME_WAIT maker: %v\n%s", err, out)
	}
	made := time.Since(start)
	// TIME_WAIT lasts 60 s: the check below runs well inside it.
	out, err := l.Cmd(ctx, l.Client, "cat", "/proc/net/sockstat").Output()
	if err != nil {
		t.Fatal(err)
	}
	tw := 0
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) > 0 && f[0] == "TCP:" {
			for i := 1; i+1 < len(f); i += 2 {
				if f[i] == "tw" {
					tw, _ = strconv.Atoi(f[i+1])
				}
			}
		}
	}
	t.Logf("%d TIME_WAIT sockets made by nobody in %v", tw, made.Round(time.Millisecond))
	if tw < (hi-lo+1)*9/10 {
		t.Fatalf("only %d TIME_WAIT sockets: the scenario needs more than 90%% of %d-%d", tw, lo, hi)
	}
	runUsers(t, l, bin, []string{"", "nobody"}, nil, nil, func(r *labRun) {
		if r.exit != 0 || r.rep == nil {
			t.Fatalf("want exit 0; got %v", r)
		}
		for _, f := range r.rep.Findings {
			if f.ID == "ports-exhausted" || f.ID == "ports-high" {
				t.Errorf("as %s: %s: %s", r.who(), f.ID, f.Summary)
			}
		}
		for _, c := range r.rep.Checks {
			if c.ID == "resources" {
				t.Logf("as %s: resources %s: %s", r.who(), c.Status, c.Detail)
			}
		}
	})
}
