package checks

import (
	"testing"

	"github.com/netguard/netguard/checks/netstate"
)

// The local parsers read files and settings anyone may have edited by
// hand: whatever they hold, parsing returns, never panics. The parsers of
// checks/probe (resolv.conf) and checks/internal/sys (nsswitch.conf, the
// macOS and Windows proxy settings) have their own FuzzLocalFiles.

func FuzzParsePorts(f *testing.F) {
	for _, s := range []string{"5432", "127.0.0.1:8080,[::1]:5432", "0", "::1:80", "[fe80::1%eth0]:1", ",,,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ps, err := netstate.ParsePorts(s)
		if err == nil && (len(ps) == 0 || len(ps) > netstate.MaxPorts) {
			t.Fatalf("ParsePorts(%q) = %d ports without error", s, len(ps))
		}
		for _, p := range ps {
			if p.Port == 0 {
				t.Fatalf("ParsePorts(%q): port 0 accepted", s)
			}
		}
	})
}

func FuzzLocalFiles(f *testing.F) {
	f.Add([]byte("127.0.0.1 localhost\nnameserver 192.0.2.1\noptions timeout:1 attempts:9 rotate\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		parseHostsLocalhost(b)
		netstate.ParseProxy("HTTPS_PROXY", string(b), "https")
	})
}
