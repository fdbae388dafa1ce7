package xnu

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

// The kernel-control socket list, sysctl net.systm.kctl.pcblist
// (xnu-11417.121.6 bsd/kern/kern_control.c kctl_pcblist): a struct
// xsystmgen, then per socket a run of items, each starting {u32 len; u32
// kind} and padded to 8 bytes (ROUNDUP64): xkctlpcb, xsocket_n, two
// xsockbuf_n and xsockstat_n; then a closing xsystmgen. Any user may read
// it. Offsets we read:
//
//	xsystmgen (32, bsd/sys/sys_domain.h, natural alignment): 0 u32 xg_len,
//	          4 padding (zero: the kernel bzeroes it), 8 u64 xg_count,
//	          16 u64 xg_gen, 24 u64 xg_sogen
//	xkctlpcb (128, bsd/sys/kern_control.h): 0 u32 len, 4 u32 kind
//	          (XSO_KCB), 8 u64 kctpcb, 16 u32 xkp_unit (the socket's
//	          sc_unit), 20 u32 kctlid, 24 u64 kctlref, 32 char
//	          xkp_kctlname[96] (MAX_KCTL_NAME)
//	xsocket_n (104, bsd/sys/socketvar.h, #pragma pack(4)): 64 uid_t
//	          so_uid, 68 pid so_last_pid, 72 pid so_e_pid, 76 u64 so_gencnt
//
// The closing xsystmgen is told from an item by its kind word, which is
// padding and zero: its length (32) is also xsockbuf_n's.
const (
	XSOSocket = 0x001
	XSORcvBuf = 0x002
	XSOSndBuf = 0x004
	XSOStats  = 0x008
	XSOKCB    = 0x080

	// XSOAllKCB is every item kctl_pcblist writes for one socket.
	XSOAllKCB = XSOKCB | XSOSocket | XSORcvBuf | XSOSndBuf | XSOStats

	SizeofXsystmgen = 32
	SizeofXkctlpcb  = 128
	SizeofXsocketN  = 104
	MaxKctlName     = 96

	// The kernel controls behind utunN and ipsecN (bsd/net/if_utun.h,
	// bsd/net/if_ipsec.h). A socket connected to unit U is device U-1
	// (if_utun.c: snprintf(..., "utun%d", pcb->utun_unit - 1)).
	UtunControl  = "com.apple.net.utun_control"
	IpsecControl = "com.apple.net.ipsec_control"
)

// KctlPCB is one kernel-control socket.
type KctlPCB struct {
	// Control is the kernel control's name (com.apple.net.utun_control).
	Control string
	// Unit is the control unit the socket is connected to.
	Unit uint32
	UID  uint32
	// LastPID is the last process that used the socket; EPID the one it
	// acts for when a daemon was delegated (0 when none).
	LastPID, EPID int32
}

// ParseKctlPcblist decodes net.systm.kctl.pcblist. Items are found by
// kind, not by position, the way netstat(1) walks them, so a grown struct
// (a longer len) does not shift what we read; a socket freed during the
// copy (so_gencnt newer than the list's) is left out.
func ParseKctlPcblist(b []byte) ([]KctlPCB, error) {
	le := binary.LittleEndian
	if len(b) < SizeofXsystmgen {
		return nil, fmt.Errorf("kctl pcblist of %d bytes: %w", len(b), ErrTruncated)
	}
	hl := int(le.Uint32(b))
	if hl < SizeofXsystmgen || hl > len(b) {
		return nil, fmt.Errorf("kctl pcblist header length %d of %d bytes: %w", hl, len(b), ErrTruncated)
	}
	sogen := le.Uint64(b[24:])
	var out []KctlPCB
	var kcb, so []byte
	which := 0
	for off := roundup64(hl); off < len(b); {
		if len(b)-off < 8 {
			return out, fmt.Errorf("kctl pcblist item at %d: %w", off, ErrTruncated)
		}
		n, kind := int(le.Uint32(b[off:])), int(le.Uint32(b[off+4:]))
		if kind == 0 { // the closing xsystmgen
			break
		}
		if n < 8 || n > len(b)-off {
			return out, fmt.Errorf("kctl pcblist item at %d: length %d of %d: %w", off, n, len(b)-off, ErrTruncated)
		}
		item := b[off : off+n]
		off += roundup64(n)
		if kind == XSOKCB {
			which, kcb, so = 0, nil, nil // a new socket starts
		}
		if which&kind != 0 {
			continue // a kind twice in one record: ignore, as netstat does
		}
		which |= kind
		switch kind {
		case XSOKCB:
			kcb = item
		case XSOSocket:
			so = item
		}
		if which&XSOAllKCB != XSOAllKCB {
			continue
		}
		which = 0
		if len(kcb) < SizeofXkctlpcb || len(so) < SizeofXsocketN {
			return out, fmt.Errorf("kctl pcblist record %d: items shorter than xnu's: %w", len(out)+1, ErrTruncated)
		}
		if g := le.Uint64(so[76:]); g > sogen && sogen != 0 {
			continue
		}
		name := kcb[32 : 32+MaxKctlName]
		if i := bytes.IndexByte(name, 0); i >= 0 {
			name = name[:i]
		}
		out = append(out, KctlPCB{
			Control: string(name),
			Unit:    le.Uint32(kcb[16:]),
			UID:     le.Uint32(so[64:]),
			LastPID: int32(le.Uint32(so[68:])),
			EPID:    int32(le.Uint32(so[72:])),
		})
	}
	return out, nil
}

// TunControl returns the kernel control and unit a utunN or ipsecN device
// is reached through: N+1 of com.apple.net.utun_control or
// com.apple.net.ipsec_control. ok is false for any other name.
func TunControl(ifName string) (control string, unit uint32, ok bool) {
	for _, c := range []struct{ prefix, control string }{{"utun", UtunControl}, {"ipsec", IpsecControl}} {
		num, found := strings.CutPrefix(ifName, c.prefix)
		if !found || num == "" || (len(num) > 1 && num[0] == '0') {
			continue
		}
		n, err := strconv.ParseUint(num, 10, 31)
		if err != nil {
			return "", 0, false
		}
		return c.control, uint32(n) + 1, true
	}
	return "", 0, false
}

// roundup64 is XNU's ROUNDUP64 (bsd/sys/socketvar.h): n rounded up to a
// multiple of 8.
func roundup64(n int) int { return (n + 7) &^ 7 }
