package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// version is set by -ldflags "-X main.version=v1.2.3" in release builds;
// otherwise the module version from the build info (go install) is used.
var version = ""

// versionInfo is guard version's content; its JSON is guard version --json.
type versionInfo struct {
	Version string `json:"version"`
	Commit  string `json:"commit"`
	Go      string `json:"go"`
	OS      string `json:"os"`
	Arch    string `json:"arch"`
}

func currentVersion() versionInfo {
	v, commit, dirty := version, "", false
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v == "" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	if commit == "" {
		commit = "unknown"
	} else if len(commit) > 12 {
		commit = commit[:12]
	}
	if dirty {
		commit += "-dirty"
	}
	return versionInfo{Version: v, Commit: commit, Go: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}
}

func (v versionInfo) String() string {
	return fmt.Sprintf("guard %s (commit %s, %s, %s/%s)", v.Version, v.Commit, v.Go, v.OS, v.Arch)
}

// runVersion is guard version and guard --version.
func runVersion(ios *IO, c *cli) exitCode {
	v := currentVersion()
	if c.json {
		return jsonOrUsage(ios, c, v)
	}
	fmt.Fprintln(ios.Out, v)
	return exitOK
}
