//go:build windows

package watch

import (
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/windows"
)

// winSource registers iphlpapi change callbacks for interfaces, unicast
// addresses and routes of both families. Windows calls them on its own
// thread pool; they hand the change to Receive through a channel and never
// block.
//
// Windows has no notification for the neighbor (ARP/NDP) cache (there is
// no NotifyIpNetEntryChange): the watcher reads the gateway's own entry
// every couple of seconds instead (GetIpNetEntry2, see gatewayPoll), so a
// gateway MAC that changes without any interface or route change is still
// seen within seconds.
type winSource struct {
	ch       chan Change
	closed   chan struct{}
	once     sync.Once
	overflow atomic.Bool
	handles  []windows.Handle
}

var _ Source = (*winSource)(nil)

// Callbacks made with windows.NewCallback are never freed and their number
// is limited, so the three are made once and dispatch to every open source.
var (
	callbacksOnce                  sync.Once
	ifCallback, addrCallback, rtCB uintptr

	sourcesMu sync.Mutex
	sources   = map[*winSource]bool{}
)

func makeCallbacks() {
	ifCallback = windows.NewCallback(func(_ uintptr, row *windows.MibIpInterfaceRow, typ uint32) uintptr {
		c := Change{Kind: KindLink, Deleted: typ == windows.MibDeleteInstance}
		if row != nil {
			c.IfIndex = int(row.InterfaceIndex)
		}
		c.Detail = fmt.Sprintf("link %d %s", c.IfIndex, notifVerb(typ))
		deliver(c)
		return 0
	})
	addrCallback = windows.NewCallback(func(_ uintptr, row *windows.MibUnicastIpAddressRow, typ uint32) uintptr {
		c := Change{Kind: KindAddr, Deleted: typ == windows.MibDeleteInstance}
		if row != nil {
			c.IfIndex = int(row.InterfaceIndex)
			if a := sockaddrInetAddr(&row.Address); a.IsValid() && int(row.OnLinkPrefixLength) <= a.BitLen() {
				c.Addr = netip.PrefixFrom(a, int(row.OnLinkPrefixLength))
			}
		}
		c.Detail = fmt.Sprintf("address %s %s on %d", notifVerb(typ), c.Addr, c.IfIndex)
		deliver(c)
		return 0
	})
	rtCB = windows.NewCallback(func(_ uintptr, row *windows.MibIpForwardRow2, typ uint32) uintptr {
		c := Change{Kind: KindRoute, Deleted: typ == windows.MibDeleteInstance}
		if row != nil {
			c.IfIndex = int(row.InterfaceIndex)
		}
		c.Detail = fmt.Sprintf("route %s on %d", notifVerb(typ), c.IfIndex)
		deliver(c)
		return 0
	})
}

func notifVerb(typ uint32) string {
	switch typ {
	case windows.MibAddInstance:
		return "new"
	case windows.MibDeleteInstance:
		return "del"
	}
	return "change"
}

// sockaddrInetAddr reads a SOCKADDR_INET union, which x/sys declares with
// its IPv6 layout.
func sockaddrInetAddr(sa *windows.RawSockaddrInet6) netip.Addr {
	switch sa.Family {
	case windows.AF_INET:
		sa4 := (*windows.RawSockaddrInet4)(unsafe.Pointer(sa))
		return netip.AddrFrom4(sa4.Addr)
	case windows.AF_INET6:
		return netip.AddrFrom16(sa.Addr)
	}
	return netip.Addr{}
}

func deliver(c Change) {
	sourcesMu.Lock()
	defer sourcesMu.Unlock()
	for s := range sources {
		select {
		case s.ch <- c:
		default:
			s.overflow.Store(true) // Receive reports a resync
		}
	}
}

func newSource() (Source, error) {
	callbacksOnce.Do(makeCallbacks)
	s := &winSource{ch: make(chan Change, 256), closed: make(chan struct{})}
	sourcesMu.Lock()
	sources[s] = true
	sourcesMu.Unlock()
	for _, reg := range []struct {
		name string
		f    func(uint16, uintptr, unsafe.Pointer, bool, *windows.Handle) error
		cb   uintptr
	}{
		{"NotifyIpInterfaceChange", windows.NotifyIpInterfaceChange, ifCallback},
		{"NotifyUnicastIpAddressChange", windows.NotifyUnicastIpAddressChange, addrCallback},
		{"NotifyRouteChange2", windows.NotifyRouteChange2, rtCB},
	} {
		var h windows.Handle
		if err := reg.f(windows.AF_UNSPEC, reg.cb, nil, false, &h); err != nil {
			s.Close()
			return nil, fmt.Errorf("%s: %w", reg.name, err)
		}
		s.handles = append(s.handles, h)
	}
	return s, nil
}

func (s *winSource) Receive() (Change, error) {
	if s.overflow.Swap(false) {
		return Change{Kind: KindResync, Detail: "change notifications overflowed"}, nil
	}
	select {
	case c := <-s.ch:
		return c, nil
	case <-s.closed:
		return Change{}, ErrClosed
	}
}

// Close cancels the registrations. CancelMibChangeNotify2 waits for
// callbacks in progress, so it runs without sourcesMu held.
func (s *winSource) Close() error {
	var err error
	s.once.Do(func() {
		for _, h := range s.handles {
			if e := windows.CancelMibChangeNotify2(h); e != nil {
				err = errors.Join(err, fmt.Errorf("CancelMibChangeNotify2: %w", e))
			}
		}
		sourcesMu.Lock()
		delete(sources, s)
		sourcesMu.Unlock()
		close(s.closed)
	})
	return err
}
