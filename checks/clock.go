package checks

import (
	"runtime/debug"
	"strings"
	"time"
)

// ClockState is what the kernel says about its clock, plus two instants
// that bound it from below: this binary cannot have been built after now.
type ClockState struct {
	Checked bool
	// Synced: Yes when the kernel's clock is disciplined (NTP, chrony,
	// timesyncd), No when the kernel reports it unsynchronised, Unknown
	// where the OS does not tell.
	Synced Tri
	// MaxError is the kernel's bound on the clock's error (Linux
	// adjtimex maxerror), zero when unknown.
	MaxError time.Duration
	Err      error
	// Now is the clock when read; BuildTime the commit time of this
	// binary's source (zero when not stamped, as in go test).
	Now, BuildTime time.Time
}

// buildTime is the VCS commit time stamped into the binary by go build,
// else the commit time a pseudo-version carries (go install
// module@commit: v0.0.0-20260102150405-abcdef123456), else zero: a build
// without VCS data (go install module@v1.2.3, a Docker build of a copied
// tree) has no date to bound the clock with.
func buildTime() time.Time {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return time.Time{}
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.time" {
			if t, err := time.Parse(time.RFC3339, s.Value); err == nil {
				return t
			}
		}
	}
	return pseudoVersionTime(bi.Main.Version)
}

// pseudoVersionTime is the UTC commit time in a Go pseudo-version's
// second-to-last dash-separated field (yyyymmddhhmmss), zero for any other
// version.
func pseudoVersionTime(v string) time.Time {
	v, _, _ = strings.Cut(v, "+")
	parts := strings.Split(v, "-")
	if len(parts) < 3 || len(parts[len(parts)-1]) != 12 {
		return time.Time{}
	}
	ts := parts[len(parts)-2]
	if i := strings.LastIndexByte(ts, '.'); i >= 0 {
		ts = ts[i+1:] // v1.2.4-0.20260102150405-abcdef123456
	}
	if len(ts) != 14 {
		return time.Time{}
	}
	t, err := time.Parse("20060102150405", ts)
	if err != nil {
		return time.Time{}
	}
	return t
}

// noBuildTime is said of the clock when the binary has no date to bound it
// with, so the check is not silently weaker.
const noBuildTime = "; no build date to compare with (built without VCS data), so a clock set back is not detected"
