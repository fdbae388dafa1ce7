package probe

import "testing"

// The resolver configuration parser's own work, part of the local
// collectors' few microseconds (README, Speed).
func BenchmarkLocalCollectors(b *testing.B) {
	resolv := []byte("# generated\nnameserver 192.0.2.53\nnameserver 192.0.2.54\noptions edns0 timeout:2\nsearch example.com\n")
	b.Run("resolv.conf", func(b *testing.B) {
		for b.Loop() {
			parseResolvConf("/etc/resolv.conf", resolv)
		}
	})
}
