//go:build darwin

package neighprobe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"runtime"
	"strconv"
	"time"
	"unsafe"

	"github.com/netguard/netguard/checks/internal/xnu"
	"github.com/netguard/netguard/checks/netstate"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// ProbeAddress sends RFC 5227 ARP probes for a on l through a BPF device,
// as root, and gathers every claim of a by another MAC until ctx ends.
func ProbeAddress(ctx context.Context, l netstate.Link, a netip.Addr) ([]netstate.NeighborAnswer, error) {
	return probeAddress(ctx, l, a, openBPF)
}

// Solicit asks an IPv4 gateway's MAC on l with ARP requests through a BPF
// device, as root, and gathers every answer addressed to this host until
// ctx ends. The kernel sees the replies too and keeps a permanent entry
// (in_arp.c logs "attempts to modify permanent entry"), the only kind the
// engine solicits for. IPv6 is not asked and gets ErrUnsupported at once:
// xnu's nd6_na_input (bsd/netinet6/nd6_nbr.c) writes an overriding
// advertisement's address over a static entry, so the gateway's answer
// could change the very entry being judged; an IPv6 pin is judged on
// traffic alone.
func Solicit(ctx context.Context, l netstate.Link, ip netip.Addr) ([]netstate.NeighborAnswer, error) {
	if !ip.Is4() {
		return nil, fmt.Errorf("solicit %s on %s: %w", ip, l.Name, netstate.ErrUnsupported)
	}
	ifi, err := net.InterfaceByIndex(l.Index)
	if err != nil {
		return nil, fmt.Errorf("solicit %s on %s: %w", ip, l.Name, err)
	}
	return solicitARPOn(ctx, ifi, ip, openBPF)
}

// bpfPort is the macOS ARP port: a BPF device bound to one Ethernet (or
// Wi-Fi) interface, with a filter that passes only ARP. Its descriptor is
// non-blocking and in the runtime's kqueue poller, so a read deadline
// ends a pending read (bpfkqfilter reports a read ready in immediate mode
// as soon as a packet is in).
type bpfPort struct {
	f *os.File
	bpfReader
}

// openBPF opens the first free BPF device and binds it to ifi. Opening
// one needs root (or the access_bpf group Wireshark's ChmodBPF creates):
// the EACCES is returned as it is.
func openBPF(ifi *net.Interface) (arpPort, error) {
	fd, err := openFreeBPF()
	if err != nil {
		return nil, err
	}
	if err := setupBPF(fd, ifi.Name); err != nil {
		unix.Close(fd)
		return nil, err
	}
	var blen uint32
	if err := xnu.Ioctl(fd, xnu.BIOCGBLEN, unsafe.Pointer(&blen)); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("BIOCGBLEN: %w", err)
	}
	// The kqueue filter refuses a device not yet bound (ENXIO): the file is
	// made only now, after BIOCSETIF.
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("bpf non-blocking: %w", err)
	}
	f := os.NewFile(uintptr(fd), "/dev/bpf")
	if err := f.SetReadDeadline(time.Time{}); err != nil {
		f.Close()
		return nil, fmt.Errorf("bpf read deadline: %w", err) // not in the poller: a read could not be ended
	}
	return &bpfPort{f: f, bpfReader: bpfReader{read: f.Read, buf: make([]byte, blen)}}, nil
}

// openFreeBPF opens /dev/bpf0, bpf1, ... until one is not busy. The
// kernel creates the next device when the last one is opened, up to
// BPF_MAX_DEVICES.
func openFreeBPF() (int, error) {
	for i := range xnu.BPFMaxDevices {
		fd, err := unix.Open("/dev/bpf"+strconv.Itoa(i), unix.O_RDWR|unix.O_CLOEXEC, 0)
		if errors.Is(err, unix.EBUSY) {
			continue
		}
		if err != nil {
			return -1, fmt.Errorf("open /dev/bpf%d: %w", i, err)
		}
		return fd, nil
	}
	return -1, fmt.Errorf("open /dev/bpf: all %d devices busy: %w", xnu.BPFMaxDevices, unix.EBUSY)
}

// setupBPF binds fd to ifName and sets it up for ARP: reads return at
// once, writes carry their own Ethernet header, our own frames are not
// read back, and only ARP reaches the buffer.
func setupBPF(fd int, ifName string) error {
	var ifr [xnu.SizeofIfreq]byte
	if len(ifName) >= unix.IFNAMSIZ {
		return fmt.Errorf("interface name %q too long", ifName)
	}
	copy(ifr[:], ifName)
	if err := xnu.Ioctl(fd, xnu.BIOCSETIF, unsafe.Pointer(&ifr[0])); err != nil {
		return fmt.Errorf("BIOCSETIF %s: %w", ifName, err)
	}
	var dlt uint32
	if err := xnu.Ioctl(fd, xnu.BIOCGDLT, unsafe.Pointer(&dlt)); err != nil {
		return fmt.Errorf("BIOCGDLT: %w", err)
	}
	if dlt != xnu.DLTEN10MB {
		return fmt.Errorf("%s: link type %d, not Ethernet: %w", ifName, dlt, netstate.ErrUnsupported)
	}
	for _, o := range []struct {
		name string
		req  uint
		v    uint32
	}{{"BIOCIMMEDIATE", xnu.BIOCIMMEDIATE, 1}, {"BIOCSHDRCMPLT", xnu.BIOCSHDRCMPLT, 1}, {"BIOCSSEESENT", xnu.BIOCSSEESENT, 0}} {
		v := o.v
		if err := xnu.Ioctl(fd, o.req, unsafe.Pointer(&v)); err != nil {
			return fmt.Errorf("%s: %w", o.name, err)
		}
	}
	raw, err := bpf.Assemble(arpOnly)
	if err != nil {
		return fmt.Errorf("assemble the ARP filter: %w", err)
	}
	insns := make([]unix.BpfInsn, len(raw))
	for i, r := range raw {
		insns[i] = unix.BpfInsn{Code: r.Op, Jt: r.Jt, Jf: r.Jf, K: r.K}
	}
	prog := unix.BpfProgram{Len: uint32(len(insns)), Insns: &insns[0]}
	err = xnu.Ioctl(fd, xnu.BIOCSETF, unsafe.Pointer(&prog))
	runtime.KeepAlive(insns)
	if err != nil {
		return fmt.Errorf("BIOCSETF: %w", err)
	}
	return nil
}

func (p *bpfPort) send(f arpFrame) error {
	b, err := f.marshal()
	if err != nil {
		return err
	}
	_, err = p.f.Write(b)
	return err
}

func (p *bpfPort) SetReadDeadline(t time.Time) error { return p.f.SetReadDeadline(t) }

func (p *bpfPort) Close() error { return p.f.Close() }
