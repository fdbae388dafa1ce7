//go:build linux

package sys

import (
	"testing"
)

// The /proc tables are the kernel's, but a container runtime, an old
// kernel or a FUSE mount over /proc can hand anything: whatever they hold,
// parsing returns without a panic, and every socket it reports has a
// port that fits 16 bits.
func FuzzProcTables(f *testing.F) {
	f.Add([]byte(tcpHeader +
		"   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 111 1 0 100 0 0 10 0\n" +
		"   1: 00000000000000000000000001000000:9C41 B80D0120000000000000000005000000:01BB 06 0 0 0 0 0 0\n"))
	f.Add([]byte("sockets: used 9\nTCP: inuse 4 orphan 0 tw 2 alloc 5 mem 1\nUDP: inuse 1 mem 0\nTCP6: inuse\n"))
	f.Add([]byte("Limit Soft Hard Units\nMax open files            unlimited            524288               files\n"))
	f.Add([]byte("32768\t60999\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		parseProcNet(b, func(e procSocket) {
			if e.port < 0 || e.port > 0xffff || e.state < 0 || e.state > 0xff {
				t.Fatalf("socket %+v out of range", e)
			}
			procAddrPort(e.remote)
		})
		var s sockstat
		parseSockstat(b, &s)
		parseOpenFilesLimit(b)
		if lo, hi, err := parsePortRange("fuzz", b); err == nil && lo > hi {
			t.Fatalf("range %d-%d accepted", lo, hi)
		}
	})
}
