package diagnose

import "strings"

// QuoteFor quotes one value for the shell the manual steps of goos are
// written for: POSIX sh on Linux and macOS, PowerShell on Windows (cmd's
// own commands, ipconfig and netsh, run from PowerShell too). A value that
// needs no quoting is returned as it is, so addresses and ordinary
// interface names read as they always did. An interface, process or host
// name comes from the machine or the network, and a step is pasted into a
// shell: a name like q$(id) must reach the command as one word and never
// run.
func QuoteFor(goos, s string) string {
	if goos == "windows" {
		return QuotePowerShell(s)
	}
	return QuotePOSIX(s)
}

// QuotePOSIX quotes s as one word for POSIX sh (dash, bash, zsh): in single
// quotes, where nothing expands; a single quote inside closes them, is
// escaped with a backslash, and opens them again.
func QuotePOSIX(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool { return !posixSafe(r) }) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func posixSafe(r rune) bool {
	return r == '/' || r == '.' || r == '-' || r == '_' || r == ':' || r == '=' || r == '@' || r == ',' || r == '%' || r == '+' ||
		(r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
}

// psQuotes are the characters PowerShell reads as a single quote: the
// ASCII one and the typographic ones (its tokenizer accepts U+2018 to
// U+201B), each escaped by doubling it.
const psQuotes = "'\u2018\u2019\u201a\u201b"

// QuotePowerShell quotes s as one verbatim (single-quoted) PowerShell
// string, in which nothing expands. A bare word must not start with '-',
// which PowerShell would read as a parameter name.
func QuotePowerShell(s string) string {
	if s != "" && s[0] != '-' && strings.IndexFunc(s, func(r rune) bool { return !psSafe(r) }) < 0 {
		return s
	}
	var b strings.Builder
	b.WriteByte('\'')
	for _, r := range s {
		if strings.ContainsRune(psQuotes, r) {
			b.WriteRune(r)
		}
		b.WriteRune(r)
	}
	b.WriteByte('\'')
	return b.String()
}

func psSafe(r rune) bool {
	return r == '/' || r == '\\' || r == '.' || r == '-' || r == '_' || r == ':' ||
		(r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
}
