//go:build unix

package ownedfile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// Create writes only a regular file of the running user: a link is refused
// with its target intact, and another user's file, even one anyone may
// write, is refused before anything is cut from it.
func TestCreate(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(dir, "victim")
	if err := os.WriteFile(target, []byte("precious\n"), 0o666); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "report.json")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if f, err := Create(link); !errors.Is(err, ErrLink) {
		if f != nil {
			f.Close()
		}
		t.Errorf("link: %v, want ErrLink", err)
	}
	if os.Geteuid() == 0 {
		if err := os.Chown(target, 65534, 65534); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(target, 0o666); err != nil {
			t.Fatal(err)
		}
		if f, err := Create(target); !errors.Is(err, ErrNotOwned) {
			if f != nil {
				f.Close()
			}
			t.Errorf("another user's file: %v, want ErrNotOwned", err)
		}
	}
	if b, _ := os.ReadFile(target); string(b) != "precious\n" {
		t.Errorf("target now holds %q", b)
	}
	mine := filepath.Join(dir, "mine.json")
	if err := os.WriteFile(mine, []byte("old, longer content\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Create(mine)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("{}\n"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if b, _ := os.ReadFile(mine); string(b) != "{}\n" {
		t.Errorf("rewritten file holds %q", b)
	}
	if st, _ := os.Stat(mine); st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
}
