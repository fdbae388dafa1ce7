//go:build linux

package lab

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/icmp"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// The test binary doubles as a probe that runs inside the lab's namespaces
// (a Go process cannot move all its threads into another netns, but it can
// be started in one): NETGUARD_LAB_HELPER=1 lab.test tcp|icmp|resolve ARG.
const helperEnv = "NETGUARD_LAB_HELPER"

// Helper exit codes.
const (
	helperOK       = 0 // answered (a TCP refusal is an answer)
	helperNoAnswer = 1 // no answer or a network error
	helperDenied   = 3 // the socket was not allowed (EACCES/EPERM)
	helperUsage    = 4
)

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "1" {
		os.Exit(helper(os.Args[1:]))
	}
	os.Exit(m.Run())
}

func helper(args []string) int {
	if len(args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: tcp HOST:PORT | icmp IP | resolve NAME")
		return helperUsage
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	switch args[0] {
	case "tcp":
		d := net.Dialer{Timeout: time.Second}
		c, err := d.DialContext(ctx, "tcp", args[1])
		if err == nil {
			c.Close()
			fmt.Println("connected")
			return helperOK
		}
		if errors.Is(err, syscall.ECONNREFUSED) {
			fmt.Println("refused")
			return helperOK
		}
		fmt.Println(err)
		return helperNoAnswer
	case "icmp":
		return helperPing(args[1])
	case "resolve":
		addrs, err := net.DefaultResolver.LookupHost(ctx, args[1])
		if err != nil {
			fmt.Println(err)
			return helperNoAnswer
		}
		fmt.Println(strings.Join(addrs, " "))
		return helperOK
	}
	return helperUsage
}

// helperPing sends one unprivileged ICMP echo (a datagram ICMP socket, as
// an unprivileged guard does) and waits a second for the reply.
func helperPing(target string) int {
	ip := net.ParseIP(target)
	network, laddr, proto := "udp4", "0.0.0.0", 1
	var typ icmp.Type = ipv4.ICMPTypeEcho
	if ip.To4() == nil {
		network, laddr, proto, typ = "udp6", "::", 58, ipv6.ICMPTypeEchoRequest
	}
	c, err := icmp.ListenPacket(network, laddr)
	if err != nil {
		fmt.Println(err)
		if errors.Is(err, syscall.EACCES) || errors.Is(err, syscall.EPERM) {
			return helperDenied
		}
		return helperNoAnswer
	}
	defer c.Close()
	msg := icmp.Message{Type: typ, Body: &icmp.Echo{ID: os.Getpid() & 0xffff, Seq: 1, Data: []byte("netguard-lab")}}
	b, _ := msg.Marshal(nil)
	if _, err := c.WriteTo(b, &net.UDPAddr{IP: ip}); err != nil {
		fmt.Println(err)
		return helperNoAnswer
	}
	_ = c.SetReadDeadline(time.Now().Add(time.Second))
	buf := make([]byte, 1500)
	for range 10 {
		n, _, err := c.ReadFrom(buf)
		if err != nil {
			fmt.Println(err)
			return helperNoAnswer
		}
		if m, err := icmp.ParseMessage(proto, buf[:n]); err == nil &&
			(m.Type == ipv4.ICMPTypeEchoReply || m.Type == ipv6.ICMPTypeEchoReply) {
			fmt.Println("reply")
			return helperOK
		}
	}
	return helperNoAnswer
}

// probe runs the helper in the client namespace, as root (user "") or as
// user, and returns its exit code and output.
func probe(t *testing.T, l *Lab, user, kind, arg string) (int, string) {
	t.Helper()
	code, out, err := probeErr(l, helperBinary(t, l), user, kind, arg)
	if err != nil {
		t.Fatal(err)
	}
	return code, out
}

// probeErr is probe for other goroutines than the test's: it reports
// instead of failing.
func probeErr(l *Lab, bin, user, kind, arg string) (int, string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := l.Cmd(ctx, l.Client, bin, kind, arg)
	if user != "" {
		cmd = l.CmdAs(ctx, l.Client, user, bin, kind, arg)
	}
	cmd.Env = append(cmd.Env, helperEnv+"=1")
	out, err := cmd.CombinedOutput()
	return exitCode(cmd, err, out)
}

// exitCode turns cmd's result into an exit code, or an error if it did
// not run.
func exitCode(cmd *exec.Cmd, err error, out []byte) (int, string, error) {
	text := strings.TrimSpace(string(out))
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, text, nil
	case errors.As(err, &ee):
		return ee.ExitCode(), text, nil
	}
	return -1, text, fmt.Errorf("%s: %w\n%s", strings.Join(cmd.Args, " "), err, text)
}

// helperBinary copies the test binary into the lab's 0755 directory so
// that an unprivileged user can run it (go test's build dir is 0700).
func helperBinary(t *testing.T, l *Lab) string {
	t.Helper()
	dst := filepath.Join(l.Dir, "labhelper")
	if _, err := os.Stat(dst); err == nil {
		return dst
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	in, err := os.Open(self)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst+".tmp", os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(dst+".tmp", dst); err != nil {
		t.Fatal(err)
	}
	return dst
}

// ping runs iputils ping once as root in the client and reports success.
func ping(t *testing.T, l *Lab, target string) bool {
	t.Helper()
	_, _, code := l.Run(t, l.Client, "ping", "-n", "-q", "-c1", "-W1", target)
	return code == 0
}

type expect struct {
	gw, gw6, ext, ext6 bool // iputils ping as root answers
	tcp, tcp6          bool // TCP 53 on the external host answers (connect or refusal)
	dns                bool // DNSName resolves (Go resolver)
	unpriv             int  // helper icmp to the external host as nobody: exit code
}

var healthy = expect{gw: true, gw6: true, ext: true, ext6: true, tcp: true, tcp6: true, dns: true, unpriv: helperOK}

// assertReach checks every path of the lab against e, all at once (each
// failing probe waits up to a second or two).
func assertReach(t *testing.T, l *Lab, e expect) {
	t.Helper()
	bin := helperBinary(t, l)
	type check struct {
		name       string
		user, kind string
		arg        string
		want       int // exit code
	}
	want := func(ok bool) int {
		if ok {
			return 0
		}
		return helperNoAnswer
	}
	checks := []check{
		{name: "ping gateway", kind: "ping", arg: GatewayIP, want: want(e.gw)},
		{name: "ping gateway6", kind: "ping", arg: GatewayIP6, want: want(e.gw6)},
		{name: "ping external", kind: "ping", arg: ExternalIP, want: want(e.ext)},
		{name: "ping external6", kind: "ping", arg: ExternalIP6, want: want(e.ext6)},
		{name: "tcp 53", kind: "tcp", arg: net.JoinHostPort(ExternalIP, "53"), want: want(e.tcp)},
		{name: "tcp6 53", kind: "tcp", arg: net.JoinHostPort(ExternalIP6, "53"), want: want(e.tcp6)},
		{name: "resolve", kind: "resolve", arg: DNSName, want: want(e.dns)},
		{name: "unprivileged ICMP echo as nobody", user: "nobody", kind: "icmp", arg: ExternalIP, want: e.unpriv},
	}
	type result struct {
		code int
		out  string
		err  error
	}
	results := make([]result, len(checks))
	var wg sync.WaitGroup
	for i, c := range checks {
		wg.Go(func() {
			var r result
			if c.kind == "ping" {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				cmd := l.Cmd(ctx, l.Client, "ping", "-n", "-q", "-c1", "-W1", c.arg)
				out, err := cmd.CombinedOutput()
				r.code, r.out, r.err = exitCode(cmd, err, out)
				if r.code > 0 {
					r.code = helperNoAnswer
				}
			} else {
				r.code, r.out, r.err = probeErr(l, bin, c.user, c.kind, c.arg)
			}
			results[i] = r
		})
	}
	wg.Wait()
	for i, c := range checks {
		r := results[i]
		switch {
		case r.err != nil:
			t.Errorf("%s: %v", c.name, r.err)
		case r.code != c.want:
			t.Errorf("%s %s: exit %d (%s), want %d", c.name, c.arg, r.code, r.out, c.want)
		case c.kind == "resolve" && r.code == 0 && !strings.Contains(r.out, DNSAddr):
			t.Errorf("resolve %s = %q, want %s", DNSName, r.out, DNSAddr)
		}
	}
}

func TestLabHealthy(t *testing.T) {
	t.Parallel()
	l := New(t)
	for _, n := range []string{l.Client, l.Router, l.Internet} {
		if !regexp.MustCompile(`^ng[0-9a-f]{6}-[cri]$`).MatchString(n) {
			t.Errorf("namespace name %q", n)
		}
		if _, err := os.Stat("/run/netns/" + n); err != nil {
			t.Errorf("namespace %s: %v", n, err)
		}
	}
	for _, n := range []string{l.ClientIf, l.RouterLANIf, l.RouterWANIf, l.InternetIf} {
		if len(n) > 15 {
			t.Errorf("interface name %q longer than 15", n)
		}
	}
	assertReach(t, l, healthy)
	code, out := probe(t, l, "nobody", "icmp", ExternalIP6)
	if code != helperOK {
		t.Errorf("unprivileged ICMPv6 echo as nobody: exit %d (%s)", code, out)
	}
	code, out = probe(t, l, "", "tcp", net.JoinHostPort(ExternalIP, "443"))
	if code != helperOK || out != "refused" {
		t.Errorf("tcp 443 on the external host: exit %d %q, want a refusal", code, out)
	}
	code, out = probe(t, l, "", "resolve", "nope.lab.test")
	if code == helperOK {
		t.Errorf("nope.lab.test resolved: %s", out)
	}
	stdout, _, _ := l.Run(t, l.Client, "getent", "ahosts", DNSName)
	if !strings.Contains(stdout, DNSAddr) {
		t.Errorf("getent ahosts %s in the client = %q, want %s", DNSName, stdout, DNSAddr)
	}
	stdout, _, _ = l.Run(t, l.Client, "cat", "/etc/resolv.conf")
	if !strings.Contains(stdout, "nameserver "+ExternalIP) {
		t.Errorf("client resolv.conf = %q", stdout)
	}

	// The lab's own traffic must not make the snapshot drift.
	s1 := l.Snapshot(t)
	for _, want := range []string{GatewayIP + " dev " + l.ClientIf + " lladdr " + GatewayMAC, "default via " + GatewayIP, "default via " + GatewayIP6, ClientIP + "/24", ClientIP6 + "/64"} {
		if !strings.Contains(s1, want) {
			t.Errorf("snapshot lacks %q:\n%s", want, s1)
		}
	}
	assertReach(t, l, healthy)
	if s2 := l.Snapshot(t); s2 != s1 {
		t.Errorf("snapshot changed with no fault:\n--- before\n%s\n--- after\n%s", s1, s2)
	}
	l.LinkDown()
	if s3 := l.Snapshot(t); s3 == s1 {
		t.Errorf("snapshot did not change after LinkDown")
	}
}

func TestLabRunAs(t *testing.T) {
	t.Parallel()
	l := New(t, WithoutDNS())
	stdout, stderr, code := l.RunAs(t, l.Client, "nobody", "sh", "-c", "id -u; id -G; cat /proc/self/status | grep CapEff")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	fields := strings.Fields(stdout)
	if len(fields) < 4 || fields[0] != "65534" || fields[1] != "65534" || fields[3] != "0000000000000000" {
		t.Errorf("as nobody: %q, want uid 65534, only gid 65534, no capabilities", stdout)
	}
	stdout, _, code = l.Run(t, l.Client, "sh", "-c", "echo $XDG_CONFIG_HOME; pwd; cat /proc/sys/net/ipv4/ping_group_range")
	if code != 0 || !strings.Contains(stdout, l.Dir) || !strings.Contains(stdout, "0\t2147483647") {
		t.Errorf("root in client: exit %d %q", code, stdout)
	}
	// WithoutDNS: nothing answers on 53, names fail fast.
	if c, out := probe(t, l, "", "resolve", DNSName); c == helperOK {
		t.Errorf("resolved without a DNS server: %s", out)
	}
}

func TestLabTeardown(t *testing.T) {
	t.Parallel()
	var l *Lab
	var dnsPid int
	t.Run("lab", func(t *testing.T) {
		l = New(t)
		l.mu.Lock()
		dnsPid = l.dns.Process.Pid
		l.mu.Unlock()
	})
	if l == nil {
		t.Fatal("no lab")
	}
	for _, p := range []string{"/run/netns/" + l.Client, "/run/netns/" + l.Router, "/run/netns/" + l.Internet, "/etc/netns/" + l.Client, l.Dir} {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s left behind (%v)", p, err)
		}
	}
	out, err := runIP("", "netns", "list")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), l.Prefix) {
		t.Errorf("ip netns list still shows %s:\n%s", l.Prefix, out)
	}
	if cmdline, err := os.ReadFile("/proc/" + strconv.Itoa(dnsPid) + "/cmdline"); err == nil && strings.Contains(string(cmdline), l.Prefix) {
		t.Errorf("dnsmasq (pid %d) still running: %q", dnsPid, cmdline)
	}
}

func TestLabFaults(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		fault func(*Lab)
		want  expect
		check func(*testing.T, *Lab)
	}{
		{
			name:  "WrongGatewayMAC",
			fault: (*Lab).WrongGatewayMAC,
			want:  expect{unpriv: helperNoAnswer},
			check: func(t *testing.T, l *Lab) {
				out, _, _ := l.Run(t, l.Client, "ip", "neigh", "show", GatewayIP)
				if !strings.Contains(out, WrongMAC) || !strings.Contains(out, "PERMANENT") {
					t.Errorf("gateway neighbor = %q, want %s PERMANENT", out, WrongMAC)
				}
				// The old script's repair cannot remove it.
				l.Run(t, l.Client, "ip", "neigh", "flush", "all")
				out, _, _ = l.Run(t, l.Client, "ip", "neigh", "show", GatewayIP)
				if !strings.Contains(out, "PERMANENT") || ping(t, l, ExternalIP) {
					t.Errorf("ip neigh flush all removed the permanent entry or repaired the path: %q", out)
				}
			},
		},
		{
			name:  "StaleGatewayMAC",
			fault: (*Lab).StaleGatewayMAC,
			want:  expect{unpriv: helperNoAnswer},
			check: func(t *testing.T, l *Lab) {
				out, _, _ := l.Run(t, l.Client, "ip", "neigh", "show", GatewayIP)
				if !strings.Contains(out, GatewayMAC) || strings.Contains(out, "PERMANENT") {
					t.Errorf("gateway neighbor = %q, want dynamic %s", out, GatewayMAC)
				}
				// The narrow repair works: delete the entry, resolve anew.
				l.Run(t, l.Client, "ip", "neigh", "del", GatewayIP, "dev", l.ClientIf)
				if !ping(t, l, ExternalIP) {
					t.Errorf("deleting the stale entry did not repair IPv4")
				}
				out, _, _ = l.Run(t, l.Client, "ip", "neigh", "show", GatewayIP)
				if !strings.Contains(out, NewGatewayMAC) {
					t.Errorf("after repair gateway neighbor = %q, want %s", out, NewGatewayMAC)
				}
			},
		},
		{
			name:  "UnreachableRouteToGateway",
			fault: (*Lab).UnreachableRouteToGateway,
			want:  expect{ext: true, ext6: true, tcp: true, tcp6: true, dns: true, unpriv: helperOK},
			check: func(t *testing.T, l *Lab) {
				if code, out := probe(t, l, "", "tcp", net.JoinHostPort(GatewayIP, "80")); code == helperOK || !strings.Contains(out, "no route to host") {
					t.Errorf("tcp to the gateway: exit %d %q, want EHOSTUNREACH", code, out)
				}
			},
		},
		{
			name:  "RemoveDefaultRoute",
			fault: (*Lab).RemoveDefaultRoute,
			want:  expect{gw: true, gw6: true, unpriv: helperNoAnswer},
		},
		{
			name:  "LinkDown",
			fault: (*Lab).LinkDown,
			want:  expect{unpriv: helperNoAnswer},
		},
		{
			name:  "StopDNS",
			fault: (*Lab).StopDNS,
			// TCP 53 is refused now: still an answer from the host.
			want: expect{gw: true, gw6: true, ext: true, ext6: true, tcp: true, tcp6: true, unpriv: helperOK},
			check: func(t *testing.T, l *Lab) {
				if _, _, code := l.Run(t, l.Client, "getent", "hosts", DNSName); code == 0 {
					t.Errorf("getent resolved %s with DNS stopped", DNSName)
				}
				l.StartDNS()
				deadline := time.Now().Add(3 * time.Second)
				for {
					code, out := probe(t, l, "", "resolve", DNSName)
					if code == helperOK {
						break
					}
					if time.Now().After(deadline) {
						t.Errorf("StartDNS: still not resolving: %s", out)
						break
					}
					time.Sleep(50 * time.Millisecond)
				}
			},
		},
		{
			name:  "DisableUnprivICMP",
			fault: (*Lab).DisableUnprivICMP,
			want:  expect{gw: true, gw6: true, ext: true, ext6: true, tcp: true, tcp6: true, dns: true, unpriv: helperDenied},
		},
		{
			name:  "DropICMP",
			fault: (*Lab).DropICMP,
			want:  expect{tcp: true, tcp6: true, dns: true, unpriv: helperNoAnswer},
		},
		{
			name:  "DropTCP",
			fault: (*Lab).DropTCP,
			want:  expect{gw: true, gw6: true, ext: true, ext6: true, dns: true, unpriv: helperOK},
			check: func(t *testing.T, l *Lab) {
				if code, out := probe(t, l, "", "tcp", net.JoinHostPort(ExternalIP, "443")); code == helperOK {
					t.Errorf("tcp 443 answered through DropTCP: %s", out)
				}
			},
		},
		{
			name:  "PacketLoss100",
			fault: func(l *Lab) { l.PacketLoss(100) },
			want:  expect{unpriv: helperNoAnswer},
		},
		{
			name:  "BlackholeExternal",
			fault: (*Lab).BlackholeExternal,
			want:  expect{gw: true, gw6: true, unpriv: helperNoAnswer},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := New(t)
			tc.fault(l)
			assertReach(t, l, tc.want)
			if tc.check != nil {
				tc.check(t, l)
			}
		})
	}
}

func TestLabPacketLoss(t *testing.T) {
	t.Parallel()
	l := New(t)
	l.PacketLoss(30)
	// 200 echoes 2 ms apart (root may go below 0.2 s); no -w, with which
	// ping would wait for 200 replies instead of sending 200 requests.
	stdout, stderr, _ := l.Run(t, l.Client, "ping", "-n", "-q", "-c200", "-i0.002", "-W1", ExternalIP)
	m := regexp.MustCompile(`(\d+) packets transmitted, (\d+) received`).FindStringSubmatch(stdout)
	if m == nil {
		t.Fatalf("ping output: %s %s", stdout, stderr)
	}
	sent, _ := strconv.Atoi(m[1])
	got, _ := strconv.Atoi(m[2])
	// Loss applies to the replies only: expect ~140 of 200 (sd ~6.5).
	if sent != 200 || got < 110 || got > 170 {
		t.Errorf("30%% loss: %d of %d echoes answered, want about 140 of 200", got, sent)
	}
}

// TestLabSeedScript runs the baseline script in the lab: it passes on a
// healthy lab and fails on a broken one (LinkDown fails fast; a wrong
// gateway MAC takes the script over 20 s of traceroute timeouts).
func TestLabSeedScript(t *testing.T) {
	t.Parallel()
	script := SeedScript(t)
	for _, tc := range []struct {
		name  string
		fault func(*Lab)
		want  int
	}{
		{"healthy", nil, 0},
		{"LinkDown", (*Lab).LinkDown, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := New(t)
			if tc.fault != nil {
				tc.fault(l)
			}
			start := time.Now()
			stdout, stderr, code := l.Run(t, l.Client, "bash", script, "check")
			t.Logf("seed-check.sh check: exit %d in %v", code, time.Since(start).Round(time.Millisecond))
			if code != tc.want {
				t.Errorf("exit %d, want %d\n%s%s", code, tc.want, stdout, stderr)
			}
		})
	}
}

// TestLabPrivateRun holds that a run through PrivateRun sees RunDir as
// /run, as root and as nobody, while the host's /run is left as it was.
func TestLabPrivateRun(t *testing.T) {
	t.Parallel()
	l := New(t, WithoutDNS())
	const want = "nameserver 192.0.2.53\n"
	l.WriteRunFile("systemd/resolve/resolv.conf", want)
	_, hostErr := os.Stat("/run/systemd/resolve/resolv.conf")
	for _, user := range []string{"", "nobody"} {
		ctx, cancel := context.WithTimeout(context.Background(), RunTimeout)
		argv := []string{"cat", "/run/systemd/resolve/resolv.conf"}
		cmd := l.Cmd(ctx, l.Client, argv...)
		if user != "" {
			cmd = l.CmdAs(ctx, l.Client, user, argv...)
		}
		stdout, stderr, code := RunCmd(t, l.PrivateRun(cmd))
		cancel()
		if code != 0 || stdout != want {
			t.Errorf("as %q: exit %d, %q (%s), want %q", user, code, stdout, stderr, want)
		}
	}
	if _, err := os.Stat("/run/systemd/resolve/resolv.conf"); errors.Is(err, os.ErrNotExist) != errors.Is(hostErr, os.ErrNotExist) {
		t.Errorf("the host's /run/systemd/resolve/resolv.conf changed: %v, was %v", err, hostErr)
	}
	if _, err := os.Stat("/run/netns/" + l.Client); err != nil {
		t.Errorf("the host's /run lost the lab's namespace: %v", err)
	}
	// wireguard-go's sockets pass through.
	if _, err := os.Stat("/run/wireguard"); err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), RunTimeout)
		defer cancel()
		probe := filepath.Join("/run/wireguard", l.Prefix+"-probe")
		if err := os.WriteFile(probe, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		defer os.Remove(probe)
		if _, stderr, code := RunCmd(t, l.PrivateRun(l.Cmd(ctx, l.Client, "test", "-e", probe))); code != 0 {
			t.Errorf("%s not seen through PrivateRun: exit %d %s", probe, code, stderr)
		}
	}
	if cmd := l.PrivateRun(exec.Command("true")); cmd.Err == nil {
		t.Error("PrivateRun took a command not made by Cmd")
	}
}

// TestLabTunnelTeardown holds that the wireguard-go daemons of a lab's
// tunnel (the client's, started by wg-quick, and the server's) and their
// sockets in the host-wide /var/run/wireguard are gone with the lab.
func TestLabTunnelTeardown(t *testing.T) {
	t.Parallel()
	var l *Lab
	t.Run("lab", func(t *testing.T) {
		l = New(t, WithoutDNS())
		l.LiveTunnel()
		if WGDaemon(l.TunnelIf()) == 0 {
			t.Errorf("no wireguard-go daemon for %s", l.TunnelIf())
		}
	})
	if l == nil {
		t.Fatal("no lab")
	}
	for _, dev := range []string{l.TunnelIf(), l.tunnelServerIf()} {
		if pid := WGDaemon(dev); pid != 0 {
			t.Errorf("wireguard-go %s (pid %d) still runs", dev, pid)
		}
		if _, err := os.Stat(wgSocket(dev)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("socket of %s left behind (%v)", dev, err)
		}
	}
}
