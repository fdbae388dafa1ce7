package probe

import "testing"

// resolv.conf is a file anyone may have edited by hand: whatever it
// holds, parsing returns with usable timeouts, never panics.
func FuzzLocalFiles(f *testing.F) {
	f.Add([]byte("127.0.0.1 localhost\nnameserver 192.0.2.1\noptions timeout:1 attempts:9 rotate\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c := parseResolvConf("fuzz", b)
		if c.Timeout <= 0 || c.Attempts <= 0 {
			t.Fatalf("timeout %v attempts %d", c.Timeout, c.Attempts)
		}
	})
}
