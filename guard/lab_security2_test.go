//go:build linux

package main

// Lab tests of what the network or another user says: forged ARP answers,
// a right pin the helper is asked to delete, a routing table a VPN server
// could push, a loaded CPU, and an interface an administrator left down.

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netguard/netguard/guard/internal/lab"
)

// arpSpoofer sends forged ARP replies, "ip is at mac", to dstMAC/dstIP out
// of ifname every interval for dur: a host on the LAN claiming the
// gateway's address. Raw AF_PACKET from python3, run inside the router
// namespace.
const arpSpoofer = `
import socket, struct, sys, time
ifname, smac, sip, dmac, dip, interval, dur = sys.argv[1:8]
m = lambda s: bytes.fromhex(s.replace(':', ''))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((ifname, 0))
f = m(dmac) + m(smac) + b'\x08\x06' + struct.pack('!HHBBH', 1, 0x0800, 6, 4, 2) + m(smac) + socket.inet_aton(sip) + m(dmac) + socket.inet_aton(dip)
end = time.time() + float(dur)
while time.time() < end:
    s.send(f)
    time.sleep(float(interval))
`

const spoofMAC = "02:00:00:00:03:99"

// startARPSpoofer adds a macvlan with spoofMAC on the router's LAN side (a
// second host on the LAN, which forwards what it gets as the router does)
// and starts it claiming the gateway's address to the client, until the
// test ends.
func startARPSpoofer(t *testing.T, l *lab.Lab) {
	t.Helper()
	evil := l.Prefix + "-ev"
	for _, args := range [][]string{
		{"ip", "link", "add", evil, "link", l.RouterLANIf, "address", spoofMAC, "type", "macvlan", "mode", "bridge"},
		{"ip", "link", "set", evil, "up"},
	} {
		if _, stderr, exit := l.Run(t, l.Router, args...); exit != 0 {
			t.Fatalf("%v: %s", args, stderr)
		}
	}
	cmac, _, _ := l.Run(t, l.Client, "cat", "/sys/class/net/"+l.ClientIf+"/address")
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Fatalf("python3 (the ARP sender): %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	cmd := l.Cmd(ctx, l.Router, py, "-c", arpSpoofer, evil, spoofMAC, lab.GatewayIP, strings.TrimSpace(cmac), lab.ClientIP, "0.001", "110")
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = cmd.Wait() })
	// python3 takes a while to start: wait until the client's interface
	// receives the replies at their rate.
	rx := func() int {
		out, _, _ := l.Run(t, l.Client, "cat", "/sys/class/net/"+l.ClientIf+"/statistics/rx_packets")
		n, _ := strconv.Atoi(strings.TrimSpace(out))
		return n
	}
	start := rx()
	for deadline := time.Now().Add(20 * time.Second); rx() < start+100; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the ARP sender does not send (received %d frames)", rx()-start)
		}
	}
}

// A host on the LAN answers ARP for the gateway from its own MAC, to the
// client, a thousand times a second; the gateway ignores probes (and ARP)
// and the internet's first packets are lost, so its answers come tens of
// ms later.
// The administrator's permanent pin is right: root guard fix must leave it
// in place, and never try to delete it.
func TestLabForgedARPKeepsTheRightPin(t *testing.T) {
	lab.RequireRoot(t)
	bin := lab.Build(t)
	l := lab.New(t)
	if _, stderr, exit := l.Run(t, l.Client, "ip", "neigh", "replace", lab.GatewayIP, "lladdr", lab.GatewayMAC, "dev", l.ClientIf, "nud", "permanent"); exit != 0 {
		t.Fatal(stderr)
	}
	// IPv4 only: the pinned family is the one the run depends on.
	if _, stderr, exit := l.Run(t, l.Client, "sysctl", "-qw", "net.ipv6.conf."+l.ClientIf+".disable_ipv6=1"); exit != 0 {
		t.Fatal(stderr)
	}
	// The gateway ignores ping and its own ports, and is slower to answer
	// ARP than the attacker (here: it does not); the first 400 bytes of
	// ping and TCP to the internet host are lost: it answers only the
	// later attempts, tens of ms after the forged ARP answer.
	rules := `table inet nglab_sec2 {
	chain lab_input { type filter hook input priority 0; policy accept; icmp type echo-request drop; tcp dport { 53, 80, 443 } drop; }
	chain lab_forward { type filter hook forward priority 0; policy accept; ip daddr ` + lab.ExternalIP + ` meta l4proto { icmp, tcp } quota until 400 bytes drop; }
}
table arp nglab_sec2 {
	chain lab_input { type filter hook input priority 0; policy accept; arp operation request drop; }
}
`
	nft := l.Cmd(context.Background(), l.Router, "nft", "-f", "-")
	nft.Stdin = strings.NewReader(rules)
	if out, err := nft.CombinedOutput(); err != nil {
		t.Fatalf("nft: %v: %s", err, out)
	}
	startARPSpoofer(t, l)
	r := mustRun(t, l, bin, "", nil, fixArgs()...)
	for _, rp := range repairsOf(t, r) {
		if rp.Action == "delete-neighbor" {
			t.Errorf("guard fix tried to delete the right pin on a forged ARP answer: %+v", rp)
		}
	}
	if n := gatewayNeigh(t, l); !strings.Contains(n, lab.GatewayMAC) || !strings.Contains(n, "PERMANENT") {
		t.Fatalf("the pin is gone: %q (run: %v)", n, r)
	}
	if r.exit != 0 {
		t.Errorf("the network works through the pin, yet exit %d; %v", r.exit, r)
	}
}

// The privileged helper, run through sudo by the user exactly as the
// documented sudoers rule allows, refuses to delete a permanent gateway
// entry the gateway answers through: exit 3, one line, the pin stays.
func TestLabHelperRefusesARightPin(t *testing.T) {
	lab.RequireRoot(t)
	lab.RequireSudo(t)
	bin := lab.Build(t)
	l := lab.New(t)
	rule := filepath.Join("/etc/sudoers.d", "netguard-test-sec2-"+filepath.Base(l.Client))
	if err := os.WriteFile(rule, []byte(fmt.Sprintf("nobody ALL=(root) NOPASSWD: %s repair *\n", bin)), 0o440); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(rule) })
	if _, stderr, exit := l.Run(t, l.Client, "ip", "neigh", "replace", lab.GatewayIP, "lladdr", lab.GatewayMAC, "dev", l.ClientIf, "nud", "permanent"); exit != 0 {
		t.Fatal(stderr)
	}
	before := gatewayNeigh(t, l)
	_, stderr, exit := l.RunAs(t, l.Client, "nobody", "sudo", "-n", bin, "repair", "delete-neighbor", l.ClientIf, lab.GatewayIP)
	if exitCode(exit) != repairExitFailed || !strings.Contains(stderr, "answers through its permanent entry") || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Errorf("sudo guard repair delete-neighbor of a right pin: exit %d, stderr %q; want exit %d and one line", exit, stderr, repairExitFailed)
	}
	if after := gatewayNeigh(t, l); after != before || !strings.Contains(after, "PERMANENT") {
		t.Fatalf("the pin changed: %q, was %q", after, before)
	}
}

// A VPN server can push tens of thousands of routes; on a busy machine
// the dump then takes a good part of a second. The probes' window begins
// when they are sent: the gateway is not called wrong and no repair is
// planned, as root and as a user.
func TestLabLargeRouteTable(t *testing.T) {
	lab.RequireRoot(t)
	bin := lab.Build(t)
	l := lab.New(t)
	const n = 60000
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "route add 10.%d.%d.0/24 via %s\n", i/256, i%256, lab.GatewayIP)
	}
	add := l.Cmd(context.Background(), l.Client, "ip", "-batch", "-")
	add.Stdin = strings.NewReader(b.String())
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("ip -batch (%d routes): %v: %s", n, err, out)
	}
	spin(t, 4, 2*time.Minute)
	for _, user := range []string{"", "nobody"} {
		for _, args := range [][]string{labArgs("--timeout", "5s"), fixArgs("--dry-run")} {
			r := mustRun(t, l, bin, user, nil, args...)
			if r.exit != 0 || !slices.Contains([]string{"healthy", "degraded"}, r.rep.Verdict) {
				t.Errorf("user %q, %s with %d routes: exit %d; %v", user, args[0], n, r.exit, r)
			}
			if rs := repairsOf(t, r); len(rs) != 0 {
				t.Errorf("user %q, %s with %d routes planned repairs %+v", user, args[0], n, rs)
			}
			for _, f := range r.rep.Findings {
				if strings.HasPrefix(f.ID, "gateway-") {
					t.Errorf("user %q, %s with %d routes: %s", user, args[0], n, f.ID)
				}
			}
		}
	}
}

// spin keeps n goroutines busy until the test ends or limit passes: a
// loaded machine, bounded in time.
func spin(t *testing.T, n int, limit time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			for ctx.Err() == nil {
				for i := 0; i < 1e6; i++ {
				}
				runtime.Gosched()
			}
		})
	}
	t.Cleanup(func() { cancel(); wg.Wait() })
}

// A check while the CPU is busy: four goroutines spin on two cores for as
// long as the runs take. A slow machine is never a dead network.
func TestLabCheckUnderCPULoad(t *testing.T) {
	lab.RequireRoot(t)
	bin := lab.Build(t)
	l := lab.New(t)
	spin(t, 4, 90*time.Second)
	neverBlocks(t, l, bin, "CPU load", 8, nil)
}

// The uplink is up with carrier and an address but lost its default route;
// a second interface is down, left so by the administrator. guard fix as
// root does not raise it, and the helper refuses to.
func TestLabLinkUpSpareInterface(t *testing.T) {
	lab.RequireRoot(t)
	bin := lab.Build(t)
	l := lab.New(t)
	spare, peer := l.Prefix+"-s0", l.Prefix+"-s1"
	for _, args := range [][]string{
		{"ip", "link", "add", spare, "type", "veth", "peer", "name", peer},
		{"ip", "addr", "add", "10.77.0.2/24", "dev", spare},
		{"ip", "link", "set", peer, "up"},
	} {
		if _, stderr, exit := l.Run(t, l.Client, args...); exit != 0 {
			t.Fatalf("%v: %s", args, stderr)
		}
	}
	l.RemoveDefaultRoute()
	r := mustRun(t, l, bin, "", nil, fixArgs()...)
	for _, rp := range repairsOf(t, r) {
		if rp.Action == "link-up" {
			t.Errorf("guard fix raised an interface the administrator left down: %+v", rp)
		}
	}
	for _, f := range r.rep.Findings {
		if f.ID == "link-down" {
			t.Errorf("a down spare interface was blamed for a default route lost on a working uplink: %v", r)
		}
	}
	_, stderr, exit := l.Run(t, l.Client, bin, "repair", "link-up", spare)
	if exitCode(exit) != repairExitFailed || !strings.Contains(stderr, "not a down link") {
		t.Errorf("helper link-up %s: exit %d, %q; want a refusal", spare, exit, stderr)
	}
	if out, _, _ := l.Run(t, l.Client, "ip", "-o", "link", "show", spare); strings.Contains(out, ",UP") || strings.Contains(out, "<UP") {
		t.Fatalf("%s is up: %s", spare, out)
	}
}

// Bursty loss (300 ms on, 300 ms off) on a loaded CPU: the two together
// once made a check call a working gateway wrong, its last attempt's
// answer coming after a window that had begun before the tables were read
// and that the process's own lateness had shortened.
func TestLabCheckBurstyLossUnderCPULoad(t *testing.T) {
	lab.RequireRoot(t)
	bin := lab.Build(t)
	l := lab.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	l.BurstyLoss(ctx, 300*time.Millisecond, 300*time.Millisecond)
	spin(t, 4, 2*time.Minute)
	neverBlocks(t, l, bin, "bursty loss and CPU load", 16, burstPhase)
}
