//go:build mage

package main

import "os"

// rootOwned is false on Windows, which has no root: release:snapshot,
// its one caller, refuses to run there before it gets this far.
func rootOwned(fi os.FileInfo) bool { return false }
