// Package watch keeps re-checking the network stack while a developer
// works: on every relevant link, address, route or neighbor change the OS
// reports (debounced), on an interval, and sooner while something is wrong.
// It decides what a state change is (the verdict or the set of finding
// IDs), holds repairs back with an exponential backoff and a cap so a
// repair that does not hold is never retried in a loop, and provides what
// `guard watch` needs around that: a size-rotated JSON-lines log, a
// per-user lock, the per-OS state directory and Prometheus metrics.
//
// The OS seam is Source (events_<goos>.go): Linux listens on one rtnetlink
// socket, macOS on a routing socket, Windows registers iphlpapi change
// callbacks, and other systems have no source (interval only). Everything
// that decides (Filter, Debouncer, Fingerprint, Backoff) is pure and driven
// by times passed in, so it is unit-tested without a network or a clock.
//
// Nothing here prints, reads the environment or exits: the CLI (guard)
// does, from the Results a Watcher hands it.
package watch
