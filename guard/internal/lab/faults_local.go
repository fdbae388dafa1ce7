//go:build linux

package lab

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Faults of the client's local configuration (name servers, proxies,
// listeners, hosts file, sysctls).
// Files go to /etc/netns/<client>/, which `ip netns exec` bind-mounts over
// /etc for every command run in the client: the host's own files are never
// touched.

// ProxyPort is where StartProxy listens, on the router's LAN address.
const ProxyPort = 3128

// SetResolvConf replaces the client's resolv.conf.
func (l *Lab) SetResolvConf(content string) { l.writeNetnsFile("resolv.conf", content, 0o644) }

// SetHosts gives the client a hosts file of its own, with mode perm (0 is
// 0644): 0o600 makes it unreadable to an unprivileged user.
func (l *Lab) SetHosts(content string, perm os.FileMode) {
	if perm == 0 {
		perm = 0o644
	}
	l.writeNetnsFile("hosts", content, perm)
}

// SetNSSwitch gives the client an nsswitch.conf of its own, so a test
// does not depend on the NSS modules of the machine it runs on.
func (l *Lab) SetNSSwitch(content string) { l.writeNetnsFile("nsswitch.conf", content, 0o644) }

func (l *Lab) writeNetnsFile(name, content string, perm os.FileMode) {
	l.t.Helper()
	p := filepath.Join(l.netnsConf, name)
	if err := os.WriteFile(p, []byte(content), perm); err != nil {
		l.t.Fatalf("lab %s: %v", l.Prefix, err)
	}
	if err := os.Chmod(p, perm); err != nil { // WriteFile keeps an existing file's mode
		l.t.Fatalf("lab %s: %v", l.Prefix, err)
	}
}

// SetEphemeralRange sets the client's net.ipv4.ip_local_port_range.
func (l *Lab) SetEphemeralRange(lo, hi int) {
	l.t.Helper()
	l.sysctl(l.Client, "net/ipv4/ip_local_port_range", fmt.Sprintf("%d %d", lo, hi))
}

// BlockDirect makes the router drop every forwarded TCP segment and echo
// request, as a proxy-only network does: the internet host answers
// nothing directly, while DNS over UDP still passes and the router itself
// (the gateway, and a proxy started on it) answers.
func (l *Lab) BlockDirect() {
	l.t.Helper()
	l.nft(l.Router, routerTable("direct", "", "meta l4proto tcp drop; icmp type echo-request drop; icmpv6 type echo-request drop;", ""))
}

// StartProxy starts a TCP listener on the router's LAN address, port
// ProxyPort: what a proxy looks like to a connect-only probe.
func (l *Lab) StartProxy() {
	l.t.Helper()
	l.Listen(l.Router, "", GatewayIP, ProxyPort)
}

// pythonListener accepts connections into its backlog (the kernel
// completes the handshake) and exits after 120 s at most.
const pythonListener = `import socket, sys, time
s = socket.socket(socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(64)
print("ready", flush=True)
time.sleep(120)
`

// Listen starts a process listening on addr:port inside ns, as user
// ("" is root), waits until it listens and returns its pid. The process is
// killed (by its pid) when the test ends, and dies with the test process.
func (l *Lab) Listen(ns, user, addr string, port int) int {
	l.t.Helper()
	return l.startPythonAs(ns, user, fmt.Sprintf("listener on %s:%d", addr, port), pythonListener, addr, strconv.Itoa(port))
}

// startPython runs a python3 script in ns as root, waits for it to print
// "ready" and returns its pid; it is killed when the test ends and dies
// with the test process.
func (l *Lab) startPython(ns, what, script string, args ...string) int {
	l.t.Helper()
	return l.startPythonAs(ns, "", what, script, args...)
}

// runPython is startPython for a process whose pid the caller needs not.
func (l *Lab) runPython(ns, what, script string, args ...string) {
	l.t.Helper()
	l.startPythonAs(ns, "", what, script, args...)
}

// startPythonAs is startPython as user ("" is root).
func (l *Lab) startPythonAs(ns, user, what, script string, args ...string) int {
	l.t.Helper()
	py := "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		if py, err = exec.LookPath("python3"); err != nil {
			l.t.Fatalf("lab %s: python3 not found (install python3): %v", l.Prefix, err)
		}
	}
	argv := append([]string{py, "-c", script}, args...)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := l.Cmd(ctx, ns, argv...)
	if user != "" {
		cmd = l.CmdAs(ctx, ns, user, argv...)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	out, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		l.t.Fatalf("lab %s: %v", l.Prefix, err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		cancel()
		l.t.Fatalf("lab %s: start %s: %v", l.Prefix, what, err)
	}
	l.t.Cleanup(func() {
		cancel() // kills the process (ip netns exec and setpriv exec in place)
		_ = cmd.Wait()
	})
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		ready <- sc.Scan() && sc.Text() == "ready"
		for sc.Scan() {
		}
	}()
	select {
	case ok := <-ready:
		if !ok {
			l.t.Fatalf("lab %s: %s in %s did not start: %s", l.Prefix, what, ns, stderr.String())
		}
	case <-time.After(10 * time.Second):
		l.t.Fatalf("lab %s: %s in %s not ready after 10 s", l.Prefix, what, ns)
	}
	return cmd.Process.Pid
}
