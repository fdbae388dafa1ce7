//go:build linux

package sys

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/netguard/netguard/checks/diagnose"
	"github.com/netguard/netguard/checks/netstate"
	"golang.org/x/sys/unix"
)

// procFixture lays out a recorded procfs: a busy dev machine whose
// sockstat says half the range may be used, so the tables are walked.
func procFixture(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, body := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

const tcpHeader = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"

func TestReadLinuxSockets(t *testing.T) {
	root := procFixture(t, map[string]string{
		"sys/net/ipv4/ip_local_port_range": "40000\t40009\n",
		"sys/fs/file-nr":                   "2048\t0\t100000\n",
		"net/sockstat":                     "sockets: used 9\nTCP: inuse 4 orphan 0 tw 2 alloc 5 mem 1\nUDP: inuse 1 mem 0\n",
		"net/sockstat6":                    "TCP6: inuse 0\nUDP6: inuse 0\n",
		"net/tcp": tcpHeader +
			"   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 111 1 0 100 0 0 10 0\n" + // LISTEN 8080
			"   1: 0100007F:9C41 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 222 1 0 20 4 30 10 -1\n" + // 40001 established
			"   2: 0100007F:9C42 0100007F:1F90 06 00000000:00000000 03:00000BB8 00000000     0        0 0 3 0\n" + // 40002 TIME_WAIT
			"   3: 0100007F:9C43 0100007F:1F90 06 00000000:00000000 03:00000BB8 00000000     0        0 0 3 0\n" + // 40003 TIME_WAIT
			"   4: 0100007F:9C44 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 333 1 0 20 4 30 10 -1\n", // 40004
		"net/udp": tcpHeader +
			"   0: 00000000:9C45 00000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 444 2 0 0\n",
		"4242/comm":                            "node\n",
		strconv.Itoa(os.Getppid()) + "/limits": "Limit                     Soft Limit           Hard Limit           Units\nMax cpu time              unlimited            unlimited            seconds\nMax open files            256                  524288               files\n",
		"self/fd/0":                            "",
	})
	// Process 4242 holds sockets 222 and 333.
	fd := filepath.Join(root, "4242", "fd")
	if err := os.MkdirAll(fd, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, ino := range []string{"222", "333"} {
		if err := os.Symlink("socket:["+ino+"]", filepath.Join(fd, string(rune('3'+i)))); err != nil {
			t.Fatal(err)
		}
	}
	st, err := readLinuxSockets(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	if st.EphemeralLow != 40000 || st.EphemeralHigh != 40009 {
		t.Errorf("range %d-%d", st.EphemeralLow, st.EphemeralHigh)
	}
	if st.TCPEphemeralInUse != 4 || st.UDPEphemeralInUse != 1 || st.TCPTimeWait != 2 || st.TCPSockets != 5 {
		t.Errorf("counts: %+v", st)
	}
	if st.TopProcess != "node" || st.TopProcessPID != 4242 || st.TopProcessSockets != 2 {
		t.Errorf("holder: %q %d %d", st.TopProcess, st.TopProcessPID, st.TopProcessSockets)
	}
	if st.OpenFilesLimit != 256 {
		t.Errorf("open-file limit %d, want the parent's 256", st.OpenFilesLimit)
	}
	if st.SystemFiles != 2048 || st.SystemFilesMax != 100000 {
		t.Errorf("files: %+v", st)
	}
	d := diagnose.Diagnose(&netstate.State{OS: "linux", Sockets: st, V4: netstate.FamilyState{Family: 4}, V6: netstate.FamilyState{Family: 6}})
	for _, c := range d.Checks {
		if c.ID == "resources" && !strings.Contains(c.Detail, "most held by node (pid 4242, 2 sockets)") {
			t.Errorf("resources detail lacks the holder: %q", c.Detail)
		}
	}
}

// A quiet machine is not walked socket by socket: sockstat bounds the use.
func TestReadLinuxSocketsCheapPath(t *testing.T) {
	root := procFixture(t, map[string]string{
		"sys/net/ipv4/ip_local_port_range": "32768 60999\n",
		"net/sockstat":                     "TCP: inuse 3 orphan 0 tw 1 alloc 3 mem 1\nUDP: inuse 2 mem 0\n",
		"net/tcp":                          "garbage that would fail a walk\n",
	})
	st, err := readLinuxSockets(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	if st.TCPEphemeralInUse != -1 || st.TCPEphemeralBound != 4 || st.UDPEphemeralBound != 2 {
		t.Fatalf("cheap path not taken: %+v", st)
	}
}

// Without the parent's limits file the fallback still reports a limit:
// our own soft one, which the runtime raised to the hard limit.
func TestReadLinuxSocketsLimitFallback(t *testing.T) {
	root := procFixture(t, map[string]string{
		"sys/net/ipv4/ip_local_port_range": "32768 60999\n",
		"net/sockstat":                     "TCP: inuse 3 orphan 0 tw 1 alloc 3 mem 1\nUDP: inuse 2 mem 0\n",
	})
	st, err := readLinuxSockets(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	var rl unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &rl); err != nil {
		t.Fatal(err)
	}
	if st.OpenFilesLimit <= 0 || st.OpenFilesLimit != clampInt(rl.Cur) {
		t.Fatalf("OpenFilesLimit = %d, want our soft limit %d (unknown: %v)", st.OpenFilesLimit, rl.Cur, st.Unknown)
	}
}

// Ports are counted per destination: another user's TIME_WAIT sockets on
// loopback, spread over their own servers, take no port from a start's
// connections however many there are; the ports toward one endpoint are
// the figure, and that endpoint is named.
func TestReadLinuxSocketsPerDestination(t *testing.T) {
	var tcp strings.Builder
	tcp.WriteString(tcpHeader)
	line := func(local string, lport int, remote string, rport, state int) {
		fmt.Fprintf(&tcp, "   0: %s:%04X %s:%04X %02X 00000000:00000000 03:00000BB8 00000000     0        0 0 3 0\n", local, lport, remote, rport, state)
	}
	const lo, hi = 40000, 40999 // 1000 ports
	// 4000 TIME_WAIT sockets: 8 servers on 127.0.0.1, 500 each (50% of the
	// range toward each, 400% of it in all).
	for srv := range 8 {
		for i := range 500 {
			line("0100007F", lo+i, "0100007F", 30001+srv, 0x06)
		}
	}
	// 600 connections toward 10.0.0.7:5432 from 198.18.3.2: the busiest.
	for i := range 600 {
		line("0203126C", lo+i, "0700000A", 5432, 0x01)
	}
	root := procFixture(t, map[string]string{
		"sys/net/ipv4/ip_local_port_range": fmt.Sprintf("%d\t%d\n", lo, hi),
		"net/sockstat":                     "TCP: inuse 600 orphan 0 tw 4000 alloc 600 mem 1\nUDP: inuse 0 mem 0\n",
		"net/tcp":                          tcp.String(),
	})
	st, err := readLinuxSockets(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	if st.TCPEphemeralInUse != 600 || st.TCPBusiestPeer != netip.MustParseAddrPort("10.0.0.7:5432") || st.TCPSockets != 4600 || st.TCPTimeWait != 4000 {
		t.Errorf("in use %d toward %v; %d sockets, %d TIME_WAIT; want 600 toward 10.0.0.7:5432, 4600, 4000",
			st.TCPEphemeralInUse, st.TCPBusiestPeer, st.TCPSockets, st.TCPTimeWait)
	}
}

func TestProcAddrPort(t *testing.T) {
	for in, want := range map[string]string{
		"0100007F:1F90":                         "127.0.0.1:8080",
		"0700000A:1538":                         "10.0.0.7:5432",
		"00000000000000000000000001000000:0035": "[::1]:53",
		"0000000000000000FFFF00000100007F:0050": "127.0.0.1:80",
		"B80D0120000000000000000005000000:01BB": "[2001:db8::5]:443",
	} {
		if got := procAddrPort(in); got.String() != want {
			t.Errorf("procAddrPort(%q) = %v, want %s", in, got, want)
		}
	}
	for _, bad := range []string{"", "0100007F", "0100007F:XYZ", "01007F:0050", "zz00007F:0050"} {
		if got := procAddrPort(bad); got.IsValid() {
			t.Errorf("procAddrPort(%q) = %v, want invalid", bad, got)
		}
	}
}
