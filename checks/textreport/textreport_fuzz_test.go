package textreport

import (
	"testing"
	"unicode/utf8"
)

// Sanitize stands between every echoed value (from the network, a config
// file, an argument) and the terminal: whatever it is given, what comes
// out is valid UTF-8 a terminal only prints (no control character, escape
// sequence, newline, invalid byte, bidi or zero-width control), a clean
// string comes out unchanged, and sanitising twice changes nothing more.
func FuzzSanitize(f *testing.F) {
	for _, s := range []string{"eth0", "q$(id>&2)", "\x1b]8;;http://x\x07link\x1b]8;;\x07", "a\nb\r\x00", "\u202eevil", "\xff\xfe", "é漢字 \u200b", "\u0085\u009b31m"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Sanitize(s)
		if !utf8.ValidString(out) {
			t.Fatalf("Sanitize(%q) = %q: not UTF-8", s, out)
		}
		clean := true
		for _, r := range s {
			clean = clean && printable(r)
		}
		for _, r := range out {
			if !printable(r) {
				t.Fatalf("Sanitize(%q) = %q keeps %U", s, out, r)
			}
		}
		if clean && out != s {
			t.Fatalf("Sanitize(%q) = %q: a clean string changed", s, out)
		}
		if again := Sanitize(out); again != out {
			t.Fatalf("Sanitize not idempotent: %q then %q", out, again)
		}
	})
}
