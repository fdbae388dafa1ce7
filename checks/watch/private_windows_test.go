package watch

import (
	"testing"
	"unsafe"

	"golang.org/x/sys/windows"

	"github.com/netguard/netguard/checks/checkstest/wine"
	"github.com/netguard/netguard/checks/ownedfile"
)

// checkPrivate fails unless path's access list is its own (not inherited)
// and grants only the running user.
func checkPrivate(t *testing.T, path string) {
	t.Helper()
	t.Run("private", func(t *testing.T) {
		wine.SkipIfGap(t, wine.GapFileACL)
		user := currentUser(t)
		sd, err := windows.GetNamedSecurityInfo(path, windows.SE_FILE_OBJECT, windows.DACL_SECURITY_INFORMATION)
		if err != nil {
			t.Fatalf("security of %s: %v", path, err)
		}
		checkOwnerOnly(t, sd, user)
	})
}

func currentUser(t *testing.T) *windows.SID {
	t.Helper()
	user, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		t.Fatal(err)
	}
	return user.User.Sid
}

// fileAllAccess is FILE_ALL_ACCESS (winnt.h), "FA" in an access list's
// text form.
const fileAllAccess = windows.STANDARD_RIGHTS_REQUIRED | windows.SYNCHRONIZE | 0x1ff

// checkOwnerOnly fails unless sd's access list is protected from
// inheritance and grants user, and only user.
func checkOwnerOnly(t *testing.T, sd *windows.SECURITY_DESCRIPTOR, user *windows.SID) {
	t.Helper()
	control, _, err := sd.Control()
	if err != nil {
		t.Fatal(err)
	}
	if control&windows.SE_DACL_PROTECTED == 0 {
		t.Errorf("access list %s is inherited from the directory", sd)
	}
	dacl, _, err := sd.DACL()
	if err != nil || dacl == nil {
		t.Fatalf("no access list in %s (%v): everyone may use it", sd, err)
	}
	if dacl.AceCount == 0 {
		t.Fatalf("empty access list: not even %s may use it", user)
	}
	for i := range uint32(dacl.AceCount) {
		var ace *windows.ACCESS_ALLOWED_ACE
		if err := windows.GetAce(dacl, i, &ace); err != nil {
			t.Fatal(err)
		}
		sid := (*windows.SID)(unsafe.Pointer(&ace.SidStart))
		if ace.Header.AceType != windows.ACCESS_ALLOWED_ACE_TYPE || !sid.Equals(user) {
			t.Errorf("access list %s grants someone else than %s", sd, user)
		}
		if ace.Mask&fileAllAccess != fileAllAccess {
			t.Errorf("access list %s: %s may not use all of it", sd, user)
		}
	}
}

// The access list a private file or directory is created with, read back
// from its text form the way CreateFile gets it.
func TestPrivateAttributes(t *testing.T) {
	user := currentUser(t)
	for _, dir := range []bool{false, true} {
		sa, err := ownedfile.PrivateAttributes(dir)
		if err != nil {
			t.Fatal(err)
		}
		checkOwnerOnly(t, sa.SecurityDescriptor, user)
		dacl, _, _ := sa.SecurityDescriptor.DACL()
		var ace *windows.ACCESS_ALLOWED_ACE
		if err := windows.GetAce(dacl, 0, &ace); err != nil {
			t.Fatal(err)
		}
		inherit := ace.Header.AceFlags&(windows.OBJECT_INHERIT_ACE|windows.CONTAINER_INHERIT_ACE) != 0
		if inherit != dir {
			t.Errorf("directory %v: access list %s, inherited by its contents %v", dir, sa.SecurityDescriptor, inherit)
		}
	}
}
