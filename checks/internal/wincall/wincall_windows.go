package wincall

import "golang.org/x/sys/windows"

// Call calls a function that returns its error code (NETIO_STATUS or
// a DWORD) and keeps it as a windows.Errno. It finds the proc first because
// LazyProc.Call panics on a missing export. uintptrescapes keeps the
// pointers converted at our call sites alive and unmoved during the call,
// as it does for LazyProc.Call itself.
//
//go:uintptrescapes
func Call(p *windows.LazyProc, args ...uintptr) error {
	if err := p.Find(); err != nil {
		return err
	}
	if r, _, _ := p.Call(args...); r != 0 {
		return windows.Errno(r)
	}
	return nil
}
