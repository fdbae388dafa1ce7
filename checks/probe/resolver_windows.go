//go:build windows

package probe

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"time"
	"unsafe"

	"github.com/netguard/netguard/checks/netstate"
	"golang.org/x/sys/windows"
)

// readResolverConfig lists the per-interface DNS servers of the adapters
// that are up, the one with the lowest interface metric first: the DNS
// client asks the preferred interface's servers first. There is no
// resolv.conf on Windows; path is ignored. The per-domain resolvers are
// the NRPT's rules.
func readResolverConfig(string, string) netstate.ResolverConfig {
	c := netstate.ResolverConfig{Source: "GetAdaptersAddresses", Found: true, Timeout: time.Second, Attempts: 1}
	// The NRPT's rules send their domains' names to their own servers,
	// whatever the adapters list.
	c.Scoped = readNRPT()
	const flags = windows.GAA_FLAG_SKIP_ANYCAST | windows.GAA_FLAG_SKIP_MULTICAST | windows.GAA_FLAG_SKIP_UNICAST
	size := uint32(15 << 10)
	var aa *windows.IpAdapterAddresses
	for {
		buf := make([]byte, size)
		aa = (*windows.IpAdapterAddresses)(unsafe.Pointer(&buf[0]))
		err := windows.GetAdaptersAddresses(windows.AF_UNSPEC, flags, 0, aa, &size)
		if err == nil {
			break
		}
		if errors.Is(err, windows.ERROR_NO_DATA) {
			return c
		}
		if !errors.Is(err, windows.ERROR_BUFFER_OVERFLOW) || size <= uint32(len(buf)) {
			c.Err = fmt.Errorf("GetAdaptersAddresses: %w", err)
			return c
		}
	}
	type adapter struct {
		metric  uint32
		servers []netip.AddrPort
		suffix  string
	}
	var ads []adapter
	for a := aa; a != nil; a = a.Next {
		if a.OperStatus != windows.IfOperStatusUp || a.IfType == windows.IF_TYPE_SOFTWARE_LOOPBACK {
			continue
		}
		// The connection-specific DNS suffix is what a VPN sets with its
		// resolver (the search list's per-adapter part).
		ad := adapter{metric: a.Ipv4Metric, suffix: windows.UTF16PtrToString(a.DnsSuffix)}
		for d := a.FirstDnsServerAddress; d != nil; d = d.Next {
			ip, ok := netip.AddrFromSlice(d.Address.IP())
			// fec0:0:0:ffff::1-3 are the site-local placeholders Windows
			// lists on adapters without IPv6 DNS; nothing answers there.
			if !ok || (ip.Is6() && ip.As16()[0] == 0xfe && ip.As16()[1] == 0xc0) {
				continue
			}
			ad.servers = append(ad.servers, netip.AddrPortFrom(ip.Unmap(), 53))
		}
		if len(ad.servers) > 0 {
			ads = append(ads, ad)
		}
	}
	slices.SortStableFunc(ads, func(x, y adapter) int { return int(x.metric) - int(y.metric) })
	for _, ad := range ads {
		for _, s := range ad.servers {
			if !slices.Contains(c.Servers, s) {
				c.Servers = append(c.Servers, s)
			}
		}
		if ad.suffix != "" && !slices.Contains(c.Search, ad.suffix) {
			c.Search = append(c.Search, ad.suffix)
		}
	}
	return c
}
