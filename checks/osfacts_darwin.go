//go:build darwin

package checks

// localNetworkPrivacy: macOS 15+ can deny an app the local network
// (Privacy & Security › Local Network); the refusal is EHOSTUNREACH.
const localNetworkPrivacy = true
