//go:build !darwin

package sys

// LocalNetworkPrivacy: no per-app local network permission on this OS.
const LocalNetworkPrivacy = false
