package sys

import (
	"strings"

	"github.com/netguard/netguard/checks"
)

// windowsProxySettings parses the ProxyServer value of the Windows
// Internet Settings: one host:port for every scheme, or per scheme
// "http=h:p;https=h:p;socks=h:p". Pure, so it is tested on any OS.
func windowsProxySettings(server string) []checks.ProxySetting {
	const name = "Windows proxy (Internet Settings)"
	var out []checks.ProxySetting
	for _, part := range strings.Split(server, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		scheme, hostport, ok := strings.Cut(part, "=")
		if !ok {
			return []checks.ProxySetting{checks.ParseProxy(name, part, "all")}
		}
		switch strings.ToLower(scheme) {
		case "http", "https":
			out = append(out, checks.ParseProxy(name, hostport, strings.ToLower(scheme)))
		case "socks":
			out = append(out, checks.ParseProxy(name, "socks5://"+hostport, "all"))
		}
	}
	return out
}
