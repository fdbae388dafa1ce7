//go:build linux

package firewall

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/netguard/netguard/checks/internal/netnstest"
	"github.com/netguard/netguard/checks/netstate"
)

var updateXTables = flag.Bool("update-xtables", false, "rewrite testdata/xtables/*.bin from the kernel")

// xtLegacyRuleset is what TestLegacyFilterNetns loads with iptables-legacy
// and the fixtures in testdata/xtables were captured from.
var xtLegacyRuleset = [][]string{
	{"iptables-legacy", "-N", "vpn"},
	{"iptables-legacy", "-A", "OUTPUT", "-o", "lo", "-j", "ACCEPT"},
	{"iptables-legacy", "-A", "OUTPUT", "-o", "wg+", "-j", "ACCEPT"},
	{"iptables-legacy", "-A", "OUTPUT", "-p", "tcp", "--dport", "443", "-j", "REJECT"},
	{"iptables-legacy", "-A", "OUTPUT", "-p", "udp", "!", "-d", "10.64.0.1", "--dport", "53", "-j", "DROP"},
	{"iptables-legacy", "-A", "OUTPUT", "-p", "tcp", "-m", "multiport", "--dports", "80,8000:8080", "-j", "vpn"},
	{"iptables-legacy", "-A", "OUTPUT", "-m", "conntrack", "--ctstate", "ESTABLISHED", "-j", "ACCEPT"},
	{"iptables-legacy", "-A", "OUTPUT", "-m", "state", "--state", "RELATED,ESTABLISHED", "-j", "ACCEPT"},
	{"iptables-legacy", "-A", "OUTPUT", "-m", "conntrack", "--ctstate", "NEW", "--ctproto", "tcp", "-j", "ACCEPT"},
	{"iptables-legacy", "-A", "OUTPUT", "-m", "conntrack", "!", "--ctstate", "SNAT", "-j", "DROP"},
	{"iptables-legacy", "-A", "OUTPUT", "-m", "owner", "--uid-owner", "1000", "-j", "DROP"},
	{"iptables-legacy", "-A", "OUTPUT", "-d", "192.0.2.0/24", "-g", "vpn"},
	{"iptables-legacy", "-A", "OUTPUT", "-p", "tcp", "!", "--dport", "1000:2000", "-j", "LOG"},
	{"iptables-legacy", "-A", "OUTPUT", "-p", "tcp", "--dport", "25"},
	{"iptables-legacy", "-A", "OUTPUT", "-p", "tcp", "--syn", "-j", "DROP"},
	{"iptables-legacy", "-A", "vpn", "-d", "198.51.100.7", "-j", "DROP"},
	{"iptables-legacy", "-A", "vpn", "-j", "RETURN"},
	{"iptables-legacy", "-P", "OUTPUT", "DROP"},
	{"ip6tables-legacy", "-A", "OUTPUT", "-p", "tcp", "--dport", "443", "-j", "REJECT"},
	{"ip6tables-legacy", "-A", "OUTPUT", "!", "-o", "eth0", "-d", "2001:db8::/32", "-j", "DROP"},
}

// TestLegacyFilterNetns loads a legacy ruleset into a namespace of its own
// and reads it back from the kernel as guard does, checking it decodes as
// the fixtures captured from it (TestXTChainsCaptured) do. With
// -update-xtables it rewrites those fixtures.
func TestLegacyFilterNetns(t *testing.T) {
	netnstest.Run(t, func(t *testing.T) {
		// /proc/net is the main thread's namespace; this thread has its
		// own.
		defer func(a, b string) { ipTablesNames, ip6TablesNames = a, b }(ipTablesNames, ip6TablesNames)
		ipTablesNames, ip6TablesNames = "/proc/thread-self/net/ip_tables_names", "/proc/thread-self/net/ip6_tables_names"
		if got := legacyFilterTables(); len(got) != 0 {
			t.Fatalf("a new namespace lists legacy tables %v, want none", got)
		}
		for _, args := range xtLegacyRuleset {
			if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
				t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
			}
		}
		if d := cmp.Diff([]int{4, 6}, legacyFilterTables()); d != "" {
			t.Fatalf("legacy filter tables (-want +got):\n%s", d)
		}
		for _, fam := range []int{4, 6} {
			info, entries, err := legacyFilterBytes(fam, xtLayout())
			if err != nil {
				t.Fatal(err)
			}
			if *updateXTables {
				// A 386 test binary gets the i386 layout from the
				// kernel's compat layer: GOARCH=386 go test captures it.
				arch := map[string]string{"amd64": "", "386": "-i386"}
				suffix, ok := arch[runtime.GOARCH]
				if !ok {
					t.Fatalf("the fixtures are amd64's and 386's (little-endian), not %s's", runtime.GOARCH)
				}
				base := filepath.Join("testdata", "xtables", xtFixtureName(fam)+suffix)
				for ext, b := range map[string][]byte{".info.bin": info, ".entries.bin": entries} {
					if err := os.WriteFile(base+ext, b, 0o644); err != nil {
						t.Fatalf("write %s: %v", base+ext, err)
					}
				}
			}
			chains, err := readLegacyFilter(fam)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(xtWant(fam), xtSummary(chains)); d != "" {
				t.Errorf("ip%stables chains (-want +got):\n%s", v6Suffix(fam), d)
			}
		}
		// ReadOutput's merge: nftables (empty here) plus both tables.
		fs := netstate.FirewallState{Source: "nftables", Read: netstate.TriYes}
		addLegacyFilter(&fs)
		if fs.Read != netstate.TriYes || fs.Source != "nftables, iptables-legacy" || len(fs.Chains) != 3 {
			t.Errorf("merged state: read %v err %v source %q, %d chains; want both tables' 3 chains", fs.Read, fs.Err, fs.Source, len(fs.Chains))
		}
	})
}

// TestLegacyFilterAbsent: a namespace whose legacy tables exist but hold
// nothing adds nothing, and one without them opens no socket.
func TestLegacyFilterAbsent(t *testing.T) {
	netnstest.Run(t, func(t *testing.T) {
		defer func(a, b string) { ipTablesNames, ip6TablesNames = a, b }(ipTablesNames, ip6TablesNames)
		ipTablesNames, ip6TablesNames = "/proc/thread-self/net/ip_tables_names", "/proc/thread-self/net/ip6_tables_names"
		if out, err := exec.Command("iptables-legacy", "-S").CombinedOutput(); err != nil {
			t.Fatalf("iptables-legacy -S: %v\n%s", err, out)
		}
		if d := cmp.Diff([]int{4}, legacyFilterTables()); d != "" {
			t.Fatalf("legacy filter tables (-want +got):\n%s", d)
		}
		fs := netstate.FirewallState{Source: "nftables", Read: netstate.TriYes}
		addLegacyFilter(&fs)
		if fs.Read != netstate.TriYes || fs.Source != "nftables" || len(fs.Chains) != 0 {
			t.Errorf("empty legacy table: read %v source %q chains %d; want nftables alone", fs.Read, fs.Source, len(fs.Chains))
		}
	})
}

// BenchmarkLegacyFilterTables is the cost the legacy back end adds to a
// root run on a machine without legacy tables: reading the kernel's lists.
func BenchmarkLegacyFilterTables(b *testing.B) {
	for b.Loop() {
		if fams := legacyFilterTables(); len(fams) != 0 {
			b.Fatalf("this machine lists legacy tables %v: the benchmark needs none", fams)
		}
	}
}
