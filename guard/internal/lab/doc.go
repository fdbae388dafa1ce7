// Package lab builds a small network of Linux network namespaces for
// netguard's integration tests, benchmarks (`mage bench`) and by-hand trials,
// and breaks it on purpose with the kernel's own mechanisms.
//
// New(t, opts...) creates three namespaces joined by veth pairs (options:
// WithoutDNS, ReadyTimeout):
//
//	client (Lab.Client)           router (Lab.Router)                 internet (Lab.Internet)
//	198.18.3.2/24 ── ClientIf ─── RouterLANIf 198.18.3.1/24
//	2001:db8:3::2/64              2001:db8:3::1/64
//	                              RouterWANIf 203.0.113.1/24 ──── InternetIf 203.0.113.5/24
//	                              2001:db8:113::1/64                   2001:db8:113::5/64
//	                                                                   (+ 203.0.113.80, 2001:db8:113::80)
//
// The client has default routes of both families via the router, the router
// forwards both families, and the internet host routes back via the router.
// The internet host runs dnsmasq on 203.0.113.5 and 2001:db8:113::5, port 53,
// UDP and TCP, answering only for lab.test: DNSName (www.lab.test) is
// 203.0.113.80 and 2001:db8:113::80; every other lab.test name is NXDOMAIN.
// Programs run with `ip netns exec <client>` (Cmd, CmdAs, Run, RunAs) see
// /etc/netns/<client>/resolv.conf as /etc/resolv.conf, which names only
// that server. The client allows unprivileged ICMP echo sockets for every
// group (net.ipv4.ping_group_range = 0 2147483647). New returns once the
// client pings the external host over both families and resolves DNSName,
// and registers a cleanup that stops dnsmasq and deletes the namespaces and
// /etc/netns/<client>. Any failure fails the test: a lab that cannot be built
// is an error, never a skip. The lab needs root and the commands ip, nft, sh,
// ping, getent and dnsmasq (Debian: iproute2 nftables iputils-ping
// dnsmasq-base; the seed script also needs traceroute net-tools lsof).
//
// Namespace names are "ng" + 6 random hex digits + "-c", "-r" or "-i", so labs
// of parallel tests and of parallel test processes never collide, and a
// crashed run's leftovers (its dnsmasq dies with it) never block a new lab.
//
// Faults are methods: WrongGatewayMAC, StaleGatewayMAC,
// UnreachableRouteToGateway, RemoveDefaultRoute, LinkDown, StopDNS,
// DisableUnprivICMP, DropICMP, DropTCP, PacketLoss and BlackholeExternal
// (StartDNS undoes StopDNS; a fresh lab undoes the rest). A
// Lab belongs to the test that created it: its methods fail that test (with
// the command and its output) and must be called from its goroutine.
// Snapshot returns the client's neighbor, route, link and address tables as
// stable text, so a test can assert that a read-only command changed nothing.
//
// Tunnel faults (LiveTunnel, DeadTunnel, WGQuickTunnel) run the real
// wg-quick, which falls back to wireguard-go (needs wireguard-tools and
// wireguard-go); the daemons and their sockets in the host-wide
// /var/run/wireguard go with the lab.
//
// PrivateRun runs a Cmd or CmdAs command in a mount namespace of its own
// with RunDir bound over /run (WriteRunFile writes there; ResolvedStub
// writes systemd-resolved's upstream list), since `ip netns exec` gives a
// namespace its own files only under /etc.
//
// Cmd and Run run a program as root in a namespace, CmdAs and RunAs as an
// unprivileged user (normally "nobody", through setpriv, no capabilities),
// in Lab.Dir with no NETGUARD_* variables and an empty XDG_CONFIG_HOME. The
// user must be able to reach the binary: put it in a directory that is mode
// 0755 all the way up, as Build does (t.TempDir is 0700 and is not).
// RunCmd runs such a command and captures its output and exit code; Capture
// does the same without a testing.TB, for other goroutines. Build compiles
// the real guard binary once per test process, BuildPreflight,
// BuildPhyslimit and BuildMage their programs (RemoveBuild, from TestMain,
// deletes them; otherwise a later Build sweeps them). SeedScript
// writes out the embedded testdata/seed-check.sh, the baseline that
// benchmarks run in the same lab.
//
// Every command the lab runs is bounded by a timeout, and every packet stays
// inside the lab's own namespaces.
//
// The package is internal to guard/ because it is test infrastructure (it
// imports testing): only guard's tests and benchmarks use it, so the lab
// tests of the hooks and of the examples live in guard/ too.
package lab
