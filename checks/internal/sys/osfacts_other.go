//go:build !darwin

package sys

// LocalNetworkPrivacy is false: this OS has no per-app local network
// permission.
const LocalNetworkPrivacy = false
