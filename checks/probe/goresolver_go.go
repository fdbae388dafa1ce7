//go:build (!cgo || netgo) && !darwin && !ios && !windows

package probe

// goResolver is true: the net package resolves names with Go's own resolver (a
// build without cgo off macOS and Windows), which dials name servers
// through Resolver.Dial, so a lookup that never dialled never sent.
const goResolver = true
