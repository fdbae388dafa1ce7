//go:build linux

package lab

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The lab's fixed addresses. Every lab uses the same ones: each lives in its
// own namespaces, so they never meet.
const (
	GatewayIP   = "198.18.3.1"    // router, LAN side
	ClientIP    = "198.18.3.2"    // client
	GatewayIP6  = "2001:db8:3::1" // router, LAN side
	ClientIP6   = "2001:db8:3::2" // client
	RouterWANIP = "203.0.113.1"   // router, internet side
	// RouterWANIP6 is the router's internet-side IPv6 address.
	RouterWANIP6 = "2001:db8:113::1"
	ExternalIP   = "203.0.113.5"     // internet host, runs the DNS server
	ExternalIP6  = "2001:db8:113::5" // internet host, runs the DNS server
	DNSName      = "www.lab.test"    // resolves to DNSAddr and DNSAddr6
	DNSAddr      = "203.0.113.80"    // an address of the internet host too
	DNSAddr6     = "2001:db8:113::80"

	// WrongMAC is the gateway MAC that WrongGatewayMAC installs.
	WrongMAC = "02:00:00:00:00:01"
	// GatewayMAC is the router's LAN MAC until StaleGatewayMAC changes it
	// to NewGatewayMAC.
	GatewayMAC    = "02:6e:67:03:00:01"
	NewGatewayMAC = "02:6e:67:03:00:99"
	clientMAC     = "02:6e:67:03:00:02"
	routerWANMAC  = "02:6e:67:71:00:01"
	internetMAC   = "02:6e:67:71:00:05"
)

// cmdTimeout bounds every command the lab runs for itself.
const cmdTimeout = 20 * time.Second

// Lab is one running lab. The string fields are the exported names a test
// needs; the address fields repeat the package constants for convenience.
type Lab struct {
	Prefix   string // "ng" + 6 hex digits; every name below starts with it
	Client   string // client namespace: Prefix + "-c"
	Router   string // router namespace: Prefix + "-r"
	Internet string // internet namespace: Prefix + "-i"

	ClientIf    string // client's veth, towards the router
	RouterLANIf string // router's veth, towards the client
	RouterWANIf string // router's veth, towards the internet host
	InternetIf  string // internet host's veth

	GatewayIP   string // 198.18.3.1
	GatewayIP6  string // 2001:db8:3::1
	ExternalIP  string // 203.0.113.5
	ExternalIP6 string // 2001:db8:113::5
	DNSName     string // www.lab.test

	// Dir is a 0755 directory owned by the lab and removed with it; Cmd
	// and CmdAs run there, so no .netguard.yaml above the test's working
	// directory is found. It holds dnsmasq's log.
	Dir string

	t         testing.TB
	cfg       options
	mu        sync.Mutex
	dns       *exec.Cmd     // nil once stopped
	dnsDone   chan struct{} // closed when dns has exited
	dnsLog    string
	netnsConf string // /etc/netns/<client>
}

// Option changes how New builds a lab.
type Option func(*options)

type options struct {
	noDNS        bool
	readyTimeout time.Duration
}

// WithoutDNS builds the lab without a DNS server; names then fail to
// resolve, as after StopDNS.
func WithoutDNS() Option { return func(o *options) { o.noDNS = true } }

// ReadyTimeout bounds the wait for the lab to answer (default 5 s, far
// more than a quiet machine needs, so a loaded CI runner passes too).
func ReadyTimeout(d time.Duration) Option { return func(o *options) { o.readyTimeout = d } }

// New builds a lab, waits until it works and registers its teardown with
// t.Cleanup. It fails t if anything goes wrong, including when not root.
func New(t testing.TB, opts ...Option) *Lab {
	t.Helper()
	RequireRoot(t)
	cfg := options{readyTimeout: 5 * time.Second}
	for _, o := range opts {
		o(&cfg)
	}
	for _, bin := range []string{"ip", "nft", "sh", "ping"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Fatalf("lab: %s not found (install iproute2 nftables iputils-ping): %v", bin, err)
		}
	}
	if !cfg.noDNS {
		if _, err := exec.LookPath("dnsmasq"); err != nil {
			t.Fatalf("lab: dnsmasq not found (install dnsmasq-base): %v", err)
		}
	}

	l := &Lab{
		GatewayIP:   GatewayIP,
		GatewayIP6:  GatewayIP6,
		ExternalIP:  ExternalIP,
		ExternalIP6: ExternalIP6,
		DNSName:     DNSName,
		t:           t,
		cfg:         cfg,
	}
	if swept, err := sweepStale(os.TempDir()); len(swept) > 0 || err != nil {
		t.Logf("lab: swept the labs of killed test processes %v (errors: %v)", swept, err)
	}
	l.Prefix = uniquePrefix(t)
	l.Client, l.Router, l.Internet = l.Prefix+"-c", l.Prefix+"-r", l.Prefix+"-i"
	l.ClientIf, l.RouterLANIf = l.Prefix+"-c0", l.Prefix+"-r0"
	l.RouterWANIf, l.InternetIf = l.Prefix+"-r1", l.Prefix+"-i0"
	l.netnsConf = filepath.Join("/etc/netns", l.Client)

	dir, err := os.MkdirTemp("", "netguard-lab-"+l.Prefix+"-")
	if err != nil {
		t.Fatalf("lab: %v", err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatalf("lab: %v", err)
	}
	if err := writeOwner(dir); err != nil {
		t.Fatalf("lab: %v", err)
	}
	if err := os.Mkdir(filepath.Join(dir, "config"), 0o755); err != nil {
		t.Fatalf("lab: %v", err)
	}
	l.Dir = dir
	// Registered before anything is created, so a failure half-way through
	// still removes what exists.
	t.Cleanup(l.teardown)

	l.build()
	if !cfg.noDNS {
		l.startDNS()
	}
	l.waitReady()
	return l
}

// RequireRoot fails t unless the process is root. Lab tests never skip: a
// lab that cannot be built is a failure.
func RequireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatalf("lab: needs root (euid %d); run the lab tests as root, e.g. sudo go test", os.Geteuid())
	}
}

// RequireSudo fails the test when sudo is missing: the tests that use it
// prove what guard does through a real sudo, and CI installs it.
func RequireSudo(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("sudo"); err != nil {
		t.Fatal("sudo is not installed (CI installs it): ", err)
	}
}

// uniquePrefix picks "ng" + 6 hex digits not used by any existing namespace.
func uniquePrefix(t testing.TB) string {
	t.Helper()
	for range 20 {
		var b [3]byte
		if _, err := rand.Read(b[:]); err != nil {
			t.Fatalf("lab: random: %v", err)
		}
		p := "ng" + hex.EncodeToString(b[:])
		taken := false
		for _, s := range []string{"-c", "-r", "-i"} {
			if _, err := os.Stat("/run/netns/" + p + s); err == nil {
				taken = true
			}
		}
		if _, err := os.Stat("/etc/netns/" + p + "-c"); err == nil {
			taken = true
		}
		// wireguard-go's sockets are host-wide: one left by a killed run
		// must not meet this lab's tunnel.
		if m, _ := filepath.Glob("/var/run/wireguard/" + p + "-*"); len(m) > 0 {
			taken = true
		}
		if !taken {
			return p
		}
	}
	t.Fatalf("lab: no free namespace prefix after 20 tries")
	return ""
}

// build creates namespaces, links, addresses, routes and sysctls, and the
// client's resolv.conf.
func (l *Lab) build() {
	t := l.t
	t.Helper()
	c, r, i := l.Client, l.Router, l.Internet

	// Namespaces first, DAD off before any link exists in them (so no
	// address is ever "tentative": a snapshot must not change by itself),
	// then the veth pairs created directly inside them, so nothing is ever
	// left in the host's namespace.
	l.mustIP("", "-batch", "-", "netns add "+c+"\nnetns add "+r+"\nnetns add "+i+"\n")
	for _, ns := range []string{c, r, i} {
		kv := []string{
			"net/ipv6/conf/all/accept_dad", "0",
			"net/ipv6/conf/default/accept_dad", "0",
			"net/ipv6/conf/all/accept_ra", "0",
			"net/ipv6/conf/default/accept_ra", "0",
		}
		switch ns {
		case r:
			kv = append(kv,
				"net/ipv4/ip_forward", "1",
				"net/ipv6/conf/all/forwarding", "1",
			)
		case c:
			kv = append(kv, "net/ipv4/ping_group_range", "0 2147483647")
		}
		l.sysctl(ns, kv...)
	}
	//
	// Each veth gets its own ifindex: with both ends at the same index (2 in
	// fresh namespaces) the kernel does not treat the peer's carrier change
	// as urgent (linkwatch_urgent_event compares ifindex and iflink) and
	// delays it up to a second, and IPv6 on the end brought up first stays
	// unconfigured (no multicast route, first neighbor solicitation lost)
	// until then.
	l.mustIP("", "-batch", "-", fmt.Sprintf(
		"link add name %s netns %s index 11 address %s type veth peer name %s netns %s index 12 address %s\n"+
			"link add name %s netns %s index 13 address %s type veth peer name %s netns %s index 14 address %s\n",
		l.ClientIf, c, clientMAC, l.RouterLANIf, r, GatewayMAC,
		l.RouterWANIf, r, routerWANMAC, l.InternetIf, i, internetMAC))

	l.mustIP(c, "-batch", "-", strings.Join([]string{
		"link set lo up",
		"addr add " + ClientIP + "/24 dev " + l.ClientIf,
		"addr add " + ClientIP6 + "/64 dev " + l.ClientIf + " nodad",
		"link set " + l.ClientIf + " up",
		"route add default via " + GatewayIP + " dev " + l.ClientIf,
		"route add ::/0 via " + GatewayIP6 + " dev " + l.ClientIf,
	}, "\n")+"\n")
	l.mustIP(r, "-batch", "-", strings.Join([]string{
		"link set lo up",
		"addr add " + GatewayIP + "/24 dev " + l.RouterLANIf,
		"addr add " + GatewayIP6 + "/64 dev " + l.RouterLANIf + " nodad",
		"addr add " + RouterWANIP + "/24 dev " + l.RouterWANIf,
		"addr add " + RouterWANIP6 + "/64 dev " + l.RouterWANIf + " nodad",
		"link set " + l.RouterLANIf + " up",
		"link set " + l.RouterWANIf + " up",
	}, "\n")+"\n")
	l.mustIP(i, "-batch", "-", strings.Join([]string{
		"link set lo up",
		"addr add " + ExternalIP + "/24 dev " + l.InternetIf,
		"addr add " + DNSAddr + "/24 dev " + l.InternetIf,
		"addr add " + ExternalIP6 + "/64 dev " + l.InternetIf + " nodad",
		"addr add " + DNSAddr6 + "/64 dev " + l.InternetIf + " nodad",
		"link set " + l.InternetIf + " up",
		"route add default via " + RouterWANIP + " dev " + l.InternetIf,
		"route add ::/0 via " + RouterWANIP6 + " dev " + l.InternetIf,
	}, "\n")+"\n")

	// ip netns exec bind-mounts every file of /etc/netns/<ns>/ over /etc/.
	if err := os.MkdirAll(l.netnsConf, 0o755); err != nil {
		t.Fatalf("lab: %v", err)
	}
	resolv := "# netguard lab " + l.Prefix + "\nnameserver " + ExternalIP + "\n"
	if err := os.WriteFile(filepath.Join(l.netnsConf, "resolv.conf"), []byte(resolv), 0o644); err != nil {
		t.Fatalf("lab: %v", err)
	}
}

// startDNS starts dnsmasq in the internet namespace, in the foreground, as
// a child of the test process that dies with it.
func (l *Lab) startDNS() {
	t := l.t
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.dns != nil {
		return
	}
	l.dnsLog = filepath.Join(l.Dir, "dnsmasq.log")
	logf, err := os.OpenFile(l.dnsLog, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatalf("lab: %v", err)
	}
	defer logf.Close()
	args := []string{"netns", "exec", l.Internet, "dnsmasq",
		"--keep-in-foreground",
		"--conf-file=/dev/null", // not /etc/dnsmasq.conf
		"--no-resolv", "--no-hosts", "--no-poll",
		"--bind-interfaces",
		"--listen-address=" + ExternalIP,
		"--listen-address=" + ExternalIP6,
		"--port=53",
		"--local=/lab.test/",
		"--host-record=" + DNSName + "," + DNSAddr + "," + DNSAddr6,
		"--user=root",
		"--pid-file=" + filepath.Join(l.Dir, "dnsmasq.pid"),
		"--log-facility=" + l.dnsLog,
		"--log-queries",
	}
	cmd := exec.Command("ip", args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Dir = l.Dir
	// ip netns exec execs dnsmasq in place, so this is dnsmasq's own
	// parent-death signal: a crashed test leaves no server behind.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("lab: ip %s: %v", strings.Join(args, " "), err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	l.dns, l.dnsDone = cmd, done
}

// stopDNS stops dnsmasq and waits for it; it is idempotent.
func (l *Lab) stopDNS() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.dns == nil {
		return nil
	}
	cmd, done := l.dns, l.dnsDone
	l.dns, l.dnsDone = nil, nil
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
		return nil
	case <-time.After(3 * time.Second):
	}
	_ = cmd.Process.Kill()
	select {
	case <-done:
		return nil
	case <-time.After(3 * time.Second):
		return fmt.Errorf("dnsmasq (pid %d) did not exit after SIGKILL", cmd.Process.Pid)
	}
}

// dnsRunning reports whether dnsmasq is still running.
func (l *Lab) dnsRunning() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.dns == nil {
		return false
	}
	select {
	case <-l.dnsDone:
		return false
	default:
		return true
	}
}

// readyScript answers when the client reaches the external host over both
// families and, with DNS, resolves DNSName. Bounded by its count and by the
// caller's context.
const readyScript = `
dns=$1; n=0
while [ $n -lt 100 ]; do
	n=$((n+1))
	if ping -n -q -c1 -W1 ` + ExternalIP + ` >/dev/null 2>&1 &&
	   ping -n -q -c1 -W1 ` + ExternalIP6 + ` >/dev/null 2>&1 &&
	   ping -n -q -c1 -W1 ` + GatewayIP + ` >/dev/null 2>&1 &&
	   ping -n -q -c1 -W1 ` + GatewayIP6 + ` >/dev/null 2>&1; then
		if [ "$dns" = no ]; then exit 0; fi
		if getent ahostsv4 ` + DNSName + ` 2>/dev/null | grep -q '^` + DNSAddr + ` '; then exit 0; fi
	fi
	sleep 0.03
done
exit 1
`

func (l *Lab) waitReady() {
	t := l.t
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), l.cfg.readyTimeout)
	defer cancel()
	dns := "yes"
	if l.cfg.noDNS {
		dns = "no"
	}
	start := time.Now()
	cmd := l.Cmd(ctx, l.Client, "sh", "-c", readyScript, "sh", dns)
	out, err := cmd.CombinedOutput()
	if err == nil {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "lab %s: not ready after %v: %v %s\n", l.Prefix, time.Since(start).Round(time.Millisecond), err, out)
	for _, args := range [][]string{
		{"ping", "-n", "-c1", "-W1", ExternalIP},
		{"ping", "-n", "-c1", "-W1", ExternalIP6},
		{"getent", "ahosts", DNSName},
		{"ip", "-d", "addr"},
		{"ip", "route"},
		{"ip", "-6", "route"},
		{"ip", "neigh"},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		out, err := l.Cmd(ctx, l.Client, args...).CombinedOutput()
		cancel()
		fmt.Fprintf(&b, "$ %s (%v)\n%s", strings.Join(args, " "), err, out)
	}
	if !l.cfg.noDNS {
		if !l.dnsRunning() {
			b.WriteString("dnsmasq has exited\n")
		}
		log, _ := os.ReadFile(l.dnsLog)
		fmt.Fprintf(&b, "dnsmasq log:\n%s", log)
	}
	t.Fatal(b.String())
}

// teardown stops dnsmasq, deletes the namespaces (and with them every link)
// and the client's /etc/netns entry, and the lab's directory. It reports
// problems with t.Errorf and goes on, so one failure does not leak the rest.
func (l *Lab) teardown() {
	t := l.t
	if err := l.stopDNS(); err != nil {
		t.Errorf("lab %s teardown: %v", l.Prefix, err)
	}
	for _, ns := range []string{l.Client, l.Router, l.Internet} {
		if ns == "" {
			continue
		}
		if _, err := os.Stat("/run/netns/" + ns); errors.Is(err, os.ErrNotExist) {
			continue
		}
		if out, err := runIP("", "netns", "del", ns); err != nil {
			t.Errorf("lab %s teardown: ip netns del %s: %v\n%s", l.Prefix, ns, err, out)
		}
	}
	if l.netnsConf != "" {
		if err := os.RemoveAll(l.netnsConf); err != nil {
			t.Errorf("lab %s teardown: %v", l.Prefix, err)
		}
	}
	if l.Dir != "" {
		if t.Failed() && !l.cfg.noDNS {
			if log, err := os.ReadFile(l.dnsLog); err == nil && len(log) > 0 {
				t.Logf("lab %s dnsmasq log (last 2 KiB):\n%s", l.Prefix, tail(log, 2048))
			}
		}
		if err := os.RemoveAll(l.Dir); err != nil {
			t.Errorf("lab %s teardown: %v", l.Prefix, err)
		}
	}
}

func tail(b []byte, n int) []byte {
	if len(b) <= n {
		return b
	}
	return b[len(b)-n:]
}

// runIP runs ip [-n ns] args... with stdin when the last argument of a
// "-batch -" call is given through mustIP; it returns combined output.
func runIP(stdin string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ip", args...)
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	cmd.WaitDelay = time.Second
	return cmd.CombinedOutput()
}

// mustIP runs ip in ns ("" for the host's namespace); with "-batch", "-"
// the last argument is the batch text on stdin.
func (l *Lab) mustIP(ns string, args ...string) {
	l.t.Helper()
	var stdin string
	if len(args) >= 3 && args[0] == "-batch" && args[1] == "-" {
		stdin = args[2]
		args = args[:2]
	}
	if ns != "" {
		args = append([]string{"-n", ns}, args...)
	}
	if out, err := runIP(stdin, args...); err != nil {
		cmdline := "ip " + strings.Join(args, " ")
		if stdin != "" {
			cmdline += " <<EOF\n" + stdin + "EOF"
		}
		l.t.Fatalf("lab %s: %s: %v\n%s", l.Prefix, cmdline, err, out)
	}
}

// sysctl writes /proc/sys keys inside ns (key, value, key, value...): the
// net.* tree under /proc/sys belongs to the namespace of the writer.
func (l *Lab) sysctl(ns string, kv ...string) {
	l.t.Helper()
	const script = `while [ $# -gt 1 ]; do printf '%s\n' "$2" > "/proc/sys/$1" || exit 1; shift 2; done`
	l.mustRun(ns, append([]string{"sh", "-c", script, "sh"}, kv...)...)
}

// nft loads an nftables ruleset into ns.
func (l *Lab) nft(ns, ruleset string) {
	l.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	cmd := l.Cmd(ctx, ns, "nft", "-f", "-")
	cmd.Stdin = strings.NewReader(ruleset)
	if out, err := cmd.CombinedOutput(); err != nil {
		l.t.Fatalf("lab %s: ip netns exec %s nft -f - <<EOF\n%sEOF\n: %v\n%s", l.Prefix, ns, ruleset, err, out)
	}
}

// mustRun runs a command in ns as root and fails the test on a non-zero
// exit, with the command line and its output.
func (l *Lab) mustRun(ns string, args ...string) string {
	l.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	var out bytes.Buffer
	cmd := l.Cmd(ctx, ns, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		l.t.Fatalf("lab %s: ip netns exec %s %s: %v\n%s", l.Prefix, ns, strings.Join(args, " "), err, out.String())
	}
	return out.String()
}
