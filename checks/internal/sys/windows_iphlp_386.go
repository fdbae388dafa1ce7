//go:build windows && 386

package sys

// netguard refuses to build for windows/386. golang.org/x/sys/windows
// declares MibIpInterfaceRow and MibUnicastIpAddressRow, which the
// interface metrics and the watcher's change callbacks read, with
// InterfaceLuid at offsets 4 and 28 on 386, where netioapi.h has 8 and 32
// (Go aligns uint64 to 4 bytes there, C to 8), so every field after it
// would be read 4 bytes off. Build for windows/amd64 or windows/arm64.
// TestWindows386Refused pins this choice.
var _ = netguard_does_not_build_for_windows_386__x_sys_windows_MibIpInterfaceRow_has_InterfaceLuid_at_4_where_C_has_8__build_windows_amd64_or_arm64
