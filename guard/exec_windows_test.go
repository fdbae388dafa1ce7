package main

// notExecutable maps what guard run refuses as not executable (exit 126)
// on this OS to the reason it gives: nothing on Windows, which runs files
// by their extension, so a directory or a file without one is not found
// (exit 127).
func notExecutable(dir, file string) map[string]string { return nil }
