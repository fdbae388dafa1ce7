//go:build mage && !windows

package main

import (
	"os"
	"syscall"
)

// rootOwned reports whether fi belongs to uid 0 and gid 0.
func rootOwned(fi os.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && st.Uid == 0 && st.Gid == 0
}
