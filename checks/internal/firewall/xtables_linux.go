package firewall

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"runtime"
	"unsafe"

	"github.com/netguard/netguard/checks/netstate"
	"golang.org/x/sys/unix"
)

// The getsockopt options of ip_tables.h and ip6_tables.h (IPT_BASE_CTL).
const (
	iptSoGetInfo    = 64 // IPT_SO_GET_INFO, IP6T_SO_GET_INFO
	iptSoGetEntries = 65 // IPT_SO_GET_ENTRIES, IP6T_SO_GET_ENTRIES
)

// xtLayout is this binary's ABI: a 386 binary gets the i386 layout from
// the kernel's compat layer even on a 64-bit kernel.
func xtLayout() XTLayout {
	if runtime.GOARCH == "386" {
		return XTLayout386
	}
	return XTLayout64
}

// The kernel's lists of the x_tables tables that exist in this network
// namespace: a table appears when ip_tables is loaded and a program
// (iptables-legacy) first uses it. Variables so tests can point them at
// their own files.
var (
	ipTablesNames  = "/proc/net/ip_tables_names"
	ip6TablesNames = "/proc/net/ip6_tables_names"
)

// legacyFilterTables returns the families (4, 6) whose legacy filter table
// exists. Reading the lists is the cheap test that keeps a machine without
// iptables-legacy from opening raw sockets on every run.
func legacyFilterTables() []int {
	var out []int
	for _, f := range []struct {
		fam  int
		path string
	}{{4, ipTablesNames}, {6, ip6TablesNames}} {
		b, err := os.ReadFile(f.path)
		if err != nil {
			continue // no ip_tables module: no legacy tables
		}
		for _, name := range bytes.Fields(b) {
			if string(name) == "filter" {
				out = append(out, f.fam)
			}
		}
	}
	return out
}

// readLegacyFilter reads the legacy filter table of family (4 or 6) the
// way iptables-legacy does: getsockopt on a raw socket, which needs
// CAP_NET_ADMIN.
func readLegacyFilter(family int) ([]netstate.FWChain, error) {
	lay := xtLayout()
	info, entries, err := legacyFilterBytes(family, lay)
	for try := 0; try < 2 && errors.Is(err, unix.EAGAIN); try++ {
		// The table changed between the two calls (iptables-legacy
		// retries the same way).
		info, entries, err = legacyFilterBytes(family, lay)
	}
	if err != nil {
		return nil, err
	}
	in, err := ParseXTInfo(info, lay)
	if err != nil {
		return nil, err
	}
	return XTChains(family, "filter", in, entries, lay)
}

// legacyFilterBytes returns the kernel's answers to IPT_SO_GET_INFO and
// IPT_SO_GET_ENTRIES (IP6T_ for family 6) for the filter table.
func legacyFilterBytes(family int, lay XTLayout) (info, entries []byte, err error) {
	af, level := unix.AF_INET, unix.SOL_IP
	if family == 6 {
		af, level = unix.AF_INET6, unix.SOL_IPV6
	}
	fd, err := unix.Socket(af, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.IPPROTO_RAW)
	if err != nil {
		return nil, nil, fmt.Errorf("open raw socket for ip%stables: %w", v6Suffix(family), err)
	}
	defer unix.Close(fd)
	info = make([]byte, xtGetInfoSize)
	copy(info, "filter")
	if err := getsockoptBuf(fd, level, iptSoGetInfo, info); err != nil {
		return nil, nil, fmt.Errorf("ip%stables filter info: %w", v6Suffix(family), err)
	}
	in, err := ParseXTInfo(info, lay)
	if err != nil {
		return nil, nil, err
	}
	if in.Size > 64<<20 {
		return nil, nil, fmt.Errorf("ip%stables filter: %d bytes of rules", v6Suffix(family), in.Size)
	}
	// The table can change between the two calls: the kernel then
	// answers EAGAIN (a size mismatch), never half a table.
	entries = make([]byte, lay.EntriesHdr+int(in.Size))
	copy(entries, "filter")
	lay.Order.PutUint32(entries[xtTableMaxName:], in.Size)
	if err := getsockoptBuf(fd, level, iptSoGetEntries, entries); err != nil {
		return nil, nil, fmt.Errorf("ip%stables filter entries: %w", v6Suffix(family), err)
	}
	return info, entries, nil
}

// getsockoptBuf is getsockopt with b as the value in and out: x_tables
// reads the table's name from the buffer it fills.
func getsockoptBuf(fd, level, opt int, b []byte) error {
	l := uint32(len(b))
	_, _, e := unix.Syscall6(unix.SYS_GETSOCKOPT, uintptr(fd), uintptr(level), uintptr(opt),
		uintptr(unsafe.Pointer(&b[0])), uintptr(unsafe.Pointer(&l)), 0)
	if e != 0 {
		return e
	}
	return nil
}
