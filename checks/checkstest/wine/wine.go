// Package wine lists, in one place, what Wine cannot do that netguard's
// Windows tests need. A test that meets one of these gaps calls SkipIfGap:
// under Wine it skips and says why; on Windows it runs. Wine is detected
// from Wine itself (ntdll's wine_get_version), never assumed.
package wine

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// Gap is one thing Wine does not do as Windows does.
type Gap int

const (
	// GapBestRoute means GetBestRoute2 is a stub that answers
	// ERROR_NOT_SUPPORTED (50), so no route lookup can be shown.
	GapBestRoute Gap = iota + 1
	// GapIPInterfaceTable means GetIpInterfaceTable and GetIpInterfaceEntry are
	// stubs, so interface metrics and forwarding flags are unknown.
	GapIPInterfaceTable
	// GapIPv6Tables means Wine has no IPv6 routes or neighbors.
	GapIPv6Tables
	// GapUDP means SIO_UDP_NETRESET is not implemented, and Go sets it on every
	// UDP socket, so each one fails with WSAEOPNOTSUPP (10045).
	GapUDP
	// GapFileACL means a file's access list is not kept; Wine derives it from
	// the Unix mode bits.
	GapFileACL
	// GapGit means the Wine prefix has no Git for Windows (a Linux git cannot
	// be run from Wine on Windows paths).
	GapGit
	// GapWFP means fwpuclnt's FwpmEngineOpen0 is a stub that answers
	// ERROR_NOT_SUPPORTED (50), so no filtering-platform filter can be read.
	GapWFP
)

var reasons = map[Gap]string{
	GapBestRoute:        "GetBestRoute2 is a stub (answers ERROR_NOT_SUPPORTED)",
	GapIPInterfaceTable: "GetIpInterfaceTable is a stub",
	GapIPv6Tables:       "no IPv6 routes or neighbors",
	GapUDP:              "SIO_UDP_NETRESET is not implemented, every UDP socket fails with WSAEOPNOTSUPP",
	GapFileACL:          "file access lists are not kept, they follow the Unix mode bits",
	GapGit:              "no Git for Windows in the Wine prefix",
	GapWFP:              "FwpmEngineOpen0 is a stub (answers ERROR_NOT_SUPPORTED)",
}

// String is the gap's reason, printed with the skip.
func (g Gap) String() string { return reasons[g] }

// SkipIfGap skips the test when it runs under Wine, which lacks g.
func SkipIfGap(t testing.TB, g Gap) {
	t.Helper()
	if v, ok := Version(); ok {
		t.Skipf("Wine %s: %s", v, g)
	}
}

// TempDir is t.TempDir, but under Wine the directory is removed file by
// file before the test's clean-up: Go's os.RemoveAll deletes with
// FileDispositionInformationEx, which Wine does not implement ("Invalid
// function"), while os.Remove (DeleteFile, RemoveDirectory) works.
func TempDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	if _, ok := Version(); ok {
		// Clean-ups run last-registered first: this one before TempDir's,
		// which then finds nothing left to remove.
		t.Cleanup(func() { remove(t, dir) })
	}
	return dir
}

// remove removes dir and everything under it, deepest first, then its
// parent (the test's directory of temporary directories) once empty.
func remove(t testing.TB, dir string) {
	var paths []string
	_ = filepath.WalkDir(dir, func(p string, _ fs.DirEntry, err error) error {
		if err == nil {
			paths = append(paths, p)
		}
		return nil
	})
	// WalkDir visits a directory before its contents.
	for _, p := range slices.Backward(paths) {
		if err := os.Remove(p); err != nil {
			t.Errorf("TempDir clean-up under Wine: %v", err)
		}
	}
	// Another TempDir of the same test may still be in it.
	_ = os.Remove(filepath.Dir(dir))
}
