// Command preflight is the benchmark's minimal parallel pre-flight; it is
// built on Linux only (see main.go).
package main
