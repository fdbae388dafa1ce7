package checks

import (
	"context"
	"net/netip"
	"testing"

	"github.com/netguard/netguard/checks/netstate"
)

// The local collectors' own work, each of which runs in its own goroutine
// beside the probes: together a few microseconds (README, Speed). The
// resolv.conf parser is benchmarked in checks/probe, the clock read in
// checks/internal/sys.
func BenchmarkLocalCollectors(b *testing.B) {
	hosts := []byte("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nff02::1 ip6-allnodes\n127.0.1.1\tdevbox\n")
	env := map[string]string{"HTTPS_PROXY": "http://127.0.0.1:7890", "NO_PROXY": "localhost"}
	b.Run("hosts", func(b *testing.B) {
		for b.Loop() {
			parseHostsLocalhost(hosts)
		}
	})
	b.Run("proxy-env", func(b *testing.B) {
		for b.Loop() {
			netstate.ParseProxyEnv(env)
		}
	})
	b.Run("build-time", func(b *testing.B) {
		for b.Loop() {
			buildTime()
		}
	})
	b.Run("bind-test-loopback", func(b *testing.B) {
		fl := &fakeLocal{}
		spec := []netstate.PortSpec{{Addr: netip.MustParseAddr("127.0.0.1"), Port: 0}}
		for b.Loop() {
			checkPorts(context.Background(), fl, spec)
		}
	})
}
