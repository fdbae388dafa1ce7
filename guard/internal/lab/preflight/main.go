// Command preflight is the benchmark's "minimal parallel pre-flight":
// route and neighbor dumps, two pings and one lookup in
// parallel, no diagnosis, no report, no output. guard check is measured
// against it in the lab: the difference is what guard's diagnosis, second
// probes and report cost.
//
//	preflight GATEWAY EXTERNAL NAME   exit 0 when everything answered
package main

import (
	"context"
	"net"
	"os"
	"sync"
	"time"

	probing "github.com/prometheus-community/pro-bing"
	"github.com/vishvananda/netlink"
)

func main() {
	if len(os.Args) != 4 {
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	ok := make(chan bool, 5)
	wg.Add(5)
	go func() { defer wg.Done(); _, err := netlink.RouteList(nil, familyV4); ok <- err == nil }()
	go func() { defer wg.Done(); _, err := netlink.NeighList(0, familyV4); ok <- err == nil }()
	for _, ip := range os.Args[1:3] {
		go func() {
			defer wg.Done()
			p := probing.New(ip)
			p.SetPrivileged(os.Geteuid() == 0)
			p.Count, p.Interval, p.Timeout = 1, 40*time.Millisecond, time.Second
			err := p.RunWithContext(ctx)
			ok <- err == nil && p.Statistics().PacketsRecv > 0
		}()
	}
	go func() { defer wg.Done(); _, err := net.DefaultResolver.LookupHost(ctx, os.Args[3]); ok <- err == nil }()
	wg.Wait()
	close(ok)
	for v := range ok {
		if !v {
			os.Exit(1)
		}
	}
}

// familyV4 is AF_INET, netlink.FAMILY_V4 on Linux (where alone the
// benchmark runs; the package only has to compile elsewhere).
const familyV4 = 2
