package xnu

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// Ioctl is ioctl(2) with a pointer argument. x/sys/unix has no
// exported wrapper for struct-pointer ioctls on darwin (SIOCGIFMEDIA,
// SIOCGIFFLAGS with an ifreq, BPF's and pf's), and marks the raw syscall
// number deprecated in favour of libSystem; the kernel ABI of ioctl is
// stable, so the raw call stays until x/sys exports a wrapper.
func Ioctl(fd int, req uint, arg unsafe.Pointer) error {
	//lint:ignore SA1019 no exported x/sys wrapper for pointer ioctls on darwin (see above)
	if _, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), uintptr(req), uintptr(arg)); e != 0 {
		return e
	}
	return nil
}
