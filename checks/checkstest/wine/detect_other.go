//go:build !windows

package wine

// Version is Wine's version and true when this process runs under Wine;
// only a Windows build can.
func Version() (string, bool) { return "", false }
