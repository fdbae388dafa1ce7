package checks_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/netguard/netguard/checks"
)

// FuzzParseAction: the privileged helper's argv parser never panics, every
// action it accepts renders back to the same argv, and its errors are one
// line whatever the input holds.
func FuzzParseAction(f *testing.F) {
	for _, seed := range [][]string{
		{"delete-neighbor", "eth0", "198.18.3.1"},
		{"flush-neighbors", "en0"},
		{"link-up", "Wi-Fi 2"},
		{"flush-dns"},
		{"reapply-interface", "wlp2s0"},
		{"restore-neighbor", "eth0", "198.18.3.1", "02:00:00:de:ad:01"},
		{"delete-neighbor", "eth0", "fe80::1%eth0"},
		{"delete-neighbor", "-\n", "0.0.0.0"},
	} {
		f.Add(strings.Join(seed, "\x00"))
	}
	f.Fuzz(func(t *testing.T, joined string) {
		args := strings.Split(joined, "\x00")
		a, err := checks.ParseAction(args)
		if err != nil {
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Fatalf("multi-line error for %q: %q", args, err)
			}
			return
		}
		if got := a.Args(); !slices.Equal(got, args) {
			t.Fatalf("ParseAction(%q).Args() = %q", args, got)
		}
	})
}
