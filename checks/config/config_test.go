package config

import (
	"net/netip"
	"os"
	"path/filepath"
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

// Precedence: env > project file > user file > defaults; the project file
// is found upward from the working directory.
func TestLoadPrecedence(t *testing.T) {
	home := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "cfg"))
	t.Setenv("HOME", home)
	user := UserPath()
	must(t, os.MkdirAll(filepath.Dir(user), 0o755))
	must(t, os.WriteFile(user, []byte("timeout: 5s\ndns: user.test\nsudo: never\n"), 0o644))
	proj := filepath.Join(home, "proj")
	sub := filepath.Join(proj, "a", "b")
	must(t, os.MkdirAll(sub, 0o755))
	must(t, os.WriteFile(filepath.Join(proj, FileName), []byte("dns: project.test\n"), 0o644))
	env := map[string]string{"NETGUARD_TIMEOUT": "700ms"}
	o, err := Load("", sub, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if o.Timeout != 700*time.Millisecond || o.DNSName != "project.test" || o.Sudo != checks.SudoNever {
		t.Fatalf("options = %+v", o)
	}
	env["NETGUARD_EXTERNAL"] = "not-an-ip"
	if _, err := Load("", sub, func(k string) string { return env[k] }); err == nil || !strings.HasPrefix(err.Error(), "NETGUARD_EXTERNAL: ") {
		t.Fatalf("bad env accepted: %v", err)
	}
	// An explicit file replaces the search.
	explicit := filepath.Join(home, "x.yaml")
	must(t, os.WriteFile(explicit, []byte("dns: explicit.test\n"), 0o644))
	o, err = Load(explicit, sub, func(string) string { return "" })
	if err != nil || o.DNSName != "explicit.test" || o.Timeout != 2*time.Second {
		t.Fatalf("explicit: %+v %v", o, err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
