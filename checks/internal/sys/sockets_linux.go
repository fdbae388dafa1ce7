//go:build linux

package sys

import (
	"context"
	"encoding/hex"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/netguard/netguard/checks/internal/conffile"
	"github.com/netguard/netguard/checks/netstate"
	"golang.org/x/sys/unix"
)

// procRoot is swapped by tests to read recorded procfs fixtures.
var procRoot = "/proc"

// tcpTimeWait and tcpListen are the kernel's TCP states as /proc/net/tcp
// prints them (include/net/tcp_states.h).
const (
	tcpTimeWait = 0x06
	tcpListen   = 0x0A
)

func readLinuxSockets(ctx context.Context, root string) (netstate.SocketStats, error) {
	var st netstate.SocketStats
	lo, hi, err := readPortRange(filepath.Join(root, "sys/net/ipv4/ip_local_port_range"))
	if err != nil {
		st.Unknown = append(st.Unknown, "ephemeral range: "+err.Error())
	}
	st.EphemeralLow, st.EphemeralHigh = lo, hi
	// Walking /proc/net/tcp costs milliseconds on any machine (the kernel
	// walks its whole established hash), so count from sockstat first and
	// walk the tables only when they could hold half the range.
	cheap, err := readSockstat(root)
	if err != nil {
		st.Unknown = append(st.Unknown, "sockstat: "+err.Error())
	}
	st.TCPSockets, st.TCPTimeWait, st.UDPSockets = cheap.tcp, cheap.tw, cheap.udp
	if span := hi - lo + 1; lo > 0 && 2*max(cheap.tcp, cheap.udp) < span && err == nil {
		st.TCPEphemeralInUse, st.UDPEphemeralInUse = -1, -1 // not counted: bounded below half
		st.TCPEphemeralBound, st.UDPEphemeralBound = cheap.tcp, cheap.udp
	} else if err := scanAllSockets(ctx, root, lo, hi, &st); err != nil {
		return st, err
	}
	// The Go runtime raises its own soft RLIMIT_NOFILE to the hard limit
	// at start-up (and restores it for children), so our own limit says
	// nothing about what a start gets. The process that started us (a
	// shell, a hook, an IDE task) has the original one, which is also what
	// guard run's child inherits. A Go parent has raised its own too; then
	// the figure is as high as ours and nothing is reported.
	if n, ok := readOpenFilesLimit(filepath.Join(root, strconv.Itoa(os.Getppid()), "limits")); ok {
		st.OpenFilesLimit = n
	} else {
		// The parent's limits are unreadable (another user's process,
		// hidepid=2). Our own soft limit, raised to the hard one, still
		// bounds what a child can raise its own to: a hard limit under
		// 1024 is reported either way.
		var rl unix.Rlimit
		if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &rl); err != nil {
			st.Unknown = append(st.Unknown, "open-file limit: "+err.Error())
		} else {
			st.OpenFilesLimit = clampInt(rl.Cur)
		}
	}
	if ents, err := os.ReadDir(filepath.Join(root, "self/fd")); err == nil {
		st.OpenFiles = len(ents)
	}
	if b, err := os.ReadFile(filepath.Join(root, "sys/fs/file-nr")); err == nil {
		// "allocated  unused  max"
		if f := strings.Fields(string(b)); len(f) == 3 {
			st.SystemFiles, _ = strconv.Atoi(f[0])
			st.SystemFilesMax = clampInt(parseUint(f[2]))
		}
	}
	return st, nil
}

// scanAllSockets counts local ports in the ephemeral range socket by socket
// and names the process holding the most of them. TCP ports are counted
// per destination: a connection is a 4-tuple, and the kernel hands the
// same local port to connections toward any other address or port, so
// only the ports toward one endpoint (from one local address) run out
// together. Thousands of another user's loopback TIME_WAIT sockets spread
// over their own servers take nothing from a start's connections.
func scanAllSockets(ctx context.Context, root string, lo, hi int, st *netstate.SocketStats) error {
	st.TCPSockets, st.TCPTimeWait, st.UDPSockets = 0, 0, 0
	inodes := map[uint64]bool{}
	perPeer := map[string]int{}
	for _, f := range []struct {
		name string
		tcp  bool
	}{{"tcp", true}, {"tcp6", true}, {"udp", false}, {"udp6", false}} {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("read sockets: %w", err)
		}
		err := scanProcNet(filepath.Join(root, "net", f.name), func(e procSocket) {
			inRange := lo > 0 && e.port >= lo && e.port <= hi
			if inRange && e.inode != 0 {
				inodes[e.inode] = true
			}
			if f.tcp {
				st.TCPSockets++
				if e.state == tcpTimeWait {
					st.TCPTimeWait++
				}
				if inRange && e.state != tcpListen {
					key := e.localIP + " " + e.remote
					perPeer[key]++
					if n := perPeer[key]; n > st.TCPEphemeralInUse {
						st.TCPEphemeralInUse, st.TCPBusiestPeer = n, procAddrPort(e.remote)
					}
				}
				return
			}
			st.UDPSockets++
			if inRange {
				st.UDPEphemeralInUse++
			}
		})
		if err != nil && !os.IsNotExist(err) { // no IPv6: tcp6 is absent
			st.Unknown = append(st.Unknown, f.name+": "+err.Error())
		}
	}
	topHolder(ctx, root, inodes, st)
	return nil
}

// topHolder finds the process whose file descriptors hold the most of the
// given socket inodes. Other users' processes are unreadable without root;
// then the holder stays unnamed. Bounded by ctx: it reads every /proc/PID/fd.
func topHolder(ctx context.Context, root string, inodes map[uint64]bool, st *netstate.SocketStats) {
	if len(inodes) == 0 {
		return
	}
	procs, err := os.ReadDir(root)
	if err != nil {
		return
	}
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil || ctx.Err() != nil {
			continue
		}
		fdDir := filepath.Join(root, p.Name(), "fd")
		fds, err := os.ReadDir(fdDir)
		if err != nil {
			continue
		}
		n := 0
		for _, fd := range fds {
			l, err := os.Readlink(filepath.Join(fdDir, fd.Name()))
			if err != nil || !strings.HasPrefix(l, "socket:[") {
				continue
			}
			ino, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimPrefix(l, "socket:["), "]"), 10, 64)
			if err == nil && inodes[ino] {
				n++
			}
		}
		if n > st.TopProcessSockets {
			comm, _ := os.ReadFile(filepath.Join(root, p.Name(), "comm"))
			st.TopProcess, st.TopProcessPID, st.TopProcessSockets = strings.TrimSpace(string(comm)), pid, n
		}
	}
}

type sockstat struct{ tcp, tw, udp int }

// readSockstat sums the kernel's per-namespace socket counters of both
// families: "TCP: inuse 5 orphan 0 tw 2 ...", "TCP6: inuse 1", "UDP: inuse 3".
func readSockstat(root string) (sockstat, error) {
	var s sockstat
	for _, name := range []string{"sockstat", "sockstat6"} {
		b, err := os.ReadFile(filepath.Join(root, "net", name))
		if err != nil {
			if name == "sockstat6" && os.IsNotExist(err) {
				continue
			}
			return s, err
		}
		parseSockstat(b, &s)
	}
	return s, nil
}

// parseSockstat adds the counters of one sockstat file to s.
func parseSockstat(b []byte, s *sockstat) {
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 3 {
			continue
		}
		val := func(key string) int {
			for i := 1; i+1 < len(f); i += 2 {
				if f[i] == key {
					n, _ := strconv.Atoi(f[i+1])
					return n
				}
			}
			return 0
		}
		switch f[0] {
		case "TCP:", "TCP6:":
			s.tcp += val("inuse") + val("tw")
			s.tw += val("tw")
		case "UDP:", "UDP6:":
			s.udp += val("inuse")
		}
	}
}

// readOpenFilesLimit reads the soft "Max open files" of a /proc/PID/limits.
func readOpenFilesLimit(path string) (int, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	return parseOpenFilesLimit(b)
}

// parseOpenFilesLimit reads the soft "Max open files" of limits text.
func parseOpenFilesLimit(b []byte) (int, bool) {
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "Max open files"); ok {
			f := strings.Fields(rest)
			if len(f) == 0 {
				return 0, false
			}
			if f[0] == "unlimited" {
				return 1 << 30, true
			}
			n, err := strconv.Atoi(f[0])
			return n, err == nil
		}
	}
	return 0, false
}

func clampInt(v uint64) int {
	const maxInt = int(^uint(0) >> 1)
	if v > uint64(maxInt) {
		return maxInt
	}
	return int(v)
}

func parseUint(s string) uint64 {
	v, _ := strconv.ParseUint(s, 10, 64)
	return v
}

func readPortRange(path string) (int, int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, err
	}
	return parsePortRange(path, b)
}

// parsePortRange reads ip_local_port_range text: "LOW\tHIGH".
func parsePortRange(path string, b []byte) (int, int, error) {
	f := strings.Fields(string(b))
	if len(f) != 2 {
		return 0, 0, fmt.Errorf("%s: unexpected %q", path, b)
	}
	lo, err1 := strconv.Atoi(f[0])
	hi, err2 := strconv.Atoi(f[1])
	if err1 != nil || err2 != nil || lo > hi {
		return 0, 0, fmt.Errorf("%s: unexpected %q", path, b)
	}
	return lo, hi, nil
}

// procSocket is one line of a /proc/net/{tcp,udp}[6] table: the local
// address (hex, as the kernel prints it) and port, the remote endpoint
// (hex "ADDR:PORT"), the state and the inode.
type procSocket struct {
	localIP string
	port    int
	remote  string
	state   int
	inode   uint64
}

// scanProcNet calls fn with every socket in a /proc/net/{tcp,udp}[6]
// table. The table is the kernel's own, one socket a line: "sl
// local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
// ...", addresses as HEXIP:HEXPORT. A line longer than conffile.MaxLine
// is cut, never the end of the table.
func scanProcNet(path string, fn func(procSocket)) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	parseProcNet(b, fn)
	return nil
}

// parseProcNet calls fn with every socket of /proc/net table text.
func parseProcNet(b []byte, fn func(procSocket)) {
	conffile.Lines(b, func(n int, line string) {
		if n == 1 { // header
			return
		}
		f := strings.Fields(line)
		if len(f) < 4 {
			return
		}
		i := strings.LastIndexByte(f[1], ':')
		if i < 0 {
			return
		}
		port, err1 := strconv.ParseUint(f[1][i+1:], 16, 16)
		state, err2 := strconv.ParseUint(f[3], 16, 8)
		if err1 != nil || err2 != nil {
			return
		}
		e := procSocket{localIP: f[1][:i], port: int(port), remote: f[2], state: int(state)}
		if len(f) > 9 {
			e.inode, _ = strconv.ParseUint(f[9], 10, 64)
		}
		fn(e)
	})
}

// procAddrPort decodes a /proc/net address "0100007F:1F90": the address is
// the kernel's bytes printed as 32-bit words in host order (little endian
// on every platform Linux runs guard on), the port big-endian hex. The
// zero AddrPort when it does not parse.
func procAddrPort(s string) netip.AddrPort {
	h, p, ok := strings.Cut(s, ":")
	port, err := strconv.ParseUint(p, 16, 16)
	if !ok || err != nil || (len(h) != 8 && len(h) != 32) {
		return netip.AddrPort{}
	}
	raw, err := hex.DecodeString(h)
	if err != nil {
		return netip.AddrPort{}
	}
	for w := 0; w+4 <= len(raw); w += 4 {
		raw[w], raw[w+1], raw[w+2], raw[w+3] = raw[w+3], raw[w+2], raw[w+1], raw[w]
	}
	a, _ := netip.AddrFromSlice(raw)
	return netip.AddrPortFrom(a.Unmap(), uint16(port))
}
