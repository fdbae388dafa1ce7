package wine

import (
	"os"
	"path/filepath"
	"testing"
)

// remove, TempDir's clean-up under Wine, leaves nothing of a tree, and
// removes the test's directory of temporary directories once it is empty.
func TestRemove(t *testing.T) {
	parent := t.TempDir()
	dirs := []string{filepath.Join(parent, "001"), filepath.Join(parent, "002")}
	for _, dir := range dirs {
		for _, p := range []string{"a/b/c.txt", "a/d.txt", "e.txt"} {
			p = filepath.Join(dir, p)
			if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	remove(t, dirs[0])
	if _, err := os.Stat(dirs[0]); !os.IsNotExist(err) {
		t.Fatalf("%s still there: %v", dirs[0], err)
	}
	if _, err := os.Stat(dirs[1]); err != nil {
		t.Fatalf("the other temporary directory is gone: %v", err)
	}
	remove(t, dirs[1])
	if _, err := os.Stat(parent); !os.IsNotExist(err) {
		t.Fatalf("%s still there once empty: %v", parent, err)
	}
}

// Every gap says why it is one.
func TestReasons(t *testing.T) {
	for g := GapBestRoute; g <= GapGit; g++ {
		if g.String() == "" {
			t.Errorf("gap %d has no reason", g)
		}
	}
}
