// Command guard checks the machine's network stack before a development
// environment starts, repairs what is safe to repair, and otherwise stops
// the start with the exact manual steps. See the README for the contract.
package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

func main() { os.Exit(int(safeRun(os.Args[1:], systemIO()))) }

// safeRun is run with a last line of defence: a panic that slips through
// becomes one line on stderr and exitInternal. Go's own exit status for a
// panic is 2, which hooks and scripts read as a usage error ("fix your
// flags"), the wrong thing to tell anyone about a bug in guard.
func safeRun(args []string, sys *IO) (code exitCode) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(sys.ErrOut, "guard: internal error: %s (a bug in guard; please report it with the command line)\n", panicLine(r))
			code = exitInternal
		}
	}()
	return run(args, sys)
}

// panicLine is a panic value as one printable line: it may hold input.
func panicLine(r any) string {
	s := fmt.Sprint(r)
	q := strconv.Quote(s)
	if q[1:len(q)-1] == s && !strings.ContainsAny(s, "\n\r") {
		return s
	}
	return q
}
