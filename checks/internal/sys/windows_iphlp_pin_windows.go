//go:build windows

package sys

// Compile-time proof that the mirrors and constants of windows_iphlp.go are
// the ones golang.org/x/sys/windows declares, wherever it declares them.
// Each line indexes a one-element array with the difference of two
// constants; any difference but zero fails the windows build and the cross
// vet in CI (GOOS=windows go vet ./...). What x/sys lacks (MIB_IPNET_ROW2,
// the owner-PID rows, NL_NEIGHBOR_STATE, the table classes) is pinned to
// the C headers' numbers in windows_iphlp_test.go. windows/386 does not
// build at all (windows_iphlp_386.go).

import (
	"unsafe"

	"golang.org/x/sys/windows"
)

// Address families, interface types, operational status.
var (
	_ = [1]struct{}{}[windowsAFUnspec-windows.AF_UNSPEC]
	_ = [1]struct{}{}[windowsAFInet-windows.AF_INET]
	_ = [1]struct{}{}[windowsAFInet6-windows.AF_INET6]
	_ = [1]struct{}{}[windowsIfTypePPP-windows.IF_TYPE_PPP]
	_ = [1]struct{}{}[windowsIfTypeLoopback-windows.IF_TYPE_SOFTWARE_LOOPBACK]
	_ = [1]struct{}{}[windowsIfTypeTunnel-windows.IF_TYPE_TUNNEL]
	_ = [1]struct{}{}[windowsIfOperStatusUp-windows.IfOperStatusUp]
)

// SOCKADDR_INET and IP_ADDRESS_PREFIX.
var (
	_ = [1]struct{}{}[unsafe.Sizeof(windowsSockaddrInet{})-unsafe.Sizeof(windows.RawSockaddrInet{})]
	_ = [1]struct{}{}[unsafe.Alignof(windowsSockaddrInet{})-unsafe.Alignof(windows.RawSockaddrInet{})]
	_ = [1]struct{}{}[unsafe.Offsetof(windowsSockaddrInet{}.Family)-unsafe.Offsetof(windows.RawSockaddrInet{}.Family)]
	_ = [1]struct{}{}[unsafe.Offsetof(windowsSockaddrInet{}.Port)-unsafe.Offsetof(windows.RawSockaddrInet{}.Port)]
	_ = [1]struct{}{}[unsafe.Offsetof(windowsSockaddrInet{}.Data)-unsafe.Offsetof(windows.RawSockaddrInet{}.Data)]
	_ = [1]struct{}{}[unsafe.Sizeof(windowsSockaddrInet{})-28] // ws2ipdef.h
	_ = [1]struct{}{}[unsafe.Sizeof(windowsIPAddressPrefix{})-unsafe.Sizeof(windows.IpAddressPrefix{})]
	_ = [1]struct{}{}[unsafe.Offsetof(windowsIPAddressPrefix{}.PrefixLength)-unsafe.Offsetof(windows.IpAddressPrefix{}.PrefixLength)]
)

// MIB_IPFORWARD_ROW2, field by field, and the table around it.
var (
	_ = [1]struct{}{}[unsafe.Sizeof(windowsIPForwardRow2{})-unsafe.Sizeof(windows.MibIpForwardRow2{})]
	_ = [1]struct{}{}[unsafe.Offsetof(windowsIPForwardRow2{}.InterfaceLuid)-unsafe.Offsetof(windows.MibIpForwardRow2{}.InterfaceLuid)]
	_ = [1]struct{}{}[unsafe.Offsetof(windowsIPForwardRow2{}.InterfaceIndex)-unsafe.Offsetof(windows.MibIpForwardRow2{}.InterfaceIndex)]
	_ = [1]struct{}{}[unsafe.Offsetof(windowsIPForwardRow2{}.DestinationPrefix)-unsafe.Offsetof(windows.MibIpForwardRow2{}.DestinationPrefix)]
	_ = [1]struct{}{}[unsafe.Offsetof(windowsIPForwardRow2{}.NextHop)-unsafe.Offsetof(windows.MibIpForwardRow2{}.NextHop)]
	_ = [1]struct{}{}[unsafe.Offsetof(windowsIPForwardRow2{}.SitePrefixLength)-unsafe.Offsetof(windows.MibIpForwardRow2{}.SitePrefixLength)]
	_ = [1]struct{}{}[unsafe.Offsetof(windowsIPForwardRow2{}.ValidLifetime)-unsafe.Offsetof(windows.MibIpForwardRow2{}.ValidLifetime)]
	_ = [1]struct{}{}[unsafe.Offsetof(windowsIPForwardRow2{}.PreferredLifetime)-unsafe.Offsetof(windows.MibIpForwardRow2{}.PreferredLifetime)]
	_ = [1]struct{}{}[unsafe.Offsetof(windowsIPForwardRow2{}.Metric)-unsafe.Offsetof(windows.MibIpForwardRow2{}.Metric)]
	_ = [1]struct{}{}[unsafe.Offsetof(windowsIPForwardRow2{}.Protocol)-unsafe.Offsetof(windows.MibIpForwardRow2{}.Protocol)]
	_ = [1]struct{}{}[unsafe.Offsetof(windowsIPForwardRow2{}.Loopback)-unsafe.Offsetof(windows.MibIpForwardRow2{}.Loopback)]
	_ = [1]struct{}{}[unsafe.Offsetof(windowsIPForwardRow2{}.AutoconfigureAddress)-unsafe.Offsetof(windows.MibIpForwardRow2{}.AutoconfigureAddress)]
	_ = [1]struct{}{}[unsafe.Offsetof(windowsIPForwardRow2{}.Publish)-unsafe.Offsetof(windows.MibIpForwardRow2{}.Publish)]
	_ = [1]struct{}{}[unsafe.Offsetof(windowsIPForwardRow2{}.Immortal)-unsafe.Offsetof(windows.MibIpForwardRow2{}.Immortal)]
	_ = [1]struct{}{}[unsafe.Offsetof(windowsIPForwardRow2{}.Age)-unsafe.Offsetof(windows.MibIpForwardRow2{}.Age)]
	_ = [1]struct{}{}[unsafe.Offsetof(windowsIPForwardRow2{}.Origin)-unsafe.Offsetof(windows.MibIpForwardRow2{}.Origin)]
	// On 64-bit Windows x/sys's table puts the rows where C does (8); our
	// mirror's explicit pad keeps them there on every GOARCH.
	_ = [1]struct{}{}[unsafe.Offsetof(windowsIPForwardTable2{}.Table)-unsafe.Offsetof(windows.MibIpForwardTable2{}.Table)]
	_ = [1]struct{}{}[unsafe.Offsetof(windowsIPNetTable2{}.Table)-unsafe.Offsetof(windows.MibIpForwardTable2{}.Table)]
)

// What the watcher and the interface metrics read from x/sys's own rows
// (MIB_IPINTERFACE_ROW, MIB_UNICASTIPADDRESS_ROW), at C's offsets
// (netioapi.h): InterfaceLuid 8/32, InterfaceIndex 16/40,
// OnLinkPrefixLength 60. These are the rows windows/386 gets wrong.
var (
	_ = [1]struct{}{}[unsafe.Offsetof(windows.MibIpInterfaceRow{}.InterfaceLuid)-8]
	_ = [1]struct{}{}[unsafe.Offsetof(windows.MibIpInterfaceRow{}.InterfaceIndex)-16]
	_ = [1]struct{}{}[unsafe.Offsetof(windows.MibUnicastIpAddressRow{}.InterfaceLuid)-32]
	_ = [1]struct{}{}[unsafe.Offsetof(windows.MibUnicastIpAddressRow{}.InterfaceIndex)-40]
	_ = [1]struct{}{}[unsafe.Offsetof(windows.MibUnicastIpAddressRow{}.OnLinkPrefixLength)-60]
)
