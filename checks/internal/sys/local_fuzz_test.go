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
