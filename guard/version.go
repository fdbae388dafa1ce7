package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// Release builds stamp these with -ldflags "-X main.version=v1.2.3
// -X main.commit=<sha> -X main.date=<RFC 3339>" (.ci/release). Unstamped,
// the build info supplies them: the module version of a
// `go install …/guard@v1.2.3`, and the VCS revision and time of a build
// inside a git checkout.
var (
	version = ""
	commit  = ""
	date    = ""
)

// versionInfo is guard version's content; its JSON is guard version --json.
type versionInfo struct {
	Version string `json:"version"`
	Commit  string `json:"commit"`
	Date    string `json:"date,omitempty"` // commit time of the build, RFC 3339; unknown: omitted
	Go      string `json:"go"`
	OS      string `json:"os"`
	Arch    string `json:"arch"`
}

func currentVersion() versionInfo {
	bi, _ := debug.ReadBuildInfo()
	return versionFrom(version, commit, date, bi)
}

// versionFrom merges the stamped values with the build info (nil when the
// binary has none): a stamped value wins.
func versionFrom(v, rev, when string, bi *debug.BuildInfo) versionInfo {
	dirty := false
	if bi != nil {
		if v == "" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if rev == "" {
					rev = s.Value
				}
			case "vcs.time":
				if when == "" {
					when = s.Value
				}
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	switch {
	case rev == "":
		rev = "unknown"
	case len(rev) > 12:
		rev = rev[:12]
	}
	if dirty && !strings.HasSuffix(rev, "-dirty") {
		rev += "-dirty"
	}
	return versionInfo{Version: v, Commit: rev, Date: when, Go: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}
}

// String is the one line of guard --version; the date appears when known.
func (v versionInfo) String() string {
	built := ""
	if v.Date != "" {
		built = ", built " + v.Date
	}
	return fmt.Sprintf("guard %s (commit %s%s, %s, %s/%s)", v.Version, v.Commit, built, v.Go, v.OS, v.Arch)
}

// runVersion is guard version and guard --version.
func runVersion(sys *IO, c *cli) exitCode {
	v := currentVersion()
	if c.json {
		return jsonOrUsage(sys, c, v)
	}
	fmt.Fprintln(sys.Out, v)
	return exitOK
}
