package checks

import (
	"context"
	"net/netip"
	"testing"
)

// The local collectors' own work, each of which runs in its own goroutine
// beside the probes: together a few microseconds (README, Speed).
func BenchmarkLocalCollectors(b *testing.B) {
	hosts := []byte("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nff02::1 ip6-allnodes\n127.0.1.1\tdevbox\n")
	resolv := []byte("# generated\nnameserver 192.0.2.53\nnameserver 192.0.2.54\noptions edns0 timeout:2\nsearch example.com\n")
	env := map[string]string{"HTTPS_PROXY": "http://127.0.0.1:7890", "NO_PROXY": "localhost"}
	b.Run("hosts", func(b *testing.B) {
		for b.Loop() {
			parseHostsLocalhost(hosts)
		}
	})
	b.Run("resolv.conf", func(b *testing.B) {
		for b.Loop() {
			parseResolvConf("/etc/resolv.conf", resolv)
		}
	})
	b.Run("proxy-env", func(b *testing.B) {
		for b.Loop() {
			parseProxyEnv(env)
		}
	})
	b.Run("build-time", func(b *testing.B) {
		for b.Loop() {
			buildTime()
		}
	})
	b.Run("clock", func(b *testing.B) {
		ls, ok := NewSystem().(LocalSystem)
		if !ok {
			b.Skip("no LocalSystem on this OS")
		}
		for b.Loop() {
			ls.Clock()
		}
	})
	b.Run("bind-test-loopback", func(b *testing.B) {
		fl := &fakeLocal{}
		spec := []PortSpec{{Addr: netip.MustParseAddr("127.0.0.1"), Port: 0}}
		for b.Loop() {
			checkPorts(context.Background(), fl, spec)
		}
	})
}
