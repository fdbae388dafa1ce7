package checks

import (
	"runtime/debug"
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

// buildTime is the VCS commit time stamped into the binary by go build.
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
	return time.Time{}
}
