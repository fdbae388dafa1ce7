// Package neighprobe asks the link directly who holds an address: the RFC
// 5227 ARP probe of one of this host's own IPv4 addresses (ProbeAddress:
// does another machine claim it?) and the solicitation of a gateway's
// hardware address (Solicit: ARP requests, and on Linux neighbor
// solicitations for IPv6), gathering every answer until ctx ends. Both
// need root: a packet socket (mdlayher/arp) or a raw ICMPv6 socket
// (mdlayher/ndp) on Linux, a BPF device on macOS; Windows has neither.
// The OS layer (checks/internal/sys) calls ProbeAddress and Solicit from
// its methods of the same names.
//
// ARP and NDP are one package because they are one flow: the same
// resends, window and judgement of what came back (resend, gather and the
// answer rules of solicit_answers.go) serve both. It is a package of its
// own because it sends frames and judges the LAN's answers rather than
// reading the kernel's tables; its frame parser and answer rules carry no
// build tag, so they are tested and fuzzed on Linux, and none of it needs
// anything of sys.
package neighprobe
