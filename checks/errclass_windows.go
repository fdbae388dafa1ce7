//go:build windows

package checks

import "golang.org/x/sys/windows"

// Winsock reports network errors as WSAE* codes, which syscall.Errno.Is
// does not map to their POSIX names.
func init() {
	add := func(c ErrClass, errs ...error) {
		for i := range errnoClasses {
			if errnoClasses[i].class == c {
				errnoClasses[i].errs = append(errnoClasses[i].errs, errs...)
			}
		}
	}
	add(ErrRefused, windows.WSAECONNREFUSED)
	add(ErrHostUnreach, windows.WSAEHOSTUNREACH, windows.ERROR_HOST_UNREACHABLE)
	add(ErrNetUnreach, windows.WSAENETUNREACH, windows.ERROR_NETWORK_UNREACHABLE)
	add(ErrPermission, windows.WSAEACCES, windows.ERROR_ACCESS_DENIED)
	add(ErrNoBufs, windows.WSAENOBUFS)
	add(ErrAddrNotAvail, windows.WSAEADDRNOTAVAIL)
	add(ErrTooManyFiles, windows.WSAEMFILE)
}
