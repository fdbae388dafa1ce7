package checks

import (
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestValidateBounds(t *testing.T) {
	many := make([]netip.AddrPort, MaxExternal+1)
	for i := range many {
		many[i] = netip.AddrPortFrom(netip.AddrFrom4([4]byte{198, 51, 100, byte(i + 1)}), 0)
	}
	tests := []struct {
		name    string
		change  func(o *Options)
		wantErr string // "" is valid
	}{
		{"defaults", func(o *Options) {}, ""},
		{"shortest timeout", func(o *Options) { o.Timeout = MinTimeout }, ""},
		{"longest timeout", func(o *Options) { o.Timeout = MaxTimeout }, ""},
		{"timeout too short", func(o *Options) { o.Timeout = 100 * time.Microsecond }, "timeout: 100µs is out of range"},
		{"timeout too long", func(o *Options) { o.Timeout = MaxTimeout + 1 }, "timeout: 10m0.000000001s is out of range"},
		{"sixteen targets", func(o *Options) { o.External = many[:MaxExternal] }, ""},
		{"seventeen targets", func(o *Options) { o.External = many }, "external: 17 targets, at most 16"},
		{"no targets", func(o *Options) { o.External = nil }, "no external targets"},
		{"escape in dns", func(o *Options) { o.DNSName = "a.test\x1b[2J" }, `dns: invalid name "a.test\x1b[2J"`},
		{"bad sudo", func(o *Options) { o.Sudo = "always\n" }, `invalid sudo mode "always\n"`},
	}
	for _, tt := range tests {
		o := DefaultOptions()
		tt.change(&o)
		err := o.Validate()
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.wantErr)
		}
	}
}

func TestParseTargetsLimit(t *testing.T) {
	list := strings.TrimSuffix(strings.Repeat("198.51.100.1,", 30000), ",")
	if _, err := ParseTargets(list); err == nil || err.Error() != "more than 16 targets" {
		t.Errorf("30000 targets: %v", err)
	}
	ok := strings.TrimSuffix(strings.Repeat("198.51.100.1, ,", MaxExternal), ",")
	if ts, err := ParseTargets(ok); err != nil || len(ts) != MaxExternal {
		t.Errorf("16 targets with empty fields: %d, %v", len(ts), err)
	}
}

// ParseTargets as a table: IPs with and without ports, both families,
// mapped IPv4, and the errors a user gets for what is not a target.
func TestParseTargets(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // targets joined by space; "" for an error
		err  string
	}{
		{in: "203.0.113.5", want: "203.0.113.5:0"},
		{in: " 203.0.113.5 , 2001:db8::5 ", want: "203.0.113.5:0 [2001:db8::5]:0"},
		{in: "203.0.113.5:443,[2001:db8::5]:53", want: "203.0.113.5:443 [2001:db8::5]:53"},
		{in: "::ffff:203.0.113.5", want: "203.0.113.5:0"},
		{in: "203.0.113.5,,", want: "203.0.113.5:0"},
		{in: "", err: "no target"},
		{in: " , ", err: "no target"},
		{in: "example.com", err: "host names are not accepted"},
		{in: "example.com:443", err: "not an IP address with a port"},
		{in: "203.0.113.5:0", err: "port 0"},
		{in: "203.0.113.5:70000", err: "not an IP address with a port"},
	} {
		got, err := ParseTargets(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseTargets(%q) = %v, %v; want error with %q", tc.in, got, err, tc.err)
			}
			continue
		}
		var s []string
		for _, a := range got {
			s = append(s, a.String())
		}
		if err != nil || strings.Join(s, " ") != tc.want {
			t.Errorf("ParseTargets(%q) = %q, %v; want %q", tc.in, s, err, tc.want)
		}
	}
}
