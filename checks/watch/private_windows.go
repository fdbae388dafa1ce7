package watch

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

// privateAttributes is the security of a new file or directory that only
// the running user may use.
func privateAttributes(dir bool) (*windows.SecurityAttributes, error) {
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
// opens it, and openOwned checks it like any other).
func createPrivate(path string) error {
	sa, err := privateAttributes(false)
	if err != nil {
		return fileError(path, err)
	}
	p, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return fileError(path, err)
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
