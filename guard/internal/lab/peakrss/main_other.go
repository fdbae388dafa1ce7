//go:build !unix

// Command peakrss is Unix-only: the lab it serves runs on Linux.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "peakrss: Unix only")
	os.Exit(2)
}
