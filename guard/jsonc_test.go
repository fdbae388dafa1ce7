package main

import (
	"encoding/json"
	"fmt"
	"testing"
)

// stripJSONC turns VS Code's "JSON with comments" into JSON: it blanks //
// and /* */ comments outside strings (keeping newlines, so JSON errors keep
// their line numbers) and drops trailing commas before } and ], which VS
// Code also accepts.
func stripJSONC(in []byte) ([]byte, error) {
	out := make([]byte, 0, len(in))
	for i := 0; i < len(in); i++ {
		c := in[i]
		switch {
		case c == '"':
			var ok bool
			if i, out, ok = copyString(in, i, out); !ok {
				return nil, fmt.Errorf("unterminated string")
			}
		case c == '/' && i+1 < len(in) && in[i+1] == '/':
			for i < len(in) && in[i] != '\n' {
				i++
			}
			if i < len(in) {
				out = append(out, '\n')
			}
		case c == '/' && i+1 < len(in) && in[i+1] == '*':
			i += 2
			for ; i+1 < len(in) && (in[i] != '*' || in[i+1] != '/'); i++ {
				if in[i] == '\n' {
					out = append(out, '\n')
				}
			}
			if i+1 >= len(in) {
				return nil, fmt.Errorf("unterminated /* comment")
			}
			i++ // the '/'
			out = append(out, ' ')
		default:
			out = append(out, c)
		}
	}
	return dropTrailingCommas(out), nil
}

// copyString appends the JSON string starting at in[i] (its opening quote)
// to out, through its closing quote, and returns the closing quote's
// index; ok is false for a string that does not end.
func copyString(in []byte, i int, out []byte) (end int, _ []byte, ok bool) {
	out = append(out, '"')
	for i++; i < len(in); i++ {
		out = append(out, in[i])
		switch in[i] {
		case '\\':
			if i+1 < len(in) {
				i++
				out = append(out, in[i])
			}
		case '"':
			return i, out, true
		}
	}
	return i, out, false
}

// dropTrailingCommas removes a comma that only whitespace separates from
// a closing } or ]. Comments are already gone.
func dropTrailingCommas(in []byte) []byte {
	out := make([]byte, 0, len(in))
	for i := 0; i < len(in); i++ {
		c := in[i]
		if c == '"' {
			i, out, _ = copyString(in, i, out) // stripJSONC checked it ends
			continue
		}
		if c == ',' {
			j := i + 1
			for j < len(in) && (in[j] == ' ' || in[j] == '\t' || in[j] == '\n' || in[j] == '\r') {
				j++
			}
			if j < len(in) && (in[j] == '}' || in[j] == ']') {
				continue
			}
		}
		out = append(out, c)
	}
	return out
}

func TestStripJSONC(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"a": 1} // c`, `{"a":1}`},
		{"{\n// c\n\"a\": 1 /* b */}", `{"a":1}`},
		{`{"url": "http://x//y", "s": "/* no */"}`, `{"s":"/* no */","url":"http://x//y"}`},
		{`{"q": "a\"//b"}`, `{"q":"a\"//b"}`},
		{`{"a": [1, 2,], "b": {"c": 3,},}`, `{"a":[1,2],"b":{"c":3}}`},
		{`{"s": ",]"}`, `{"s":",]"}`},
	} {
		got, err := stripJSONC([]byte(tc.in))
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
		if _, err := stripJSONC([]byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
