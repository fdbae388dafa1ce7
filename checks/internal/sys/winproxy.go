package sys

import (
	"strings"

	"github.com/netguard/netguard/checks/netstate"
)

// windowsProxySettings parses the ProxyServer value of the Windows
// Internet Settings: one host:port for every scheme, or per scheme
// "http=h:p;https=h:p;socks=h:p". Pure, so it is tested on any OS.
func windowsProxySettings(server string) []netstate.ProxySetting {
	const name = "Windows proxy (Internet Settings)"
	var out []netstate.ProxySetting
	for _, part := range strings.Split(server, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		scheme, hostport, ok := strings.Cut(part, "=")
		if !ok {
			return []netstate.ProxySetting{netstate.ParseProxy(name, part, "all")}
		}
		switch strings.ToLower(scheme) {
		case "http", "https":
			out = append(out, netstate.ParseProxy(name, hostport, strings.ToLower(scheme)))
		case "socks":
			out = append(out, netstate.ParseProxy(name, "socks5://"+hostport, "all"))
		}
	}
	return out
}

// windowsWinHTTPProxy decodes the WinHttpSettings value (HKLM\SOFTWARE\
// Microsoft\Windows\CurrentVersion\Internet Settings\Connections), what
// `netsh winhttp set proxy` writes and services, Windows Update and many
// .NET programs use. Microsoft does not document the blob; its layout, as
// netsh writes it and as WinINet's own DefaultConnectionSettings share:
//
//	u32 version/size, u32 change counter, u32 flags (1 direct, 2 proxy set),
//	u32 proxy length, proxy (ASCII), u32 bypass length, bypass (ASCII), ...
//
// all little-endian. It returns the proxy string ("" when none is set) and
// whether the blob could be read at all.
func windowsWinHTTPProxy(b []byte) (proxy string, ok bool) {
	le := func(off int) (uint32, bool) {
		if off+4 > len(b) {
			return 0, false
		}
		return uint32(b[off]) | uint32(b[off+1])<<8 | uint32(b[off+2])<<16 | uint32(b[off+3])<<24, true
	}
	flags, ok1 := le(8)
	n, ok2 := le(12)
	// Compared as uint64: int(n) of a length of 2 GiB or more is negative
	// on a 32-bit build and would pass a signed comparison.
	if !ok1 || !ok2 || uint64(n) > uint64(len(b)-16) {
		return "", false
	}
	if flags&2 == 0 || n == 0 {
		return "", true // direct access
	}
	return strings.TrimSpace(string(b[16 : 16+int(n)])), true
}

// windowsWinHTTPSettings is windowsProxySettings for the WinHTTP proxy,
// named as such in findings.
func windowsWinHTTPSettings(server string) []netstate.ProxySetting {
	out := windowsProxySettings(server)
	for i := range out {
		out[i].Var = netstate.WinHTTPProxyVar
	}
	return out
}
