//go:build (cgo && !netgo) || darwin || ios || windows

package probe

// goResolver is false: the OS's resolver may answer names (cgo, macOS,
// Windows), and it sends its queries itself, unseen by Resolver.Dial.
const goResolver = false
