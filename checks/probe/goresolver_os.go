//go:build (cgo && !netgo) || darwin || ios || windows

package probe

// goResolver: the OS's resolver may answer names (cgo, macOS, Windows); it
// sends its queries itself, unseen by Resolver.Dial.
const goResolver = false
