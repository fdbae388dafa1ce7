//go:build darwin

package xnu

// Compile-time proof that the layouts and constants above are XNU's, as
// golang.org/x/sys/unix (generated from the SDK's headers with cgo -godefs)
// has them, wherever it has them. Each line indexes a one-element array
// with the difference of two constants: any difference other than zero is
// out of range (or overflows uintptr), so the darwin build, and with it
// the cross vet in CI (GOOS=darwin go vet ./...), fails on drift. These
// tests cannot run on Linux CI; the build is the test.
//
// Not in x/sys, pinned elsewhere: the 32-byte struct ifreq of BIOCSETIF
// (its size is in the ioctl number, bpf_test.go), struct ifmediareq's
// size and ifm_status offset (xnu_test.go, from bsd/net/if.h),
// SIOCGNBRINFO_IN6 and the pcblist_n structs
// (checks/internal/sys/darwin_rib_test.go).

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// Address families.
var (
	_ = [1]struct{}{}[AFInet-unix.AF_INET]
	_ = [1]struct{}{}[AFInet6-unix.AF_INET6]
	_ = [1]struct{}{}[AFLink-unix.AF_LINK]
	_ = [1]struct{}{}[AFRoute-unix.AF_ROUTE]
)

// Message types and version.
var (
	_ = [1]struct{}{}[RTMVersion-unix.RTM_VERSION]
	_ = [1]struct{}{}[RTMAdd-unix.RTM_ADD]
	_ = [1]struct{}{}[RTMDelete-unix.RTM_DELETE]
	_ = [1]struct{}{}[RTMChange-unix.RTM_CHANGE]
	_ = [1]struct{}{}[RTMGet-unix.RTM_GET]
	_ = [1]struct{}{}[RTMResolve-unix.RTM_RESOLVE]
	_ = [1]struct{}{}[RTMNewAddr-unix.RTM_NEWADDR]
	_ = [1]struct{}{}[RTMDelAddr-unix.RTM_DELADDR]
	_ = [1]struct{}{}[RTMIfInfo-unix.RTM_IFINFO]
	_ = [1]struct{}{}[RTMGet2-unix.RTM_GET2]
)

// rtm_addrs bits and their indexes.
var (
	_ = [1]struct{}{}[RTADst-unix.RTA_DST]
	_ = [1]struct{}{}[RTAGateway-unix.RTA_GATEWAY]
	_ = [1]struct{}{}[RTANetmask-unix.RTA_NETMASK]
	_ = [1]struct{}{}[RTAIfp-unix.RTA_IFP]
	_ = [1]struct{}{}[RTAIfa-unix.RTA_IFA]
	_ = [1]struct{}{}[RTABrd-unix.RTA_BRD]
	_ = [1]struct{}{}[RTAXDst-unix.RTAX_DST]
	_ = [1]struct{}{}[RTAXGateway-unix.RTAX_GATEWAY]
	_ = [1]struct{}{}[RTAXNetmask-unix.RTAX_NETMASK]
	_ = [1]struct{}{}[RTAXIfp-unix.RTAX_IFP]
	_ = [1]struct{}{}[RTAXIfa-unix.RTAX_IFA]
	_ = [1]struct{}{}[RTAXBrd-unix.RTAX_BRD]
	_ = [1]struct{}{}[RTAXMax-unix.RTAX_MAX]
)

// rtm_flags and ifm_flags.
var (
	_ = [1]struct{}{}[RTFUp-unix.RTF_UP]
	_ = [1]struct{}{}[RTFGateway-unix.RTF_GATEWAY]
	_ = [1]struct{}{}[RTFHost-unix.RTF_HOST]
	_ = [1]struct{}{}[RTFReject-unix.RTF_REJECT]
	_ = [1]struct{}{}[RTFLLInfo-unix.RTF_LLINFO]
	_ = [1]struct{}{}[RTFBlackhole-unix.RTF_BLACKHOLE]
	_ = [1]struct{}{}[RTFWasCloned-unix.RTF_WASCLONED]
	_ = [1]struct{}{}[RTFLocal-unix.RTF_LOCAL]
	_ = [1]struct{}{}[RTFBroadcast-unix.RTF_BROADCAST]
	_ = [1]struct{}{}[RTFMulticast-unix.RTF_MULTICAST]
	_ = [1]struct{}{}[RTFIfScope-unix.RTF_IFSCOPE]
	_ = [1]struct{}{}[RTFRouter-unix.RTF_ROUTER]
	_ = [1]struct{}{}[IFFUp-unix.IFF_UP]
	_ = [1]struct{}{}[IFFRunning-unix.IFF_RUNNING]
	_ = [1]struct{}{}[SIOCGIFMEDIA-unix.SIOCGIFMEDIA]
)

// struct rt_msghdr and rt_msghdr2: size and every offset we read.
var (
	_ = [1]struct{}{}[SizeofRtMsghdr-unix.SizeofRtMsghdr]
	_ = [1]struct{}{}[SizeofRtMsghdr-unix.SizeofRtMsghdr2]
	_ = [1]struct{}{}[SizeofRtMsghdr-unsafe.Sizeof(unix.RtMsghdr{})]
	_ = [1]struct{}{}[RtmIndexOff-unsafe.Offsetof(unix.RtMsghdr{}.Index)]
	_ = [1]struct{}{}[RtmFlagsOff-unsafe.Offsetof(unix.RtMsghdr{}.Flags)]
	_ = [1]struct{}{}[RtmAddrsOff-unsafe.Offsetof(unix.RtMsghdr{}.Addrs)]
	_ = [1]struct{}{}[RtmPidOff-unsafe.Offsetof(unix.RtMsghdr{}.Pid)]
	_ = [1]struct{}{}[RtmSeqOff-unsafe.Offsetof(unix.RtMsghdr{}.Seq)]
	_ = [1]struct{}{}[RtmErrnoOff-unsafe.Offsetof(unix.RtMsghdr{}.Errno)]
	_ = [1]struct{}{}[RtmExpireOff-(unsafe.Offsetof(unix.RtMsghdr{}.Rmx)+unsafe.Offsetof(unix.RtMsghdr{}.Rmx.Expire))]
	_ = [1]struct{}{}[RtmIndexOff-unsafe.Offsetof(unix.RtMsghdr2{}.Index)]
	_ = [1]struct{}{}[RtmFlagsOff-unsafe.Offsetof(unix.RtMsghdr2{}.Flags)]
	_ = [1]struct{}{}[RtmAddrsOff-unsafe.Offsetof(unix.RtMsghdr2{}.Addrs)]
	_ = [1]struct{}{}[RtmExpireOff-(unsafe.Offsetof(unix.RtMsghdr2{}.Rmx)+unsafe.Offsetof(unix.RtMsghdr2{}.Rmx.Expire))]
)

// struct ifa_msghdr and if_msghdr.
var (
	_ = [1]struct{}{}[SizeofIfaMsghdr-unix.SizeofIfaMsghdr]
	_ = [1]struct{}{}[IfamAddrsOff-unsafe.Offsetof(unix.IfaMsghdr{}.Addrs)]
	_ = [1]struct{}{}[IfamFlagsOff-unsafe.Offsetof(unix.IfaMsghdr{}.Flags)]
	_ = [1]struct{}{}[IfamIndexOff-unsafe.Offsetof(unix.IfaMsghdr{}.Index)]
	_ = [1]struct{}{}[IfmFlagsOff-unsafe.Offsetof(unix.IfMsghdr{}.Flags)]
	_ = [1]struct{}{}[IfmIndexOff-unsafe.Offsetof(unix.IfMsghdr{}.Index)]
)

// sockaddr_in, sockaddr_in6, sockaddr_dl.
var (
	_ = [1]struct{}{}[SizeofSockaddrIn-unix.SizeofSockaddrInet4]
	_ = [1]struct{}{}[SizeofSockaddrIn6-unix.SizeofSockaddrInet6]
	_ = [1]struct{}{}[SizeofSockaddrDl-unix.SizeofSockaddrDatalink]
	_ = [1]struct{}{}[SinAddrOff-unsafe.Offsetof(unix.RawSockaddrInet4{}.Addr)]
	_ = [1]struct{}{}[Sin6AddrOff-unsafe.Offsetof(unix.RawSockaddrInet6{}.Addr)]
	_ = [1]struct{}{}[Sin6ScopeOff-unsafe.Offsetof(unix.RawSockaddrInet6{}.Scope_id)]
	_ = [1]struct{}{}[SdlIndexOff-unsafe.Offsetof(unix.RawSockaddrDatalink{}.Index)]
	_ = [1]struct{}{}[SdlNlenOff-unsafe.Offsetof(unix.RawSockaddrDatalink{}.Nlen)]
	_ = [1]struct{}{}[SdlAlenOff-unsafe.Offsetof(unix.RawSockaddrDatalink{}.Alen)]
	_ = [1]struct{}{}[SdlDataOff-unsafe.Offsetof(unix.RawSockaddrDatalink{}.Data)]
)

// BPF: ioctls, struct bpf_insn, struct bpf_hdr and its alignment. x/sys's
// SizeofBpfHdr is the compiler's padded 20; the kernel's SIZEOF_BPF_HDR is
// the 18 bytes up to the end of bh_hdrlen.
var (
	_ = [1]struct{}{}[BIOCGBLEN-unix.BIOCGBLEN]
	_ = [1]struct{}{}[BIOCSETF-unix.BIOCSETF]
	_ = [1]struct{}{}[BIOCGDLT-unix.BIOCGDLT]
	_ = [1]struct{}{}[BIOCSETIF-unix.BIOCSETIF]
	_ = [1]struct{}{}[BIOCIMMEDIATE-unix.BIOCIMMEDIATE]
	_ = [1]struct{}{}[BIOCSHDRCMPLT-unix.BIOCSHDRCMPLT]
	_ = [1]struct{}{}[BIOCSSEESENT-unix.BIOCSSEESENT]
	_ = [1]struct{}{}[DLTEN10MB-unix.DLT_EN10MB]
	_ = [1]struct{}{}[SizeofBpfInsn-unix.SizeofBpfInsn]
	_ = [1]struct{}{}[SizeofBpfInsn-unsafe.Sizeof(unix.BpfInsn{})]
	_ = [1]struct{}{}[16-unix.SizeofBpfProgram]
	_ = [1]struct{}{}[BPFAlignment-unix.BPF_ALIGNMENT]
	_ = [1]struct{}{}[BhCaplenOff-unsafe.Offsetof(unix.BpfHdr{}.Caplen)]
	_ = [1]struct{}{}[BhDatalenOff-unsafe.Offsetof(unix.BpfHdr{}.Datalen)]
	_ = [1]struct{}{}[BhHdrlenOff-unsafe.Offsetof(unix.BpfHdr{}.Hdrlen)]
	_ = [1]struct{}{}[SizeofBpfHdr-(unsafe.Offsetof(unix.BpfHdr{}.Hdrlen)+unsafe.Sizeof(unix.BpfHdr{}.Hdrlen))]
)
