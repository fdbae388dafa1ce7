package watch

import (
	"path/filepath"
	"runtime"
	"testing"
)

func TestStateDir(t *testing.T) {
	type tc struct {
		env  map[string]string
		want string // "" is an error
	}
	var tests []tc
	switch runtime.GOOS {
	case "windows":
		tests = []tc{
			{map[string]string{"LOCALAPPDATA": `C:\Users\u\AppData\Local`, "XDG_STATE_HOME": `C:\x`}, `C:\Users\u\AppData\Local\netguard`},
			{map[string]string{"HOME": `C:\Users\u`}, ""},
		}
	case "darwin":
		tests = []tc{
			{map[string]string{"HOME": "/Users/u", "XDG_STATE_HOME": "/x"}, "/Users/u/Library/Logs/netguard"},
			{map[string]string{}, ""},
		}
	default:
		tests = []tc{
			{map[string]string{"HOME": "/home/u", "XDG_STATE_HOME": "/var/state/u"}, "/var/state/u/netguard"},
			{map[string]string{"HOME": "/home/u"}, "/home/u/.local/state/netguard"},
			// A relative XDG_STATE_HOME is invalid per the XDG spec.
			{map[string]string{"HOME": "/home/u", "XDG_STATE_HOME": "state"}, "/home/u/.local/state/netguard"},
			{map[string]string{"HOME": "relative"}, ""},
			{map[string]string{}, ""},
		}
	}
	for _, tt := range tests {
		got, err := StateDir(func(k string) string { return tt.env[k] })
		switch {
		case tt.want == "" && err == nil:
			t.Errorf("%v: %q, want an error", tt.env, got)
		case tt.want != "" && (err != nil || got != filepath.FromSlash(tt.want)):
			t.Errorf("%v: %q, %v; want %q", tt.env, got, err, tt.want)
		}
	}
}
