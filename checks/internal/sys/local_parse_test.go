package sys

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/netguard/netguard/checks/netstate"
)

func TestNSSLocalhostModule(t *testing.T) {
	for in, want := range map[string]string{
		"passwd: files\nhosts:          files dns\n":                         "",
		"hosts: files mymachines resolve [!UNAVAIL=return] myhostname dns\n": "resolve",
		"#hosts: files myhostname\nhosts: files dns # myhostname\n":          "",
		"hosts: files myhostname\n":                                          "myhostname",
	} {
		if got := nssLocalhostModule([]byte(in)); got != want {
			t.Errorf("nssLocalhostModule(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWindowsProxySettings(t *testing.T) {
	for in, want := range map[string][]string{
		"127.0.0.1:7890": {"all http://127.0.0.1:7890"},
		"http=proxy.corp.example:3128;https=proxy.corp.example:3129;ftp=x:21": {"http http://proxy.corp.example:3128", "https http://proxy.corp.example:3129"},
		"socks=127.0.0.1:1080": {"all socks5://127.0.0.1:1080"},
		"":                     nil,
	} {
		var got []string
		for _, p := range windowsProxySettings(in) {
			if p.Err != nil {
				got = append(got, "ERR "+p.Err.Error())
				continue
			}
			got = append(got, p.For+" "+p.Scheme+"://"+p.Endpoint())
		}
		if !slices.Equal(got, want) {
			t.Errorf("windowsProxySettings(%q) = %v, want %v", in, got, want)
		}
	}
}

// WinHttpSettings blobs as `netsh winhttp set proxy` writes them (layout
// in winproxy.go; values invented): direct, a proxy with a bypass list,
// and truncated blobs that must read as unreadable, never panic.
func TestWindowsWinHTTPProxy(t *testing.T) {
	blob := func(flags uint32, proxy, bypass string) []byte {
		u32 := func(v uint32) []byte { return []byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)} }
		b := append(u32(0x28), u32(7)...)
		b = append(b, u32(flags)...)
		b = append(b, u32(uint32(len(proxy)))...)
		b = append(b, proxy...)
		b = append(b, u32(uint32(len(bypass)))...)
		return append(b, bypass...)
	}
	set := blob(3, "proxy.corp.example:8080", "<local>;*.corp.example")
	for _, tc := range []struct {
		name  string
		b     []byte
		proxy string
		ok    bool
	}{
		{"direct", blob(1, "", ""), "", true},
		{"proxy", set, "proxy.corp.example:8080", true},
		{"flag off, string left over", blob(1, "old.corp.example:8080", ""), "", true},
		{"truncated header", set[:10], "", false},
		{"length past the end", set[:20], "", false},
		{"empty", nil, "", false},
		// A length of 2 GiB or more: negative as an int on a 32-bit build.
		{"length 0x80000000", append(set[:12:12], 0, 0, 0, 0x80, 'x'), "", false},
		{"length 0xffffffff", append(set[:12:12], 0xff, 0xff, 0xff, 0xff, 'x'), "", false},
	} {
		p, ok := windowsWinHTTPProxy(tc.b)
		if p != tc.proxy || ok != tc.ok {
			t.Errorf("%s: windowsWinHTTPProxy = %q, %v; want %q, %v", tc.name, p, ok, tc.proxy, tc.ok)
		}
	}
	got := windowsWinHTTPSettings("proxy.corp.example:8080")
	if len(got) != 1 || got[0].Var != netstate.WinHTTPProxyVar || got[0].Endpoint() != "proxy.corp.example:8080" {
		t.Errorf("windowsWinHTTPSettings = %+v", got)
	}
}

// A ClashX user's preferences (shape of a real file, values invented):
// Wi-Fi has the HTTP(S) proxy 127.0.0.1:7890, a USB LAN service a SOCKS
// proxy, a disabled bridge service an HTTPS proxy that must not count.
func TestDarwinPrefsProxies(t *testing.T) {
	b, err := os.ReadFile("testdata/macos-preferences-clashx.plist")
	if err != nil {
		t.Fatal(err)
	}
	ps, err := darwinPrefsProxies(b)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range ps {
		got = append(got, fmt.Sprintf("%s|%s|%s|%s", p.Var, p.For, p.Endpoint(), p.Iface))
	}
	want := []string{
		"macOS SOCKS proxy (USB 10/100/1000 LAN)|all|192.0.2.9:1080|en5",
		"macOS HTTPS proxy (Wi-Fi)|https|127.0.0.1:7890|en0",
		"macOS HTTP proxy (Wi-Fi)|http|127.0.0.1:7890|en0",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
	for _, bad := range []string{"bplist00\x00\x01", "<plist><dict><key>CurrentSet</key>", "<plist></plist>", "not xml", strings.Repeat("<plist><array>", 40)} {
		if _, err := darwinPrefsProxies([]byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
