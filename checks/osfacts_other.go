//go:build !darwin

package checks

// localNetworkPrivacy: no per-app local network permission on this OS.
const localNetworkPrivacy = false
