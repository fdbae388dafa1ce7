// Package netstate is the vocabulary of what netguard observes: the state
// of links, routes and neighbors, probe and name-server results, the local
// state (proxies, ports, hosts file, clock), how errors are classed, and
// the interfaces the OS layer and the prober implement. It imports only
// the standard library so the OS layer, the prober, the diagnosis and the
// engine can all depend on it without depending on each other.
package netstate
