package probe

import (
	"slices"
	"testing"
	"time"

	"github.com/netguard/netguard/checks"
)

func TestParseResolvConf(t *testing.T) {
	c := parseResolvConf("/etc/resolv.conf", []byte(`# written by a VPN client
nameserver 10.8.0.1 ; the tunnel's
nameserver 192.0.2.53
nameserver fe80::1%eth0
nameserver not-an-ip
options edns0 timeout:2 attempts:3
search example.com
`))
	var got []string
	for _, s := range c.Servers {
		got = append(got, s.String())
	}
	want := []string{"10.8.0.1:53", "192.0.2.53:53", "[fe80::1%eth0]:53"}
	if !slices.Equal(got, want) || c.Timeout != 2*time.Second || c.Attempts != 3 || c.Rotate {
		t.Fatalf("got %v timeout %v attempts %d rotate %v", got, c.Timeout, c.Attempts, c.Rotate)
	}
	d := parseResolvConf("x", []byte("nameserver 127.0.0.53\noptions rotate timeout:99 attempts:0\n"))
	if d.Timeout != 30*time.Second || d.Attempts != checks.DefaultResolverAttempts || !d.Rotate || !stubOnly(d) {
		t.Fatalf("caps/defaults: %+v", d)
	}
}
