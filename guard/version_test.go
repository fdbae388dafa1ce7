package main

import (
	"encoding/json"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionFrom(t *testing.T) {
	vcs := func(rev, when, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs.revision", Value: rev}, {Key: "vcs.time", Value: when}, {Key: "vcs.modified", Value: modified}}
	}
	for _, tc := range []struct {
		name            string
		v, rev, when    string
		bi              *debug.BuildInfo
		want            string // the line up to the Go version
		version, commit string
	}{
		{name: "release build: the stamps win",
			v: "v1.2.3", rev: "0123456789abcdef0123", when: "2026-12-01T10:00:00Z",
			bi:   &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("ffff", "2020-01-01T00:00:00Z", "true")},
			want: "guard v1.2.3 (commit 0123456789ab-dirty, built 2026-12-01T10:00:00Z, ", version: "v1.2.3", commit: "0123456789ab-dirty"},
		{name: "go install …@v1.4.0: the module version, no VCS",
			bi:   &debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}},
			want: "guard v1.4.0 (commit unknown, ", version: "v1.4.0", commit: "unknown"},
		{name: "go build in a checkout",
			bi:   &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("abcdef0123456789", "2026-11-30T10:41:20Z", "false")},
			want: "guard devel (commit abcdef012345, built 2026-11-30T10:41:20Z, ", version: "devel", commit: "abcdef012345"},
		{name: "no build info",
			want: "guard devel (commit unknown, ", version: "devel", commit: "unknown"},
	} {
		got := versionFrom(tc.v, tc.rev, tc.when, tc.bi)
		line := got.String()
		if !strings.HasPrefix(line, tc.want) || !strings.HasSuffix(line, ", "+runtime.Version()+", "+runtime.GOOS+"/"+runtime.GOARCH+")") || strings.Contains(line, "\n") {
			t.Errorf("%s: %q, want it to start with %q", tc.name, line, tc.want)
		}
		if got.Version != tc.version || got.Commit != tc.commit {
			t.Errorf("%s: %+v", tc.name, got)
		}
		b, err := json.Marshal(got)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"version", "commit", "go", "os", "arch"} {
			if m[k] == "" {
				t.Errorf("%s: JSON lacks %q: %s", tc.name, k, b)
			}
		}
		if _, ok := m["date"]; ok != (got.Date != "") {
			t.Errorf("%s: JSON date: %s", tc.name, b)
		}
	}
}
