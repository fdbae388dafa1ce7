//go:build windows

package checks

// icmpModes: pro-bing needs its "privileged" mode on Windows, which there
// uses the ICMP API and needs no administrator rights.
func icmpModes(bool) []bool { return []bool{true} }
