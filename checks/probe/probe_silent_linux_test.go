//go:build linux

package probe

import (
	"context"
	"net/netip"
	"os"
	"os/exec"
	"testing"
	"time"
)

// silentNetnsEnv marks the test binary run again inside its own network
// namespace by TestICMPReturnsAtWindowEnd.
const silentNetnsEnv = "NETGUARD_TEST_IN_SILENT_NETNS"

// TestICMPReturnsAtWindowEnd checks that a silent target's ICMP probe
// returns when its window closes, not when pro-bing's receiver next wakes:
// its read deadline backs off, and a probe that waited for it would delay
// a silent gateway's verdict by as much.
//
// Silence needs a target that ignores echoes, and pro-bing opens its
// socket on a thread of its own choosing, so moving one thread into a
// namespace is not enough: the test runs itself again in a new network
// namespace (unshare -n, root), where the kernel is told to ignore echo
// requests and only loopback exists. Nothing leaves the machine.
func TestICMPReturnsAtWindowEnd(t *testing.T) {
	if os.Getenv(silentNetnsEnv) == "1" {
		silentLoopbackICMP(t)
		return
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("unshare", "--net", "--", exe, "-test.run=^TestICMPReturnsAtWindowEnd$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), silentNetnsEnv+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		// This includes failing to create the namespace (root needed):
		// the test must never pass by skipping.
		t.Fatalf("the test in its own network namespace (unshare --net, root): %v\n%s", err, out)
	}
	t.Logf("in its own namespace:\n%s", out)
}

func silentLoopbackICMP(t *testing.T) {
	if out, err := exec.Command("ip", "link", "set", "lo", "up").CombinedOutput(); err != nil {
		t.Fatalf("ip link set lo up: %v: %s", err, out)
	}
	for _, k := range []string{"/proc/sys/net/ipv4/icmp_echo_ignore_all", "/proc/sys/net/ipv6/icmp/echo_ignore_all"} {
		if err := os.WriteFile(k, []byte("1"), 0o644); err != nil {
			t.Fatalf("ignore echoes: %v", err)
		}
	}
	p := Default()
	const window = 250 * time.Millisecond
	// The window has no deadline, as the engine's probe window has none:
	// pro-bing's own timeout would otherwise end it alongside.
	for _, dst := range []netip.Addr{netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("::1")} {
		for range 3 { // pro-bing's poll phase differs per run: a late return shows in one of three
			ctx, cancel := context.WithCancel(context.Background())
			end := time.AfterFunc(window, cancel)
			t0 := time.Now()
			r := p.ICMP(ctx, dst, os.Geteuid() == 0)
			late := time.Since(t0) - window
			end.Stop()
			cancel()
			if r.Answered || r.Attempts < 2 {
				t.Fatalf("%s: %+v, want several echoes and silence (the namespace ignores echo requests)", dst, r)
			}
			if late > 40*time.Millisecond {
				t.Errorf("%s: returned %v after the window closed, want at once", dst, late.Round(time.Millisecond))
			}
		}
	}
}
