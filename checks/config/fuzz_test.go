package config

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/netguard/netguard/checks"
)

// Fuzz targets for everything that turns untrusted text into settings. In
// a plain `go test` they run their seeds; CI runs each briefly with
//
//	go test ./checks/config -run '^$' -fuzz '^FuzzParseFile$' -fuzztime 10s
//
// (and the same for FuzzSet and FuzzFromEnv). The invariants: no panic,
// every error one printable line, and every accepted value valid.

func FuzzParseFile(f *testing.F) {
	for _, seed := range []string{
		"external: [203.0.113.5, '203.0.113.6:443']\ndns: www.lab.test\ngateway: 198.18.3.1\ntimeout: 3s\nsudo: never\n",
		"trust: [/home/u/src/app]\n",
		"dns: \"www.example.test\\e]0;PWNED\\a\\e[1A\"\n",
		"external: [" + targets(40) + "]\n",
		"a: &a [*a, *a]\nb: *a\n",
		"timeout: 100us\n",
		"- a\n",
		"dns: [\n",
		"\x00\xff",
		"",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := ParseFile("f.yaml", data)
		if err != nil {
			oneLine(t, err)
			return
		}
		valid(t, v)
	})
}

func FuzzSet(f *testing.F) {
	for _, k := range append(Keys, "nope") {
		for _, raw := range []string{"", "auto", "198.51.100.1", "[::1]:53,203.0.113.1", "2s", "100us", "prompt", "a.test\x1b[2J", strings.Repeat("a.", 200)} {
			f.Add(k, raw)
		}
	}
	f.Fuzz(func(t *testing.T, key, raw string) {
		v := &Values{}
		if err := v.Set(key, raw); err != nil {
			oneLine(t, err)
			return
		}
		valid(t, v)
	})
}

func FuzzFromEnv(f *testing.F) {
	f.Add("203.0.113.5", "www.lab.test", "auto", "2s", "never")
	f.Add("a\nb", "\x1b]0;x\a", "-1", "1e9h", "always")
	f.Fuzz(func(t *testing.T, external, dns, gateway, timeout, sudo string) {
		env := map[string]string{
			"NETGUARD_EXTERNAL": external, "NETGUARD_DNS": dns, "NETGUARD_GATEWAY": gateway,
			"NETGUARD_TIMEOUT": timeout, "NETGUARD_SUDO": sudo,
		}
		v, err := FromEnv(func(k string) string { return env[k] })
		if err != nil {
			oneLine(t, err)
			return
		}
		valid(t, v)
	})
}

// oneLine fails unless err prints as one line a terminal shows as is.
func oneLine(t *testing.T, err error) {
	t.Helper()
	if msg := err.Error(); !isPrintable(msg) {
		t.Fatalf("error is not one printable line: %q", msg)
	}
}

// valid fails unless the accepted values make valid options.
func valid(t *testing.T, v *Values) {
	t.Helper()
	o := checks.DefaultOptions()
	v.Apply(&o)
	if err := o.Validate(); err != nil {
		t.Fatalf("accepted values are invalid: %v (%+v)", err, o)
	}
	for _, d := range v.trust {
		if !isPrintable(d) || !filepath.IsAbs(d) {
			t.Fatalf("accepted trust entry %q", d)
		}
	}
}
