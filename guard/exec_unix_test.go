//go:build !windows

package main

// notExecutable maps what guard run refuses as not executable (exit 126)
// on this OS to the reason it gives: a directory, and a file without
// execute permission.
func notExecutable(dir, file string) map[string]string {
	return map[string]string{dir: "is a directory", file: "permission denied"}
}
