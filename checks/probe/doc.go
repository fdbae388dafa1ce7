// Package probe is the real netstate.Prober: it sends the reachability and
// DNS probes a check needs and reports what it saw, never deciding
// anything (diagnose.Diagnose does).
//
//   - ICMP echo (pro-bing), unprivileged datagram sockets first, raw ones
//     as root (icmp_*.go); a refusal is reported as NoPermission, which
//     means "not measured", never "unreachable".
//   - TCP connects to a few ports in parallel; a refusal is an answer.
//   - The DNS client (dns.go): one query to each configured server
//     directly, plus the system resolver's own lookup.
//   - Probes bound to one interface (probe_via.go, bind_*.go) and the
//     path-MTU echo with don't-fragment set (probe_pmtu_*.go).
//   - The resolver configuration (resolv.conf and systemd-resolved's
//     upstreams; the adapters on Windows), read once per run and shared
//     by the DNS probe and the engine's path tracing (NameServers).
//
// The engine owns deadlines: every probe runs until it has an answer or
// its context is done. checks.New wires Default into the engine; tests
// use checkstest's fake instead, and this package's own tests probe
// loopback only.
package probe
