//go:build windows

package ownedfile

import (
	"errors"
	"fmt"
	"unsafe"

	"golang.org/x/sys/windows"
)

// privateSDDL is an access list, not inherited from the directory, that
// grants sid full control and nobody else anything; a directory's entry is
// inherited by what is created in it (OICI).
func privateSDDL(sid string, dir bool) string {
	inherit := ""
	if dir {
		inherit = "OICI"
	}
	return "D:P(A;" + inherit + ";FA;;;" + sid + ")"
}

// PrivateAttributes is the security of a new file or directory that only
// the running user may use.
func PrivateAttributes(dir bool) (*windows.SecurityAttributes, error) {
	user, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return nil, fmt.Errorf("current user: %w", err)
	}
	sd, err := windows.SecurityDescriptorFromString(privateSDDL(user.User.Sid.String(), dir))
	if err != nil {
		return nil, fmt.Errorf("security descriptor: %w", err)
	}
	sa := &windows.SecurityAttributes{SecurityDescriptor: sd}
	sa.Length = uint32(unsafe.Sizeof(*sa))
	return sa, nil
}

// createPrivate creates path as an empty file only the running user may
// use. A file that appeared meanwhile is left as it is (os.OpenFile then
// opens it, and Open checks it like any other).
func createPrivate(path string) error {
	sa, err := PrivateAttributes(false)
	if err != nil {
		return pathError(path, err)
	}
	p, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return pathError(path, err)
	}
	h, err := windows.CreateFile(p, windows.GENERIC_WRITE, windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE, sa,
		windows.CREATE_NEW, windows.FILE_ATTRIBUTE_NORMAL|windows.FILE_FLAG_OPEN_REPARSE_POINT, 0)
	if errors.Is(err, windows.ERROR_FILE_EXISTS) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("create %q: %w", path, err)
	}
	return windows.CloseHandle(h)
}

// MkdirPrivate creates dir, whose parent exists, as a directory only the
// running user may use, whose contents inherit that; an existing one is
// left as it is.
func MkdirPrivate(dir string) error {
	sa, err := PrivateAttributes(true)
	if err != nil {
		return pathError(dir, err)
	}
	p, err := windows.UTF16PtrFromString(dir)
	if err != nil {
		return pathError(dir, err)
	}
	err = windows.CreateDirectory(p, sa)
	if err != nil && !errors.Is(err, windows.ERROR_ALREADY_EXISTS) {
		return fmt.Errorf("create %q: %w", dir, err)
	}
	return nil
}
