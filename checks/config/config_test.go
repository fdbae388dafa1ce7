package config

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/netguard/netguard/checks"
)

func TestParseFile(t *testing.T) {
	tests := []struct {
		name, src string
		wantErr   string // substring; "" means no error
		check     func(t *testing.T, o checks.Options)
	}{
		{name: "all keys", src: "external: [203.0.113.5, '203.0.113.6:443']\ndns: www.lab.test\ngateway: 198.18.3.1\ntimeout: 3s\nsudo: never\n",
			check: func(t *testing.T, o checks.Options) {
				want := []netip.AddrPort{netip.MustParseAddrPort("203.0.113.5:0"), netip.MustParseAddrPort("203.0.113.6:443")}
				if len(o.External) != 2 || o.External[0] != want[0] || o.External[1] != want[1] {
					t.Errorf("external = %v", o.External)
				}
				if o.DNSName != "www.lab.test" || o.Gateway != netip.MustParseAddr("198.18.3.1") || o.Timeout != 3*time.Second || o.Sudo != checks.SudoNever {
					t.Errorf("options = %+v", o)
				}
			}},
		{name: "comma list", src: "external: 203.0.113.5,203.0.113.6\n", check: func(t *testing.T, o checks.Options) {
			if len(o.External) != 2 {
				t.Errorf("external = %v", o.External)
			}
		}},
		{name: "gateway auto", src: "gateway: auto\n", check: func(t *testing.T, o checks.Options) {
			if o.Gateway.IsValid() {
				t.Errorf("gateway = %v", o.Gateway)
			}
		}},
		{name: "empty file", src: "", check: func(t *testing.T, o checks.Options) {
			if o.Timeout != 2*time.Second {
				t.Errorf("timeout = %v", o.Timeout)
			}
		}},
		{name: "unknown key", src: "dns: a.test\ntimout: 2s\n", wantErr: "cfg.yaml:2: unknown key \"timout\""},
		{name: "bad duration", src: "timeout: soon\n", wantErr: "cfg.yaml:1: timeout: invalid duration"},
		{name: "negative duration", src: "timeout: -1s\n", wantErr: "cfg.yaml:1: timeout: -1s is out of range"},
		{name: "host name target", src: "external:\n  - example.com\n", wantErr: "cfg.yaml:1: external: target \"example.com\" is not an IP address"},
		{name: "bad sudo", src: "sudo: always\n", wantErr: "cfg.yaml:1: invalid sudo mode"},
		{name: "bad gateway", src: "gateway: router\n", wantErr: "cfg.yaml:1: gateway: want auto or an IP address"},
		{name: "not a mapping", src: "- a\n- b\n", wantErr: "cfg.yaml:1: want a mapping"},
		{name: "nested value", src: "dns:\n  name: x\n", wantErr: "cfg.yaml:1: dns: want a single value"},
		{name: "yaml syntax", src: "dns: [\n", wantErr: "cfg.yaml: "},
		{name: "duplicate key", src: "external: 203.0.113.5\ndns: a.test\nexternal: 203.0.113.6\n", wantErr: "cfg.yaml:3: duplicate key \"external\" (first on line 1)"},
		{name: "bad yes/no", src: "quiet: maybe\n", wantErr: "cfg.yaml:1: quiet: want 1, true, yes, on"},
		{name: "dns escape sequence", src: "dns: \"www.lab.test\\e]0;PWNED\\a\\e[1A\\e[2K\\rok\"\n", wantErr: `cfg.yaml:1: dns: invalid name "www.lab.test\x1b]0;PWNED\a\x1b[1A\x1b[2K\rok"`},
		{name: "dns newline", src: "dns: \"a.test\\nb.test\"\n", wantErr: `dns: invalid name "a.test\nb.test"`},
		{name: "dns underscore", src: "dns: _srv.lab.test\n", wantErr: "only letters, digits, hyphens and dots"},
		{name: "dns label hyphen", src: "dns: -a.lab.test\n", wantErr: "starts or ends with a hyphen"},
		{name: "dns too long", src: "dns: " + strings.Repeat("a.", 127) + "test\n", wantErr: "longer than 253"},
		{name: "dns label too long", src: "dns: " + strings.Repeat("a", 64) + ".test\n", wantErr: "label longer than 63"},
		{name: "dns empty label", src: "dns: a..test\n", wantErr: "empty label"},
		{name: "dns trailing dot", src: "dns: www.lab.test.\n", check: func(t *testing.T, o checks.Options) {
			if o.DNSName != "www.lab.test." {
				t.Errorf("dns = %q", o.DNSName)
			}
		}},
		{name: "timeout too short", src: "timeout: 100us\n", wantErr: "cfg.yaml:1: timeout: 100µs is out of range (100ms to 10m0s)"},
		{name: "timeout too long", src: "timeout: 11m\n", wantErr: "timeout: 11m0s is out of range"},
		{name: "timeout bounds", src: "timeout: 100ms\n", check: func(t *testing.T, o checks.Options) {
			if o.Timeout != 100*time.Millisecond {
				t.Errorf("timeout = %v", o.Timeout)
			}
		}},
		{name: "sixteen targets", src: "external: [" + targets(16) + "]\n", check: func(t *testing.T, o checks.Options) {
			if len(o.External) != 16 {
				t.Errorf("external has %d targets", len(o.External))
			}
		}},
		{name: "seventeen targets", src: "external: [" + targets(17) + "]\n", wantErr: "cfg.yaml:1: external: more than 16 targets"},
		{name: "thousand targets", src: "external: [" + targets(1000) + "]\n", wantErr: "more than 16 targets"},
		{name: "unknown key quoted", src: "\"a\\nb\": 1\n", wantErr: `unknown key "a\nb"`},
		{name: "bad gateway quoted", src: "gateway: \"\\e[2J\"\n", wantErr: `gateway: want auto or an IP address, got "\x1b[2J"`},
		{name: "trust relative", src: "trust: [src/app]\n", wantErr: `cfg.yaml:1: trust: "src/app" is not an absolute path`},
		{name: "trust mapping", src: "trust: {a: b}\n", wantErr: "trust: want a list of directories"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := ParseFile("cfg.yaml", []byte(tt.src))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "\n") {
					t.Fatalf("error is not one line: %q", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			o := checks.DefaultOptions()
			v.Apply(&o)
			tt.check(t, o)
		})
	}
}

// targets returns n distinct documentation addresses, comma-separated.
func targets(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "198.51.%d.%d", i/250, i%250+1)
	}
	return b.String()
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestOutputKeys(t *testing.T) {
	v, err := ParseFile("cfg.yaml", []byte("quiet: yes\nverbose: off\njson: TRUE\n"))
	if err != nil {
		t.Fatal(err)
	}
	var o Output
	v.ApplyOutput(&o)
	if o.Quiet == nil || !*o.Quiet || o.Verbose == nil || *o.Verbose || o.JSON == nil || !*o.JSON {
		t.Fatalf("output = %+v", o)
	}
	var none Output
	(&Values{}).ApplyOutput(&none)
	if none.Quiet != nil || none.Verbose != nil || none.JSON != nil {
		t.Fatalf("unset keys set: %+v", none)
	}
}

func TestParseBool(t *testing.T) {
	for raw, want := range map[string]bool{"1": true, "true": true, "Yes": true, " on ": true, "0": false, "FALSE": false, "no": false, "off": false} {
		if got, err := ParseBool(raw); err != nil || got != want {
			t.Errorf("ParseBool(%q) = %v, %v", raw, got, err)
		}
	}
	for _, raw := range []string{"", "2", "y", "maybe", "ja"} {
		if _, err := ParseBool(raw); err == nil {
			t.Errorf("ParseBool(%q) accepted", raw)
		}
	}
	env := func(v string) func(string) string { return func(string) string { return v } }
	if s, err := Skip(env("")); s || err != nil {
		t.Errorf("unset skip: %v %v", s, err)
	}
	if s, err := Skip(env("no")); s || err != nil {
		t.Errorf("NETGUARD_SKIP=no: %v %v", s, err)
	}
	if s, err := Skip(env("yes")); !s || err != nil {
		t.Errorf("NETGUARD_SKIP=yes: %v %v", s, err)
	}
	if _, err := Skip(env("sometimes")); err == nil || !strings.Contains(err.Error(), "NETGUARD_SKIP") {
		t.Errorf("NETGUARD_SKIP=sometimes: %v", err)
	}
}

// probe-wait: strictly validated from every source, applied to Options,
// and capped from a project file like the timeout.
func TestProbeWait(t *testing.T) {
	var v Values
	for _, bad := range []string{"", "x", "10ms", "1h", "-1s"} {
		if err := v.Set("probe-wait", bad); err == nil {
			t.Errorf("probe-wait %q accepted", bad)
		}
	}
	if err := v.Set("probe-wait", "3s"); err != nil {
		t.Fatal(err)
	}
	o := checks.DefaultOptions()
	v.Apply(&o)
	if o.ProbeWait != 3*time.Second {
		t.Fatalf("ProbeWait = %v", o.ProbeWait)
	}
}
