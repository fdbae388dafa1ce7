//go:build !linux && !darwin && !windows

package watch

// newSource returns ErrNoSource, so the watcher runs on its interval only:
// the BSDs have routing sockets too, but netguard's OS layer does not read
// their tables (checks/internal/sys/system_other.go), so there is nothing a
// change could make us see differently.
// TODO(netguard): share the routing-socket parser once the BSDs have an
// OS layer.
func newSource() (Source, error) { return nil, ErrNoSource }
