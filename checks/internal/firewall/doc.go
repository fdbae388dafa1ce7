// Package firewall reads this machine's local packet filter, read-only,
// into a netstate.FirewallState of output chains and rules: on Linux the
// nftables ruleset over netlink (google/nftables, nft_linux.go) and the
// legacy iptables filter tables (xtables.go); on macOS pf's rules over
// /dev/pf (pf.go); on Windows the Windows Firewall policy store
// (winfw.go) and, as administrator, the Windows Filtering Platform's
// filters (wfp.go). Each OS has one entry, ReadOutput, which the OS layer
// (checks/internal/sys) calls from its OutputFilter method.
//
// It is a package of its own because it is the one job in the OS layers
// that decodes another program's rules rather than the kernel's tables:
// its byte decoders (pfioc_rule, x_tables blobs, FWPM_FILTER0, the
// registry's rule strings) carry no build tag, so they are unit tested
// and fuzzed on Linux, and none of them needs anything of sys.
package firewall
