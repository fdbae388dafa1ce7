//go:build darwin

package sys

// LocalNetworkPrivacy is true: macOS 15+ can deny an app the local network
// (Privacy & Security › Local Network); the refusal is EHOSTUNREACH.
const LocalNetworkPrivacy = true
