//go:build !windows

package probe

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestReadResolverConfigStubUpstreams(t *testing.T) {
	dir := t.TempDir()
	stub := filepath.Join(dir, "resolv.conf")
	up := filepath.Join(dir, "upstream.conf")
	if err := os.WriteFile(stub, []byte("nameserver 127.0.0.53\noptions edns0 trust-ad\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(up, []byte("nameserver 192.0.2.1\nnameserver 2001:db8::53\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	old := resolvedUpstreamConf
	resolvedUpstreamConf = up
	t.Cleanup(func() { resolvedUpstreamConf = old })
	c := readResolverConfig(stub, "")
	if c.Err != nil || len(c.Servers) != 1 || len(c.Upstreams) != 2 || c.UpstreamSource != up {
		t.Fatalf("%+v", c)
	}
	if c := readResolverConfig(filepath.Join(dir, "absent"), ""); c.Err != nil || len(c.Servers) != 0 {
		t.Fatalf("absent file: %+v", c)
	}
	if err := os.Mkdir(filepath.Join(dir, "isdir"), 0o755); err != nil {
		t.Fatal(err)
	}
	if c := readResolverConfig(filepath.Join(dir, "isdir"), ""); c.Err == nil {
		t.Fatalf("unreadable file: no error: %+v", c)
	}
}

// One read of resolv.conf serves the route tracing and the DNS probe of a
// run; the next run reads it again.
func TestResolverConfigReadOncePerRun(t *testing.T) {
	path := filepath.Join(t.TempDir(), "resolv.conf")
	write := func(s string) {
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("nameserver 192.0.2.1\n")
	p := &NetProber{ResolvConf: path}
	servers, listed := p.NameServers("www.lab.test")
	if !listed || len(servers) != 1 {
		t.Fatalf("NameServers = %v, %v", servers, listed)
	}
	write("nameserver 192.0.2.2\n")
	if c := p.resolverConfig(); len(c.Servers) != 1 || c.Servers[0].Addr().String() != "192.0.2.1" {
		t.Fatalf("same run read the file again: %v", c.Servers)
	}
	time.Sleep(resolverCacheTTL + 20*time.Millisecond)
	if c := p.resolverConfig(); len(c.Servers) != 1 || c.Servers[0].Addr().String() != "192.0.2.2" {
		t.Fatalf("next run kept the old read: %v", c.Servers)
	}
	if _, listed := (&NetProber{ResolvConf: filepath.Join(t.TempDir(), "absent")}).NameServers("www.lab.test"); listed {
		t.Fatal("an absent resolv.conf is listed")
	}
}

// A resolv.conf far beyond the bound: what is read counts, the rest is not
// read at all.
func TestReadResolverConfigBounded(t *testing.T) {
	p := filepath.Join(t.TempDir(), "resolv.conf")
	if err := os.WriteFile(p, []byte("nameserver 10.0.0.1\n"+strings.Repeat("# padding\n", 1<<20)), 0o644); err != nil {
		t.Fatal(err)
	}
	if c := readResolverConfig(p, ""); len(c.Servers) != 1 || c.Err != nil {
		t.Errorf("10 MiB resolv.conf: %+v", c)
	}
}

// TestReadScopedResolvers reads a resolver directory: regular files in
// name order, bounded in size and count; a FIFO (which would block), a
// directory, a hidden file, an oversized file and a name that is no
// domain are left out.
func TestReadScopedResolvers(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("corp.example", "nameserver 10.8.0.1\n")
	write("b.test", "nameserver 10.8.0.2\n")
	write(".hidden.test", "nameserver 10.8.0.3\n")
	write("big.test", "nameserver 10.8.0.4\n"+strings.Repeat("#", maxScopedResolverLen))
	write("not a domain", "nameserver 10.8.0.5\n")
	if err := os.Mkdir(filepath.Join(dir, "dir.test"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mkfifo(filepath.Join(dir, "fifo.test"), 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan []string, 1)
	go func() {
		var got []string
		for _, s := range readScopedResolvers(dir) {
			got = append(got, s.Domain+"="+s.Servers[0].String())
		}
		done <- got
	}()
	select {
	case got := <-done:
		if want := []string{"b.test=10.8.0.2:53", "corp.example=10.8.0.1:53"}; !slices.Equal(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("readScopedResolvers blocked (on the FIFO?)")
	}
	if readScopedResolvers("") != nil || readScopedResolvers(filepath.Join(dir, "absent")) != nil {
		t.Error("no directory: resolvers read")
	}

	many := t.TempDir()
	for i := range maxScopedResolvers + 10 {
		if err := os.WriteFile(filepath.Join(many, fmt.Sprintf("d%03d.test", i)), []byte("nameserver 10.0.0.1\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(readScopedResolvers(many)); n != maxScopedResolvers {
		t.Errorf("%d resolvers read of %d files, want the first %d", n, maxScopedResolvers+10, maxScopedResolvers)
	}
}

// TestNameServersScoped holds that a name under a per-domain resolver's
// domain is asked of its servers alone (DNS asks the same list:
// ResolverConfig.ServersFor), other names of the default ones. Nothing is
// sent.
func TestNameServersScoped(t *testing.T) {
	dir := t.TempDir()
	rc := filepath.Join(dir, "resolv.conf")
	if err := os.WriteFile(rc, []byte("nameserver 127.0.0.1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rd := filepath.Join(dir, "resolver")
	if err := os.Mkdir(rd, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(rd, "corp.example"), []byte("nameserver 127.0.0.2\nport 5300\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := &NetProber{ResolvConf: rc, ResolverDir: rd}
	if got, _ := p.NameServers("git.corp.example"); !slices.Equal(got, []netip.AddrPort{netip.MustParseAddrPort("127.0.0.2:5300")}) {
		t.Errorf("NameServers(git.corp.example) = %v, want the scoped 127.0.0.2:5300", got)
	}
	if got, _ := p.NameServers("www.lab.test"); !slices.Equal(got, []netip.AddrPort{netip.MustParseAddrPort("127.0.0.1:53")}) {
		t.Errorf("NameServers(www.lab.test) = %v, want resolv.conf's", got)
	}
	cfg := p.resolverConfig()
	if sc := cfg.ScopeFor("git.corp.example"); sc == nil || sc.Source != filepath.Join(rd, "corp.example") {
		t.Errorf("scope = %+v", sc)
	}
}
