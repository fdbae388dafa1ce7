package diagnose

import (
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/netguard/netguard/checks/netstate"
)

// hostileValues are names a machine or a network can hand guard: an
// interface named by another local user, a process name, a DNS name from a
// project file. Each carries "id>&2", which no step template contains.
var hostileValues = []string{
	"q$(id>&2)",
	"q`id>&2`",
	"a'b\"c;id>&2",
	"sp ace|id>&2",
	"new\nline id>&2",
	"ps\u2019;id>&2\u2018",
	"-x;id>&2",
}

// Every step of every finding, rendered for every OS with hostile values
// in every arg, keeps each value inside the quoting of that OS's shell:
// with the quoted values taken out, nothing of them is left.
func TestStepsQuoteHostileValues(t *testing.T) {
	for _, d := range Catalog() {
		for _, goos := range stepOSes {
			for _, fam := range []string{"IPv4", "IPv6"} {
				for _, v := range hostileValues {
					a := Args{ArgFamily: fam}
					for _, s := range d.Manual.For(goos) {
						for _, m := range regexp.MustCompile(`\{([a-z0-9_]+)\}`).FindAllStringSubmatch(s, -1) {
							if k := Arg(m[1]); k != ArgFamily && !slices.Contains(rawArgs, k) {
								a[k] = v
							}
						}
					}
					f := Finding{ID: d.ID, Args: a}
					q := QuoteFor(goos, v)
					var words []string
					for _, w := range strings.Fields(v) {
						words = append(words, QuoteFor(goos, w))
					}
					qw := strings.Join(words, " ") // a word arg: each word quoted
					for _, step := range f.ManualSteps(goos) {
						rest := strings.ReplaceAll(strings.ReplaceAll(step, q, "VALUE"), qw, "WORDS")
						if strings.Contains(rest, "id>&2") {
							t.Errorf("%s on %s: value %q not quoted in step %q", d.ID, goos, v, step)
						}
					}
				}
			}
		}
	}
}

// A placeholder is never wrapped in quotes by its template: the value is
// quoted when it is filled, and PowerShell would expand $(...) inside
// double quotes.
func TestStepTemplatesDoNotQuotePlaceholders(t *testing.T) {
	wrapped := regexp.MustCompile(`["'][^"' ]*\{[a-z0-9_]+\}[^"' ]*["']`)
	for _, d := range Catalog() {
		for _, goos := range stepOSes {
			for _, s := range d.Manual.For(goos) {
				if w := wrapped.FindString(s); w != "" {
					t.Errorf("%s on %s: step %q quotes a placeholder itself (%s)", d.ID, goos, s, w)
				}
			}
		}
	}
}

func TestQuotePowerShell(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Wi-Fi", "Wi-Fi"},
		{"Ethernet 2", "'Ethernet 2'"},
		{"q$(id)", "'q$(id)'"},
		{"it's", "'it''s'"},
		{"a\u2019b", "'a\u2019\u2019b'"},
		{"-Force", "'-Force'"},
		{"C:\\Windows\\System32\\drivers\\etc\\hosts", "C:\\Windows\\System32\\drivers\\etc\\hosts"},
		{"", "''"},
		{"a,b", "'a,b'"},
	} {
		if got := QuotePowerShell(tc.in); got != tc.want {
			t.Errorf("QuotePowerShell(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

// Every step is one command or one comment: none holds a second command
// after "; " or reads as prose a shell would try to run.
func TestStepsOneCommandEach(t *testing.T) {
	prose := regexp.MustCompile(`^(check|see|run|start|remove|reconnect|renew|allow|if|or|then|nothing|move|disconnect|quit|switch|ask|find|lower|programs|set|System|Settings|Docker|ControlCenter|netguard)\b`)
	for _, d := range Catalog() {
		for _, goos := range stepOSes {
			for _, s := range d.Manual.For(goos) {
				_, _, body, ok := stepTags(s)
				if !ok {
					t.Errorf("%s on %s: step %q has an unknown tag", d.ID, goos, s)
					continue
				}
				if strings.HasPrefix(body, "# ") {
					continue
				}
				if prose.MatchString(body) {
					t.Errorf("%s on %s: step %q is prose, not a command: make it a comment (\"# ...\")", d.ID, goos, s)
				}
				cmd, _, _ := strings.Cut(body, "  # ")
				if strings.Contains(cmd, "; ") && !strings.HasPrefix(cmd, "for ") {
					t.Errorf("%s on %s: step %q holds more than one command", d.ID, goos, s)
				}
			}
		}
	}
}

// The steps follow the managers in charge: a machine with none of them
// gets no nmcli, networkctl or resolvectl; one with NetworkManager and
// systemd-resolved gets theirs and not networkd's.
func TestStepsForManagers(t *testing.T) {
	none := netstate.Managers{Known: true}
	nmResolved := netstate.Managers{Known: true, InCharge: netstate.MgrNetworkManager | netstate.MgrResolved}
	dhclient := netstate.Managers{Known: true, InCharge: netstate.MgrIfupdown | netstate.MgrDhclient}
	for _, tc := range []struct {
		name      string
		f         Finding
		m         netstate.Managers
		want, not []string
	}{
		{"DNS down, no manager", Finding{ID: DNSFailed.ID, Args: Args{ArgName: "www.lab.test"}}, none,
			[]string{"cat /etc/resolv.conf  # the name servers asked", "getent hosts www.lab.test"}, []string{"resolvectl", "systemd-resolved", "nmcli"}},
		{"DNS down, NetworkManager and resolved", Finding{ID: DNSFailed.ID, Args: Args{ArgName: "www.lab.test"}}, nmResolved,
			[]string{"resolvectl query www.lab.test", "sudo systemctl restart systemd-resolved"}, []string{"networkctl"}},
		{"no route, no manager", Finding{ID: NoDefaultRoute.ID, Args: Args{ArgIface: "eth0"}}, none,
			[]string{"ip route show default"}, []string{"nmcli", "networkctl", "dhclient", "dhcpcd", "ifup", "netplan"}},
		{"no route, NetworkManager", Finding{ID: NoDefaultRoute.ID, Args: Args{ArgIface: "eth0"}}, nmResolved,
			[]string{"sudo nmcli device reapply eth0  # renew DHCP (NetworkManager)"}, []string{"networkctl", "dhclient"}},
		{"no route, ifupdown with dhclient", Finding{ID: NoDefaultRoute.ID, Args: Args{ArgIface: "eth0"}}, dhclient,
			[]string{"sudo dhclient -v eth0  # renew DHCP (dhclient)", "sudo ifup eth0  # ifupdown configures eth0"}, []string{"nmcli", "networkctl"}},
		{"link down, no manager", Finding{ID: LinkDown.ID, Args: Args{ArgIface: "eth0"}}, none,
			[]string{"sudo ip link set dev eth0 up"}, []string{"nmcli", "ifup"}},
		{"timed out, no manager", Finding{ID: TimedOut.ID}, none,
			[]string{"guard check -v --timeout 10s"}, []string{"systemctl"}},
		{"unknown managers: every step", Finding{ID: DNSFailed.ID, Args: Args{ArgName: "x.test"}}, netstate.Managers{},
			[]string{"resolvectl status", "nmcli device show  # the DNS servers NetworkManager got"}, nil},
	} {
		got := tc.f.ManualStepsFor("linux", tc.m)
		for _, w := range tc.want {
			if !slices.Contains(got, w) {
				t.Errorf("%s: steps %q lack %q", tc.name, got, w)
			}
		}
		for _, n := range tc.not {
			if slices.ContainsFunc(got, func(s string) bool { return strings.Contains(s, n) }) {
				t.Errorf("%s: steps %q name %q", tc.name, got, n)
			}
		}
	}
}

// The report's first line agrees with the evidence: when the system
// resolver gave up after its retries (a timeout) and the only name server,
// asked directly, refused, the summary says refused.
func TestDNSFailedSummaryFollowsServers(t *testing.T) {
	s := healthyState("linux")
	srv := netip.MustParseAddrPort("203.0.113.53:53")
	s.DNS = netstate.DNSResult{Ran: true, Name: "www.lab.test", Err: errTimeoutForTest{}, Servers: []netstate.DNSServerResult{{Server: srv, Err: syscall.ECONNREFUSED}}}
	d := Diagnose(s)
	i := slices.IndexFunc(d.Findings, func(f Finding) bool { return f.ID == DNSFailed.ID })
	if i < 0 {
		t.Fatalf("no dns-failed in %+v", d.Findings)
	}
	if got := d.Findings[i].Summary; !strings.Contains(got, "203.0.113.53: connection refused") || strings.Contains(got, "timed out") {
		t.Fatalf("summary %q, want the server's refusal", got)
	}
}

type errTimeoutForTest struct{}

func (errTimeoutForTest) Error() string   { return "i/o timeout" }
func (errTimeoutForTest) Timeout() bool   { return true }
func (errTimeoutForTest) Temporary() bool { return true }

// A binary without a VCS date says in the clock check's detail that it
// cannot bound the clock; a pseudo-version's date serves as one.
func TestClockWithoutBuildDate(t *testing.T) {
	s := healthyState("linux")
	s.Clock = netstate.ClockState{Checked: true, Synced: netstate.TriYes, Now: s.Clock.Now}
	d := Diagnose(s)
	i := slices.IndexFunc(d.Checks, func(c CheckResult) bool { return c.ID == "clock" })
	if i < 0 || !strings.Contains(d.Checks[i].Detail, "built without VCS data") {
		t.Fatalf("clock check %+v: want it to say the build has no date", d.Checks)
	}
	for v, want := range map[string]string{
		"v0.0.0-20260102150405-abcdef123456":       "2026-01-02 15:04:05",
		"v1.2.4-0.20260102150405-abcdef123456":     "2026-01-02 15:04:05",
		"v1.2.4-pre.0.20260102150405-abcdef123456": "2026-01-02 15:04:05",
		"v0.0.0-20260102150405-abcdef123456+dirty": "2026-01-02 15:04:05",
		"v1.2.3":            "",
		"(devel)":           "",
		"v1.2.3-rc1-abcdef": "",
	} {
		got := ""
		if tm := netstate.PseudoVersionTime(v); !tm.IsZero() {
			got = tm.Format("2006-01-02 15:04:05")
		}
		if got != want {
			t.Errorf("netstate.PseudoVersionTime(%q) = %q, want %q", v, got, want)
		}
	}
}

// How to stop using a proxy is one step per command: unsetting the
// variables and turning the system proxy off are two.
func TestProxyStopOneStepEach(t *testing.T) {
	for goos, want := range map[string][]string{
		"linux":   {"unset HTTPS_PROXY  # or stop using it"},
		"windows": {"Remove-Item Env:HTTPS_PROXY  # or stop using it", "[Environment]::SetEnvironmentVariable('HTTPS_PROXY',$null,'User')  # or stop using it", "# turn off the WinHTTP proxy in Settings › Network & internet › Proxy  # or stop using it"},
	} {
		d := &diag{s: &netstate.State{OS: goos}}
		vars := []string{"HTTPS_PROXY"}
		if goos == "windows" {
			vars = append(vars, "WinHTTP proxy")
		}
		f := Finding{ID: ProxyDead.ID, Args: Args{ArgVar: "HTTPS_PROXY", ArgProxy: "http://127.0.0.1:7890", ArgEndpoint: "127.0.0.1:7890", ArgStop: d.proxyStop(vars)}}
		got := f.ManualSteps(goos)
		for _, w := range want {
			if !slices.Contains(got, w) {
				t.Errorf("%s: steps %q lack %q", goos, got, w)
			}
		}
	}
}
