//go:build linux || darwin

package wireguard

import (
	"bufio"
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/netguard/netguard/checks/netstate"
)

// TestParseUAPI reads wireguard-go's `get=1` reply: one peer that never
// completed a handshake, one that did a minute ago; keys are not kept.
func TestParseUAPI(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	reply := "private_key=aa\nlisten_port=51820\nfwmark=51820\n" +
		"public_key=bb\nendpoint=192.0.2.7:51820\nlast_handshake_time_sec=0\nlast_handshake_time_nsec=0\ntx_bytes=148\nrx_bytes=0\nallowed_ip=0.0.0.0/0\n" +
		"public_key=cc\nlast_handshake_time_sec=1799999940\nlast_handshake_time_nsec=0\nrx_bytes=92\n" +
		"errno=0\n\n"
	peers, err := parseUAPI(strings.NewReader(reply), now)
	if err != nil {
		t.Fatal(err)
	}
	if len(peers) != 2 || peers[0].SinceHandshake >= 0 || peers[0].Endpoint.String() != "192.0.2.7:51820" || peers[0].TxBytes != 148 ||
		peers[1].SinceHandshake != time.Minute || peers[1].RxBytes != 92 {
		t.Errorf("peers = %+v", peers)
	}
	if _, err := parseUAPI(strings.NewReader("errno=19\n\n"), now); err == nil {
		t.Error("errno=19 accepted")
	}
	if _, err := parseUAPI(strings.NewReader("public_key=bb\n"), now); err == nil {
		t.Error("truncated reply accepted")
	}
}

// serveUAPI listens on dir/dev.sock like wireguard-go and answers one
// `get=1` with reply; it returns the socket's path.
func serveUAPI(t *testing.T, dir, dev, reply string) string {
	t.Helper()
	path := filepath.Join(dir, dev+".sock")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		sc := bufio.NewScanner(c)
		for sc.Scan() && sc.Text() != "" {
		}
		_, _ = c.Write([]byte(reply))
	}()
	return path
}

// TestReadUAPI asks a wireguard-go-like socket for its state, and refuses
// what is not root's socket: a symlink to one, a regular file, a socket
// another user owns.
func TestReadUAPI(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	dir := t.TempDir()
	path := serveUAPI(t, dir, "utun4", "public_key=bb\nendpoint=192.0.2.7:51820\nlast_handshake_time_sec=0\nlast_handshake_time_nsec=0\nerrno=0\n\n")
	peers, err := readUAPI(ctx, dir, "utun4")
	if os.Geteuid() != 0 {
		// The test's own socket is not root's: refused as any other.
		if !errors.Is(err, netstate.ErrTunnelSilent) {
			t.Fatalf("unprivileged: readUAPI = %v, %v; want refused", peers, err)
		}
	} else if err != nil || len(peers) != 1 || peers[0].Endpoint.String() != "192.0.2.7:51820" || peers[0].SinceHandshake >= 0 {
		t.Fatalf("readUAPI = %+v, %v", peers, err)
	}

	if _, err := readUAPI(ctx, dir, "utun9"); !errors.Is(err, netstate.ErrTunnelSilent) {
		t.Errorf("no socket: %v, want ErrTunnelSilent (the app's utun offers nothing)", err)
	}
	if err := os.Symlink(path, filepath.Join(dir, "utun5.sock")); err != nil {
		t.Fatal(err)
	}
	if _, err := readUAPI(ctx, dir, "utun5"); !errors.Is(err, netstate.ErrTunnelSilent) || !strings.Contains(err.Error(), "not root's socket") {
		t.Errorf("symlink to a socket: %v, want refused", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "utun6.sock"), []byte("public_key=bb\n\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := readUAPI(ctx, dir, "utun6"); !errors.Is(err, netstate.ErrTunnelSilent) {
		t.Errorf("regular file: %v, want refused", err)
	}
	if os.Geteuid() == 0 {
		other := serveUAPI(t, dir, "utun7", "errno=0\n\n")
		if err := os.Lchown(other, 65534, 65534); err != nil {
			t.Fatal(err)
		}
		if _, err := readUAPI(ctx, dir, "utun7"); !errors.Is(err, netstate.ErrTunnelSilent) {
			t.Errorf("another user's socket: %v, want refused", err)
		}
	}
}

// TestWGQuickName maps a utun device to the wg-quick configuration whose
// name file names it, as wg-quick's get_real_interface does, and ignores
// stale, foreign, oversized and hostile name files.
func TestWGQuickName(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "utun4.sock")
	if err := os.WriteFile(sock, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	write := func(name, body string, mtime time.Time) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o400); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chtimes(sock, now, now); err != nil {
		t.Fatal(err)
	}
	write("old.name", "utun4\n", now.Add(-time.Hour))          // a gone tunnel's leftover naming the same utun
	write("big.name", "utun4\n"+strings.Repeat(" ", 200), now) // oversized
	write("bad$(x).name", "utun4\n", now)                      // not a name wg-quick writes
	write("other.name", "utun3\n", now)                        // another device
	write("toolongconfigname16.name", "utun4\n", now)          // longer than wg-quick's 15
	if err := os.Symlink(filepath.Join(dir, "other.name"), filepath.Join(dir, "link.name")); err != nil {
		t.Fatal(err)
	}
	if got := wgQuickName(dir, "utun4"); got != "" {
		t.Fatalf("only hostile or stale name files: wgQuickName = %q, want none", got)
	}
	write("wg0.name", "utun4\n", now.Add(time.Second))
	want := "wg0"
	if os.Geteuid() != 0 {
		want = "" // the test's files are not root's: never trusted
	}
	if got := wgQuickName(dir, "utun4"); got != want {
		t.Errorf("wgQuickName(utun4) = %q, want %q", got, want)
	}
	if got := wgQuickName(dir, "utun9"); got != "" {
		t.Errorf("no socket: wgQuickName = %q", got)
	}
	if os.Geteuid() == 0 {
		if err := os.Lchown(filepath.Join(dir, "wg0.name"), 65534, 65534); err != nil {
			t.Fatal(err)
		}
		if got := wgQuickName(dir, "utun4"); got != "" {
			t.Errorf("another user's name file: wgQuickName = %q, want none", got)
		}
	}
}
