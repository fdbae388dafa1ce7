//go:build windows

package probe

// icmpModes: pro-bing supports only its "privileged" (raw socket) mode on
// Windows. Where the OS refuses it without elevation, the probe reports
// NoPermission and the TCP probe decides: never "unreachable".
func icmpModes(bool) []bool { return []bool{true} }
