//go:build !windows

package probe

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
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
	c := readResolverConfig(stub)
	if c.Err != nil || len(c.Servers) != 1 || len(c.Upstreams) != 2 || c.UpstreamSource != up {
		t.Fatalf("%+v", c)
	}
	if c := readResolverConfig(filepath.Join(dir, "absent")); c.Err != nil || len(c.Servers) != 0 {
		t.Fatalf("absent file: %+v", c)
	}
	if err := os.Mkdir(filepath.Join(dir, "isdir"), 0o755); err != nil {
		t.Fatal(err)
	}
	if c := readResolverConfig(filepath.Join(dir, "isdir")); c.Err == nil {
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
	servers, listed := p.NameServers()
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
	if _, listed := (&NetProber{ResolvConf: filepath.Join(t.TempDir(), "absent")}).NameServers(); listed {
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
	if c := readResolverConfig(p); len(c.Servers) != 1 || c.Err != nil {
		t.Errorf("10 MiB resolv.conf: %+v", c)
	}
}
