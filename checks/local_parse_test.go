package checks

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/netguard/netguard/checks/diagnose"
	"github.com/netguard/netguard/checks/netstate"
)

func TestParsePorts(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []string // PortSpec.String() of each; nil: an error
		err  string
	}{
		{in: "5432", want: []string{"5432"}},
		{in: "5432, 8080,5432", want: []string{"5432", "8080"}},
		{in: "127.0.0.1:8080,[::1]:5432", want: []string{"127.0.0.1:8080", "[::1]:5432"}},
		{in: "0", err: "1 to 65535"},
		{in: "65536", err: "1 to 65535"},
		{in: "-1", err: "1 to 65535"},
		{in: "http", err: "1 to 65535"},
		{in: "localhost:80", err: "not an IP address"},
		{in: "::1:80", err: "brackets"},
		{in: ":80", err: "empty address"},
		{in: "[fe80::1%eth0]:80", err: "not an IP address"},
		{in: " , ", err: "no port"},
		{in: func() string {
			var ps []string
			for i := 1; i <= netstate.MaxPorts+1; i++ {
				ps = append(ps, strconv.Itoa(1000+i))
			}
			return strings.Join(ps, ",")
		}(), err: "more than 64"},
	} {
		got, err := netstate.ParsePorts(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) || strings.Contains(err.Error(), "\n") {
				t.Errorf("ParsePorts(%q) = %v, %v; want one-line error with %q", tt.in, got, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParsePorts(%q): %v", tt.in, err)
			continue
		}
		var ss []string
		for _, p := range got {
			ss = append(ss, p.String())
		}
		if !slices.Equal(ss, tt.want) {
			t.Errorf("ParsePorts(%q) = %v, want %v", tt.in, ss, tt.want)
		}
	}
}

func TestParseProxyEnv(t *testing.T) {
	st := netstate.ParseProxyEnv(map[string]string{
		"HTTPS_PROXY": "http://127.0.0.1:7890",
		"http_proxy":  "proxy.corp.example:3128", // no scheme: http:// assumed
		"ALL_PROXY":   "socks5h://127.0.0.1",     // no port: the scheme's default
		"all_proxy":   "ftp://x:21",
		"NO_PROXY":    "localhost,.corp.example",
	})
	type row struct{ v, scheme, host, for_ string }
	var got []row
	for _, s := range st.Settings {
		if s.Err != nil {
			got = append(got, row{s.Var, "ERR", "", ""})
			continue
		}
		got = append(got, row{s.Var, s.Scheme, s.Endpoint(), s.For})
	}
	want := []row{
		{"HTTPS_PROXY", "http", "127.0.0.1:7890", "https"},
		{"http_proxy", "http", "proxy.corp.example:3128", "http"},
		{"ALL_PROXY", "socks5h", "127.0.0.1:1080", "all"},
		{"all_proxy", "ERR", "", ""},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("settings = %v, want %v", got, want)
	}
	if st.NoProxy != "localhost,.corp.example" || st.Disabled() {
		t.Fatalf("NoProxy = %q", st.NoProxy)
	}
	for _, bad := range []string{"http://[::1", "http://:8080", "http://host:99999", "http://host:0"} {
		if p := netstate.ParseProxy("HTTPS_PROXY", bad, "https"); p.Err == nil {
			t.Errorf("ParseProxy(%q) accepted: %+v", bad, p)
		}
	}
	if got := netstate.ProxyEnv(func(k string) string { return map[string]string{"no_proxy": "*", "PATH": "/bin"}[k] }); len(got) != 1 || got["no_proxy"] != "*" {
		t.Fatalf("ProxyEnv = %v", got)
	}
}

func TestParseHostsLocalhost(t *testing.T) {
	got := parseHostsLocalhost([]byte(`# comment localhost
127.0.0.1	localhost
::1 ip6-localhost ip6-loopback localhost # trailing
10.0.0.5 devbox LOCALHOST.
not-an-ip localhost
192.0.2.1
`))
	var lines []int
	var addrs []string
	for _, e := range got {
		lines = append(lines, e.Line)
		addrs = append(addrs, e.Addr.String())
	}
	if !slices.Equal(lines, []int{2, 3, 4}) || !slices.Equal(addrs, []string{"127.0.0.1", "::1", "10.0.0.5"}) {
		t.Fatalf("lines %v addrs %v", lines, addrs)
	}
	if h := (netstate.HostsState{Localhost: parseHostsLocalhost([]byte("127.0.0.1 vm\n"))}); h.HasLoopback() || len(h.Localhost) != 0 {
		t.Fatalf("no localhost line: %+v", h)
	}
}

// fakeLocal is a LocalSystem over fixed data.
type fakeLocal struct {
	owner    netstate.PortOwner
	ownerErr error
	calls    []uint16
}

func (f *fakeLocal) PortOwner(_ context.Context, p uint16) (netstate.PortOwner, error) {
	f.calls = append(f.calls, p)
	return f.owner, f.ownerErr
}
func (f *fakeLocal) HostsFile() (string, []byte, error)            { return "/etc/hosts", nil, nil }
func (f *fakeLocal) SystemProxy() ([]netstate.ProxySetting, error) { return nil, nil }
func (f *fakeLocal) Clock() netstate.ClockState                    { return netstate.ClockState{} }

// The bind test on loopback: a port we hold is in use, its owner is
// asked; a port we just released is free.
func TestCheckPortsLoopback(t *testing.T) {
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	held := uint16(l.Addr().(*net.TCPAddr).Port)
	l2, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	free := uint16(l2.Addr().(*net.TCPAddr).Port)
	l2.Close()
	fl := &fakeLocal{owner: netstate.PortOwner{PID: 7, Name: "fake"}}
	lo := netip.MustParseAddr("127.0.0.1")
	rs := checkPorts(context.Background(), fl, []netstate.PortSpec{{Addr: lo, Port: held}, {Addr: lo, Port: free}})
	if rs[0].Free || !rs[0].InUse || rs[0].Owner.PID != 7 || rs[0].Err == nil {
		t.Errorf("held port %d: %+v", held, rs[0])
	}
	if !rs[1].Free || rs[1].InUse {
		t.Errorf("free port %d: %+v", free, rs[1])
	}
	if !slices.Equal(fl.calls, []uint16{held}) {
		t.Errorf("owner asked for %v, want only %d", fl.calls, held)
	}
	// A port held on loopback only is taken for an environment that
	// binds every address: localhost would reach the holder.
	rs = checkPorts(context.Background(), fl, []netstate.PortSpec{{Port: held}})
	if rs[0].Free || !rs[0].InUse {
		t.Errorf("wildcard spec, port %d held on 127.0.0.1: %+v", held, rs[0])
	}
}

// Passwords, and tokens written as the user part, never reach a report.
func TestProxyRedaction(t *testing.T) {
	for in, want := range map[string]string{
		"http://alice:s3cret@proxy.corp.example:3128": "http://***@proxy.corp.example:3128",
		"alice:s3cret@10.0.0.1:3128":                  "***@10.0.0.1:3128",
		"http://s3cret@proxy:3128":                    "http://***@proxy:3128",
		"socks5h://s3cret:@proxy:1080":                "socks5h://***@proxy:1080",
		"http://a:b:c@[::1":                           "http://***@[::1",
		"http://127.0.0.1:7890":                       "http://127.0.0.1:7890",
	} {
		p := netstate.ParseProxy("HTTPS_PROXY", in, "https")
		if p.Value != want {
			t.Errorf("ParseProxy(%q).Value = %q, want %q", in, p.Value, want)
		}
		if strings.Contains(p.Value, "s3cret") || (p.Err != nil && strings.Contains(p.Err.Error(), "s3cret")) {
			t.Errorf("%q: password leaked: %q %v", in, p.Value, p.Err)
		}
	}
	if p := netstate.ParseProxy("HTTPS_PROXY", "http://alice:s3cret@[::1", "https"); p.Err == nil || strings.Contains(p.Err.Error(), "s3cret") {
		t.Errorf("malformed URL with a password: %v", p.Err)
	}
}

func TestIsThisHost(t *testing.T) {
	for a, want := range map[string]bool{
		"127.0.0.1": true, "127.0.1.1": true, "::1": true, "fe80::1%lo0": true, "0.0.0.0": true,
		"fe80::1%en0": false, "192.0.2.10": false, "::ffff:10.0.0.1": false,
	} {
		if got := netstate.IsThisHost(netip.MustParseAddr(a)); got != want {
			t.Errorf("isThisHost(%s) = %v, want %v", a, got, want)
		}
	}
}

// hostsLocal is a LocalSystem whose hosts file is data.
type hostsLocal struct {
	fakeLocal
	data []byte
}

func (f *hostsLocal) HostsFile() (string, []byte, error) { return "/etc/hosts", f.data, nil }

// The size of the hosts file never decides the hosts check: a blocklist
// of several MB or one enormous line before the localhost line still
// passes, and a file beyond what is read, without a localhost line in the
// part read, is unknown, never "missing". The resolver is not asked then:
// it would read the same file within the deadline.
func TestCollectHostsBounded(t *testing.T) {
	local := "127.0.0.1 localhost\n::1 localhost\n"
	var block strings.Builder
	for i := 0; block.Len() < 6500000; i++ {
		fmt.Fprintf(&block, "0.0.0.0 ads-%d.tracker.example\n", i)
	}
	beyond := strings.Repeat("0.0.0.0 ads.tracker.example\n", netstate.MaxHostsFile/28+1)
	for _, tc := range []struct {
		name   string
		data   string
		status diagnose.Status
		asks   bool // the resolver is asked (the line is not read in full)
	}{
		{"6.5 MB blocklist", block.String() + local, diagnose.StatusPass, false},
		{"3 MiB line first", "10.0.0.1 " + strings.Repeat("a", 3<<20) + "\n" + local, diagnose.StatusPass, false},
		{"3 MiB of names on the line", "127.0.0.1 " + strings.Repeat("x ", 3<<19) + "localhost\n", diagnose.StatusPass, true},
		{"beyond the bound", beyond[:netstate.MaxHostsFile+1] + local, diagnose.StatusUnknown, false},
		{"localhost inside the bound", local + beyond[:netstate.MaxHostsFile+1], diagnose.StatusPass, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := collectHosts(context.Background(), &hostsLocal{data: []byte(tc.data)})
			if h.Looked != tc.asks {
				t.Errorf("the resolver was asked: %+v", h.Resolved)
			}
			d := diagnose.Diagnose(&netstate.State{OS: "linux", Hosts: h})
			for _, c := range d.Checks {
				if c.ID == "hosts" && c.Status != tc.status {
					t.Errorf("hosts = %s, want %s (%s)", c.Status, tc.status, c.Detail)
				}
			}
			for _, f := range d.Findings {
				if strings.HasPrefix(f.ID, "hosts-") {
					t.Errorf("hosts finding %s: %s", f.ID, f.Summary)
				}
			}
		})
	}
}
