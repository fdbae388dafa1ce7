package wine

import (
	"sync"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Version is Wine's version and true when this process runs under Wine:
// Wine's ntdll exports wine_get_version, Windows' does not.
func Version() (string, bool) { return version() }

var version = sync.OnceValues(func() (string, bool) {
	p := windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version")
	if p.Find() != nil {
		return "", false
	}
	r, _, _ := p.Call()
	// The answer points into ntdll's static data, which never moves.
	return windows.BytePtrToString(*(**byte)(unsafe.Pointer(&r))), true
})
