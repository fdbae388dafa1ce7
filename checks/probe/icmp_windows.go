//go:build windows

package probe

// icmpModes offers only pro-bing's "privileged" (raw socket) mode: the only
// one it supports on Windows. Where the OS refuses it without elevation, the
// probe reports NoPermission and the TCP probe decides: never "unreachable".
func icmpModes(bool) []bool { return []bool{true} }
