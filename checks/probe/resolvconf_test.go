package probe

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/netguard/netguard/checks/netstate"
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
	if !slices.Equal(got, want) || c.Timeout != 2*time.Second || c.Attempts != 3 || c.Rotate || !slices.Equal(c.Search, []string{"example.com"}) {
		t.Fatalf("got %v timeout %v attempts %d rotate %v", got, c.Timeout, c.Attempts, c.Rotate)
	}
	if s := parseResolvConf("x", []byte("search a.example b.example\ndomain corp.example\n")).Search; !slices.Equal(s, []string{"corp.example"}) {
		t.Fatalf("the last search or domain line wins: %v", s)
	}
	d := parseResolvConf("x", []byte("nameserver 127.0.0.53\noptions rotate timeout:99 attempts:0\n"))
	if d.Timeout != 30*time.Second || d.Attempts != netstate.DefaultResolverAttempts || !d.Rotate || !stubOnly(d) {
		t.Fatalf("caps/defaults: %+v", d)
	}
}

// The resolver uses the first three name servers whatever follows, and a
// huge line or file never hides them nor the options.
func TestParseResolvConfBounded(t *testing.T) {
	var many strings.Builder
	for i := range 3001 {
		fmt.Fprintf(&many, "nameserver 192.0.2.%d\n", 1+i%250)
	}
	huge := "search " + strings.Repeat("a", 3<<20) + "\nnameserver 10.0.0.1\noptions timeout:1\n"
	for _, tc := range []struct {
		name, text string
		want       []string
		timeout    time.Duration
	}{
		{"3001 servers", many.String(), []string{"192.0.2.1:53", "192.0.2.2:53", "192.0.2.3:53"}, netstate.DefaultResolverTimeout},
		{"3 MiB line first", huge, []string{"10.0.0.1:53"}, time.Second},
	} {
		c := parseResolvConf("x", []byte(tc.text))
		var got []string
		for _, s := range c.Servers {
			got = append(got, s.String())
		}
		if !slices.Equal(got, tc.want) || c.Timeout != tc.timeout || c.Err != nil || len(c.Search) != 0 {
			t.Errorf("%s: servers %v timeout %v err %v; want %v %v", tc.name, got, c.Timeout, c.Err, tc.want, tc.timeout)
		}
	}
}
