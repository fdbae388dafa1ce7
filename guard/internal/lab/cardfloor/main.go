// Command cardfloor is the benchmark's start-up floor: a program that links the libraries guard must keep, pro-bing
// for ICMP and charmbracelet/log for its output (with go-isatty), and does
// nothing. Go runs the init of every package a program links before main,
// whatever main then does, and these two bring net/http, crypto/tls and
// the terminal-width tables with them: no guard can start and exit faster
// than this, before it has done any of the work.
package main

import (
	_ "github.com/charmbracelet/log"
	_ "github.com/mattn/go-isatty"
	_ "github.com/prometheus-community/pro-bing"
)

func main() {}
