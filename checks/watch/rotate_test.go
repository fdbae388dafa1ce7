package watch

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netguard/netguard/checks/checkstest/wine"
)

func TestRotatingFile(t *testing.T) {
	dir := wine.TempDir(t)
	path := filepath.Join(dir, "sub", LogName) // the directory is created
	r, err := OpenRotating(path, 100, 3)
	if err != nil {
		t.Fatal(err)
	}
	line := func(i int) []byte { // 31 bytes
		return []byte(fmt.Sprintf(`{"n":%03d,"pad":"%s"}`+"\n", i, strings.Repeat("x", 12)))
	}
	for i := range 20 {
		if _, err := r.Write(line(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	// 3 lines (93 bytes) per file: 20 lines = 6 full files + 2 lines; the
	// current file and 3 old ones are kept, holding the last 11 lines.
	var all []string
	for _, name := range []string{path + ".3", path + ".2", path + ".1", path} {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) > 100 {
			t.Errorf("%s: %d bytes, more than MaxBytes", name, len(b))
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			if !strings.HasPrefix(sc.Text(), `{"n":`) || !strings.HasSuffix(sc.Text(), `"}`) {
				t.Errorf("%s: torn line %q", name, sc.Text())
			}
			all = append(all, sc.Text()[5:8])
		}
	}
	if _, err := os.Stat(path + ".4"); !os.IsNotExist(err) {
		t.Errorf("%s.4 exists (keep is 3): %v", path, err)
	}
	want := []string{"009", "010", "011", "012", "013", "014", "015", "016", "017", "018", "019"}
	if strings.Join(all, ",") != strings.Join(want, ",") {
		t.Errorf("lines kept %v, want %v", all, want)
	}
	checkPrivate(t, path)
	if _, err := r.Write(line(0)); err == nil {
		t.Error("write after Close succeeded")
	}
}

// A reopened log continues from its size: a restart does not let the file
// grow past the limit.
func TestRotatingFileReopen(t *testing.T) {
	path := filepath.Join(wine.TempDir(t), LogName)
	if err := os.WriteFile(path, bytes.Repeat([]byte("a\n"), 40), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := OpenRotating(path, 100, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.Write(bytes.Repeat([]byte("b"), 29)); err != nil {
		t.Fatal(err)
	}
	b1, _ := os.ReadFile(path + ".1")
	b, _ := os.ReadFile(path)
	if len(b1) != 80 || string(b) != strings.Repeat("b", 29) {
		t.Errorf("after reopen: .1 has %d bytes, current %q", len(b1), b)
	}
	// A line longer than the limit goes alone into a fresh file.
	big := bytes.Repeat([]byte("c"), 150)
	if _, err := r.Write(big); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); !bytes.Equal(b, big) {
		t.Errorf("oversized line: current file %d bytes", len(b))
	}
}
