package sys

import (
	"os"
	"testing"
)

// nsswitch.conf and the proxy settings are files and settings anyone may
// have edited by hand: whatever they hold, parsing returns, never panics.
func FuzzLocalFiles(f *testing.F) {
	f.Add([]byte("127.0.0.1 localhost\nnameserver 192.0.2.1\noptions timeout:1 attempts:9 rotate\n"))
	if b, err := os.ReadFile("testdata/macos-preferences-clashx.plist"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		nssLocalhostModule(b)
		_, _ = darwinPrefsProxies(b)
		windowsProxySettings(string(b))
	})
}

// The WinHTTP settings blob is undocumented and written by whatever
// administrator tool: whatever it holds, decoding returns without a panic
// (on 32-bit builds too), and a proxy it reports lies inside the blob.
func FuzzWinHTTPBlob(f *testing.F) {
	u32 := func(v uint32) []byte { return []byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)} }
	set := append(append(append(u32(0x28), u32(7)...), u32(3)...), u32(23)...)
	set = append(append(set, "proxy.corp.example:8080"...), u32(0)...)
	f.Add(set)
	f.Add(append(set[:12:12], 0, 0, 0, 0x80))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		p, ok := windowsWinHTTPProxy(b)
		if !ok && p != "" {
			t.Fatalf("proxy %q from an unreadable blob", p)
		}
		if len(p) > len(b) {
			t.Fatalf("proxy of %d bytes from a %d-byte blob", len(p), len(b))
		}
		windowsWinHTTPSettings(p)
	})
}
