package diagnose

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var stepOSes = []string{"linux", "darwin", "windows"}

// linuxOnly are commands and paths that exist only on Linux: a step for
// macOS or Windows must never name them.
var linuxOnly = regexp.MustCompile(`(^|[\s;|(])(ip (addr|link|route|rule|neigh|-6|-4|-br)|nft|iptables|ip6tables|nmcli|networkctl|resolvectl|systemctl|journalctl|ss|tc|ethtool|sysctl -w net\.ipv[46]|sysctl -w fs\.)\b|/proc/|/etc/resolv\.conf|/etc/sysctl\.d|/etc/security|/etc/ethers|ip_local_port_range`)

// unixOnly are Unix commands and syntax that a Windows step must not use.
var unixOnly = regexp.MustCompile(`(^|[\s;|(])(sudo|grep|awk|sed|head|sort|uniq|lsof|ulimit|ifconfig|arp -an|route -n|netstat -rn|scutil|networksetup|dscacheutil|killall|launchctl|pfctl|tccutil|ndp|cat|ls)\b|\$\(|2>/dev/null`)

// windowsOnly are Windows commands a Unix step must not use.
var windowsOnly = regexp.MustCompile(`\b(Get-Net\w+|Set-Net\w+|Remove-Net\w+|Enable-NetAdapter|Find-NetRoute|Resolve-DnsName|Get-DnsClient\w*|Get-Process|netsh|wf\.msc)\b|ipconfig /|-Confirm:`)

// darwinOnly are macOS commands a Linux step must not use.
var darwinOnly = regexp.MustCompile(`(^|[\s;|(])(scutil|networksetup|dscacheutil|launchctl|pfctl|tccutil|ndp|route -n)\b|ifscope|mDNSResponder|System Settings`)

// placeholder is anything a reader would have to fill in by hand.
var placeholder = regexp.MustCompile(`\{[a-z0-9_]+\}|<[a-z][a-z ]*>|\bIFACE\b|\bTARGET\b`)

// TestCatalogManualSteps: every finding has its own steps for Linux, macOS
// and Windows, each in that OS's own commands, and names only args the
// catalog knows.
func TestCatalogManualSteps(t *testing.T) {
	known := map[string]bool{}
	for _, a := range []Arg{ArgIface, ArgGateway, ArgMAC, ArgState, ArgFamily, ArgPrefix, ArgType, ArgTargets, ArgName,
		ArgServer, ArgErr, ArgApp, ArgCount, ArgPct, ArgDetail, ArgIfaces, ArgPrefixes, ArgRoutes,
		ArgTarget, ArgLink, ArgDefault, ArgMetric, ArgAltIface, ArgAltGateway, ArgAltMetric, ArgOther, ArgEgressMTU, ArgSize, ArgMTU,
		ArgPort, ArgPID, ArgProcess, ArgVar, ArgProxy, ArgEndpoint, ArgFile, ArgService, ArgNext, ArgWait, ArgHolder, ArgStop, ArgUnit, ArgTable, ArgRule, ArgWGQuick} {
		known[string(a)] = true
	}
	known[string(ArgSearch)] = true
	known[string(ArgURL)] = true
	known[string(ArgDomain)] = true
	known[string(ArgNRPTRule)] = true
	known[string(ArgAdapterServer)] = true
	known[string(ArgNRPTPolicyRule)] = true
	for _, a := range []Arg{ArgFWFamily, ArgIPTables, ArgRuleNum, ArgTable, ArgChain, ArgHandle, ArgRule, ArgTunnel, ArgServers, ArgExcept, ArgAnchor} {
		known[string(a)] = true
	}
	arg := regexp.MustCompile(`\{([a-z0-9_]+)\}`)
	for _, d := range Catalog() {
		for _, goos := range stepOSes {
			steps := d.Manual.For(goos)
			if len(steps) == 0 {
				t.Errorf("%s: no manual steps for %s", d.ID, goos)
			}
			for _, s := range steps {
				body := s
				for _, tag := range familyTags {
					body = strings.TrimPrefix(body, tag)
				}
				var bad *regexp.Regexp
				switch goos {
				case "darwin":
					if linuxOnly.MatchString(body) {
						bad = linuxOnly
					} else if windowsOnly.MatchString(body) {
						bad = windowsOnly
					}
				case "windows":
					if linuxOnly.MatchString(body) {
						bad = linuxOnly
					} else if unixOnly.MatchString(body) {
						bad = unixOnly
					}
				case "linux":
					if windowsOnly.MatchString(body) {
						bad = windowsOnly
					} else if darwinOnly.MatchString(body) {
						bad = darwinOnly
					}
				}
				if bad != nil {
					t.Errorf("%s: %s step %q uses another OS's command %q", d.ID, goos, s, bad.FindString(body))
				}
				for _, m := range arg.FindAllStringSubmatch(body, -1) {
					if !known[m[1]] {
						t.Errorf("%s: %s step %q names unknown arg {%s}", d.ID, goos, s, m[1])
					}
				}
				if strings.Contains(body, "[IPv") {
					t.Errorf("%s: %s step %q: a family tag must open the step", d.ID, goos, s)
				}
				if p := regexp.MustCompile(`<[a-z][a-z ]*>`).FindString(body); p != "" {
					t.Errorf("%s: %s step %q leaves %s to the reader", d.ID, goos, s, p)
				}
			}
		}
	}
}

// checkRenderedSteps renders the steps of findings as a diagnosis produced
// them, for every OS: each has steps, and none is left with a placeholder
// (an arg the diagnosis did not fill, a literal <iface>) or with two
// values in one command.
func checkRenderedSteps(t *testing.T, fs []Finding) {
	t.Helper()
	for _, f := range fs {
		for _, goos := range stepOSes {
			steps := f.ManualSteps(goos)
			if d, _ := Lookup(f.ID); slices.ContainsFunc(d.Manual.For(goos), func(s string) bool { return strings.HasPrefix(s, "[IPv") }) &&
				f.Args[ArgFamily] != "IPv4" && f.Args[ArgFamily] != "IPv6" {
				t.Errorf("%s on %s: steps depend on the family, and the diagnosis gave none (args %v)", f.ID, goos, f.Args)
			}
			if len(steps) == 0 {
				t.Errorf("%s on %s: no manual steps rendered with args %v", f.ID, goos, f.Args)
			}
			for _, s := range steps {
				if p := placeholder.FindString(s); p != "" {
					t.Errorf("%s on %s: step %q leaves %s unfilled (args %v)", f.ID, goos, s, p, f.Args)
				}
				if strings.HasPrefix(s, "[IPv") {
					t.Errorf("%s on %s: step %q keeps its family tag", f.ID, goos, s)
				}
				for _, l := range listArgs {
					if v := f.Args[l]; strings.Contains(v, ListSep) && strings.Contains(s, v) {
						t.Errorf("%s on %s: step %q names all of {%s} at once", f.ID, goos, s, l)
					}
				}
			}
		}
	}
}

// TestManualStepRendering pins the template rules: a list arg renders one
// step per value, a family tag selects the step, an optional arg the
// finding lacks drops the step, and no OS falls back to Linux's steps.
func TestManualStepRendering(t *testing.T) {
	for _, tc := range []struct {
		name, goos string
		f          Finding
		want       []string
	}{
		{"one command per target", "linux",
			Finding{ID: InternetUnreachable.ID, Args: Args{ArgTargets: "203.0.113.5, 198.51.100.7"}},
			[]string{"# check the upstream network (router's WAN, captive portal, VPN)", "ip route get 203.0.113.5", "ip route get 198.51.100.7"}},
		{"one delete per interface scope", "darwin",
			Finding{ID: GatewayNeighborDuplicate.ID, Args: Args{ArgGateway: "192.168.1.1", ArgIfaces: "en0, en1", ArgFamily: "IPv4"}},
			[]string{"sudo arp -d 192.168.1.1 ifscope en0", "sudo arp -d 192.168.1.1 ifscope en1"}},
		{"IPv6 entries through ndp", "darwin",
			Finding{ID: GatewayNeighborFailed.ID, Args: Args{ArgGateway: "fe80::1", ArgIface: "en0", ArgFamily: "IPv6"}},
			[]string{"sudo ndp -d fe80::1%en0", "# check that the router is on and the cable or Wi-Fi is connected"}},
		{"known interface", "linux",
			Finding{ID: NoDefaultRoute.ID, Args: Args{ArgIface: "wlan0"}},
			[]string{"# reconnect to the network (cable, Wi-Fi, VPN), or renew DHCP", "sudo nmcli device reapply wlan0  # renew DHCP (NetworkManager)",
				"sudo networkctl renew wlan0  # renew DHCP (systemd-networkd)", "sudo dhcpcd -n wlan0  # renew DHCP (dhcpcd)", "sudo dhclient -v wlan0  # renew DHCP (dhclient)",
				"ls /etc/netplan  # the configuration netplan generates; sudo netplan apply after a change", "sudo ifup wlan0  # ifupdown configures wlan0",
				"ip route show default", "ip -6 route show default"}},
		{"unknown interface: its steps left out", "linux",
			Finding{ID: NoDefaultRoute.ID, Args: Args{}},
			[]string{"# reconnect to the network (cable, Wi-Fi, VPN), or renew DHCP", "ls /etc/netplan  # the configuration netplan generates; sudo netplan apply after a change",
				"ip route show default", "ip -6 route show default"}},
		{"no fallback to Linux", "plan9", Finding{ID: LinkDown.ID, Args: Args{ArgIface: "eth0"}}, nil},
	} {
		got := tc.f.ManualSteps(tc.goos)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
	}
}

// Every Def declared in the package is listed by exactly one check, and
// no two share an ID: the catalog is built from the checks' lists, so a
// Def no check lists would never be reported.
func TestCatalogListed(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var declared [][]string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		declared = append(declared, regexp.MustCompile(`(?m)^\t(\w+)\s+= &Def\{`).FindAllStringSubmatch(string(src), -1)...)
	}
	if len(declared) != len(catalogDefs()) {
		t.Fatalf("%d Defs declared, %d listed by the checks", len(declared), len(catalogDefs()))
	}
	ids := map[string]bool{}
	for _, d := range catalogDefs() {
		if ids[d.ID] {
			t.Errorf("duplicate finding %s", d.ID)
		}
		ids[d.ID] = true
	}
	if len(catalogByID()) != len(catalogDefs()) {
		t.Fatalf("index has %d, list %d", len(catalogByID()), len(catalogDefs()))
	}
}
