package config

import "errors"

// StripJSONC turns VS Code's "JSON with comments" into JSON: it blanks //
// and /* */ comments outside strings (keeping newlines, so JSON errors keep
// their line numbers) and drops trailing commas before } and ], which VS
// Code also accepts.
func StripJSONC(in []byte) ([]byte, error) {
	out := make([]byte, 0, len(in))
	for i := 0; i < len(in); i++ {
		c := in[i]
		switch {
		case c == '"':
			var ok bool
			if i, out, ok = copyString(in, i, out); !ok {
				return nil, errors.New("unterminated string")
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
				return nil, errors.New("unterminated /* comment")
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
			i, out, _ = copyString(in, i, out) // StripJSONC checked it ends
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
