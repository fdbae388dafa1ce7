//go:build unix

package safepath

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestCheck(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("needs root: files must be root-owned for the safe cases (CI runs as root)")
	}
	base := t.TempDir() // root-owned 0700 under the sticky /tmp
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	mk := func(rel string, mode os.FileMode, uid int) string {
		p := filepath.Join(base, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("#!/bin/true\n"), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(p, uid, 0); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := mk("root/bin/guard", 0o755, 0)
	userOwned := mk("user/bin/guard", 0o755, 65534)
	worldWritable := mk("ww/bin/guard", 0o757, 0)
	userDir := mk("udir/bin/guard", 0o755, 0)
	if err := os.Chown(filepath.Dir(userDir), 65534, 65534); err != nil {
		t.Fatal(err)
	}
	openDir := mk("odir/bin/guard", 0o755, 0)
	if err := os.Chmod(filepath.Dir(openDir), 0o777); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(base, "root/bin/link")
	if err := os.Symlink(userOwned, link); err != nil {
		t.Fatal(err)
	}
	goodLink := filepath.Join(base, "root/bin/goodlink")
	if err := os.Symlink(good, goodLink); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path string
		safe bool
	}{
		{good, true},
		{goodLink, true},
		{userOwned, false},
		{worldWritable, false},
		{userDir, false},
		{openDir, false},
		{link, false},
		{filepath.Join(base, "missing"), false},
	} {
		err := Check(tc.path)
		if (err == nil) != tc.safe {
			t.Errorf("Check(%s) = %v, want safe=%v", tc.path, err, tc.safe)
		}
		if err != nil && !tc.safe && tc.path != filepath.Join(base, "missing") && !errors.Is(err, ErrUnsafe) {
			t.Errorf("Check(%s) = %v, want ErrUnsafe", tc.path, err)
		}
	}
}

// Find looks only in SystemDirs, in order, and stops at the first copy:
// an unsafe one is an error, never a reason to take a later one.
func TestFind(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("needs root: files must be root-owned for the safe cases (CI runs as root)")
	}
	base := t.TempDir()
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	first, second := filepath.Join(base, "a"), filepath.Join(base, "b")
	for _, d := range []string{first, second} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"tool", "bad"} {
			if err := os.WriteFile(filepath.Join(d, name), []byte("#!/bin/true\n"), 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := os.Chown(filepath.Join(first, "bad"), 65534, 65534); err != nil {
		t.Fatal(err)
	}
	old := SystemDirs
	t.Cleanup(func() { SystemDirs = old })
	SystemDirs = []string{filepath.Join(base, "none"), first, second}
	if p, err := Find("tool"); err != nil || p != filepath.Join(first, "tool") {
		t.Errorf("Find(tool) = %q, %v; want the first directory's", p, err)
	}
	if p, err := Find("bad"); !errors.Is(err, ErrUnsafe) {
		t.Errorf("Find(bad) = %q, %v; want ErrUnsafe (a user's copy comes first)", p, err)
	}
	if p, err := Find("missing"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Find(missing) = %q, %v; want ErrNotFound", p, err)
	}
}
