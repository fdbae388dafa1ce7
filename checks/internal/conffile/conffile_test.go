package conffile

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestLines(t *testing.T) {
	long := "10.0.0.1 " + strings.Repeat("a", 3<<20)
	longNames := "127.0.0.2 " + strings.Repeat("x ", MaxLine/2) + "localhostlocalhost"
	var got []string
	var nums []int
	Lines([]byte("a b\r\n"+long+"\n\n"+longNames+"\n127.0.0.1 localhost"), func(n int, line string) {
		nums = append(nums, n)
		got = append(got, line)
	})
	if !slices.Equal(nums, []int{1, 2, 3, 4, 5}) {
		t.Fatalf("line numbers %v", nums)
	}
	if got[0] != "a b" || got[2] != "" || got[4] != "127.0.0.1 localhost" {
		t.Errorf("lines %q %q %q", got[0], got[2], got[4])
	}
	if got[1] != "10.0.0.1" {
		t.Errorf("a 3 MiB line is kept as %d bytes, want its first field", len(got[1]))
	}
	if len(got[3]) > MaxLine || strings.Contains(got[3], "localhost") {
		t.Errorf("a cut line keeps %d bytes ending %q", len(got[3]), got[3][max(0, len(got[3])-20):])
	}
}

func TestRead(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, []byte("0123456789"), 0o644); err != nil {
		t.Fatal(err)
	}
	for max, want := range map[int64]string{4: "01234", 10: "0123456789", 20: "0123456789"} {
		if b, err := Read(p, max); err != nil || string(b) != want {
			t.Errorf("Read(%d) = %q, %v; want %q", max, b, err, want)
		}
	}
	if _, err := Read(filepath.Join(t.TempDir(), "missing"), 1); !os.IsNotExist(err) {
		t.Errorf("missing file: %v", err)
	}
}
