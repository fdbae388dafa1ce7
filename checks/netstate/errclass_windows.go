//go:build windows

package netstate

import "syscall"

// The Winsock and Win32 codes checks classifies (winerror.h), as
// syscall.Errno values: the same values golang.org/x/sys/windows names,
// spelled out so that the engine package imports no OS layer.
const (
	errAccessDenied       = syscall.Errno(5)     // ERROR_ACCESS_DENIED
	errNetworkUnreachable = syscall.Errno(1231)  // ERROR_NETWORK_UNREACHABLE
	errHostUnreachable    = syscall.Errno(1232)  // ERROR_HOST_UNREACHABLE
	wsaeAccess            = syscall.Errno(10013) // WSAEACCES
	wsaeMFile             = syscall.Errno(10024) // WSAEMFILE
	wsaeAddrInUse         = syscall.Errno(10048) // WSAEADDRINUSE
	wsaeAddrNotAvail      = syscall.Errno(10049) // WSAEADDRNOTAVAIL
	wsaeNetUnreach        = syscall.Errno(10051) // WSAENETUNREACH
	wsaeConnAborted       = syscall.Errno(10053) // WSAECONNABORTED
	wsaeConnReset         = syscall.Errno(10054) // WSAECONNRESET
	wsaeNoBufs            = syscall.Errno(10055) // WSAENOBUFS
	wsaeConnRefused       = syscall.Errno(10061) // WSAECONNREFUSED
	wsaeHostUnreach       = syscall.Errno(10065) // WSAEHOSTUNREACH
)

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
	add(ClassRefused, wsaeConnRefused)
	add(ClassHostUnreach, wsaeHostUnreach, errHostUnreachable)
	add(ClassNetUnreach, wsaeNetUnreach, errNetworkUnreachable)
	add(ClassPermission, wsaeAccess, errAccessDenied)
	add(ClassNoBufs, wsaeNoBufs)
	add(ClassAddrNotAvail, wsaeAddrNotAvail)
	add(ClassTooManyFiles, wsaeMFile)
	add(ClassReset, wsaeConnReset, wsaeConnAborted)
}
