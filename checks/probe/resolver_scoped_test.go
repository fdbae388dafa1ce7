package probe

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestParseScopedResolver reads /etc/resolver files as man 5 resolver
// describes them, and survives hostile ones.
func TestParseScopedResolver(t *testing.T) {
	ap := netip.MustParseAddrPort
	for _, tt := range []struct {
		name, file, text string
		ok               bool
		domain           string
		servers          []netip.AddrPort
		timeout          time.Duration
		order            int
	}{
		{name: "openconnect's", file: "corp.example", text: "nameserver 10.8.0.1\nnameserver 10.8.0.2\n", ok: true, domain: "corp.example",
			servers: []netip.AddrPort{ap("10.8.0.1:53"), ap("10.8.0.2:53")}},
		{name: "port after the servers applies to all, domain line overrides the name", file: "vpn", text: "# Tunnelblick\ndomain Corp.Example.\nnameserver 10.8.0.1\nnameserver fd00::53\nport 5353\nsearch_order 2\ntimeout 3\n", ok: true,
			domain: "corp.example", servers: []netip.AddrPort{ap("10.8.0.1:5353"), ap("[fd00::53]:5353")}, timeout: 3 * time.Second, order: 2},
		{name: "more than three servers: the first three", file: "x.test", text: "nameserver 10.0.0.1\nnameserver 10.0.0.2\nnameserver 10.0.0.3\nnameserver 10.0.0.4\n", ok: true, domain: "x.test",
			servers: []netip.AddrPort{ap("10.0.0.1:53"), ap("10.0.0.2:53"), ap("10.0.0.3:53")}},
		{name: "bad values are ignored", file: "x.test", text: "nameserver not-an-ip\nnameserver 10.0.0.1 ; trailing\nport 70000\nport -1\ntimeout 0\ntimeout 999\nsearch_order -4\n", ok: true, domain: "x.test",
			servers: []netip.AddrPort{ap("10.0.0.1:53")}, timeout: 30 * time.Second},
		{name: "mDNS domain without servers", file: "local", text: "port 5353\n", ok: true, domain: "local"},
		{name: "a file name that is no domain", file: "corp example", text: "nameserver 10.0.0.1\n", ok: false},
		{name: "a domain line that is no domain", file: "x.test", text: "domain ../../etc\nnameserver 10.0.0.1\n", ok: false},
		{name: "binary junk", file: "x.test", text: "\x00\xff\xfe nameserver\x00 10.0.0.1\n\x1b[31m", ok: true, domain: "x.test"},
		{name: "one huge line", file: "x.test", text: strings.Repeat("a", 200<<10) + " nameserver 10.0.0.9\nnameserver 10.0.0.1\n", ok: true, domain: "x.test",
			servers: []netip.AddrPort{ap("10.0.0.1:53")}},
	} {
		sr, ok := parseScopedResolver("/etc/resolver/"+tt.file, tt.file, []byte(tt.text))
		if ok != tt.ok {
			t.Errorf("%s: ok %v, want %v (%+v)", tt.name, ok, tt.ok, sr)
			continue
		}
		if !ok {
			continue
		}
		if sr.Domain != tt.domain || !slices.Equal(sr.Servers, tt.servers) || sr.Timeout != tt.timeout || sr.Order != tt.order || sr.Source != "/etc/resolver/"+tt.file {
			t.Errorf("%s: got %+v", tt.name, sr)
		}
	}
}
