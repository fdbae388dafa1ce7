//go:build linux

package sys

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// fakeProc writes a procfs fixture: per pid, its comm and its fds, each a
// link target with an optional fdinfo text.
func fakeProc(t *testing.T, procs map[string]struct {
	comm string
	fds  map[string][2]string // fd -> {link target, fdinfo}
}) string {
	t.Helper()
	root := t.TempDir()
	for pid, p := range procs {
		dir := filepath.Join(root, pid)
		for _, d := range []string{"fd", "fdinfo"} {
			if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, "comm"), []byte(p.comm+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		for fd, v := range p.fds {
			if err := os.Symlink(v[0], filepath.Join(dir, "fd", fd)); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "fdinfo", fd), []byte(v[1]), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return root
}

func TestTunHolders(t *testing.T) {
	type proc = struct {
		comm string
		fds  map[string][2]string
	}
	root := fakeProc(t, map[string]proc{
		"812":  {"mihomo", map[string][2]string{"3": {"socket:[123]", ""}, "7": {tunDevice, "pos:\t0\nflags:\t02004002\nmnt_id:\t25\nino:\t1061\niff:\tMeta\n"}}},
		"813":  {"sing-box", map[string][2]string{"7": {tunDevice, "pos:\t0\niff:\tMeta\n"}}}, // another namespace's Meta
		"900":  {"openvpn", map[string][2]string{"5": {tunDevice, "pos:\t0\nflags:\t02\niff:\ttun0\n"}}},
		"901":  {"idle", map[string][2]string{"4": {tunDevice, "pos:\t0\nflags:\t02\n"}}}, // opened, never attached
		"self": {"x", nil},
	})
	for pid, ns := range map[string]string{"self": "net:[4026531840]", "812": "net:[4026531840]", "813": "net:[4026532999]", "900": "net:[4026531840]"} {
		if err := os.MkdirAll(filepath.Join(root, pid, "ns"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(ns, filepath.Join(root, pid, "ns", "net")); err != nil {
			t.Fatal(err)
		}
	}
	got, err := tunHolders(context.Background(), root, "Meta")
	if err != nil || len(got) != 1 || got[0].PID != 812 || got[0].Command != "mihomo" {
		t.Errorf("Meta: %+v, %v; want mihomo 812", got, err)
	}
	got, err = tunHolders(context.Background(), root, "wg0")
	if err != nil || len(got) != 0 {
		t.Errorf("wg0 (no holder): %+v, %v", got, err)
	}
}

func TestFdinfoIface(t *testing.T) {
	for in, want := range map[string]string{
		"pos:\t0\nflags:\t02\niff:\ttun0\n": "tun0",
		"iff:\tMeta":                        "Meta",
		"pos:\t0\n":                         "",
		"":                                  "",
	} {
		if got := fdinfoIface([]byte(in)); got != want {
			t.Errorf("fdinfoIface(%q) = %q, want %q", in, got, want)
		}
	}
}
