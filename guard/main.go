// Command guard checks the machine's network stack before a development
// environment starts, repairs what is safe to repair, and otherwise stops
// the start with the exact manual steps. See the README for the contract.
package main

import "os"

func main() { os.Exit(int(run(os.Args[1:], systemIO()))) }
