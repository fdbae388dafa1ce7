package config

import (
	"encoding/json"
	"testing"
)

// StripJSONC keeps what is inside strings, drops comments and trailing
// commas, and refuses what does not end.
func TestStripJSONC(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"a": 1} // c`, `{"a":1}`},
		{"{\n// c\n\"a\": 1 /* b */}", `{"a":1}`},
		{`{"url": "http://x//y", "s": "/* no */"}`, `{"s":"/* no */","url":"http://x//y"}`},
		{`{"q": "a\"//b"}`, `{"q":"a\"//b"}`},
		{`{"a": [1, 2,], "b": {"c": 3,},}`, `{"a":[1,2],"b":{"c":3}}`},
		{`{"s": ",]"}`, `{"s":",]"}`},
	} {
		got, err := StripJSONC([]byte(tc.in))
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		var v any
		if err := json.Unmarshal(got, &v); err != nil {
			t.Errorf("%q -> %q: %v", tc.in, got, err)
			continue
		}
		norm, _ := json.Marshal(v)
		if string(norm) != tc.want {
			t.Errorf("%q -> %s, want %s", tc.in, norm, tc.want)
		}
	}
	for _, bad := range []string{`{"a": 1 /* open`, `{"a": "open`} {
		if _, err := StripJSONC([]byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
