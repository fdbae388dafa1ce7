// Command physlimit is the benchmark's physical limit of a healthy check:
// the same work as guard's healthy path done with bare system
// calls on one thread, nothing else. A route dump and a neighbor dump over
// one netlink socket, one ICMP echo to the gateway and one to an external
// host, one DNS query to the first name server, all sent at once and
// awaited with one poll loop. It diagnoses and prints nothing: what guard
// spends beyond it is guard's own cost.
//
//	physlimit GATEWAY EXTERNAL NAME   exit 0 when everything answered
package main

import "os"

func main() { os.Exit(run(os.Args[1:])) }
