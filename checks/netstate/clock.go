package netstate

import (
	"strings"
	"time"
)

// ClockState is what the kernel says about its clock, plus two instants
// that bound it from below: this binary cannot have been built after now.
type ClockState struct {
	Checked bool
	// Synced is TriYes when the kernel's clock is disciplined (NTP, chrony,
	// timesyncd), TriNo when the kernel reports it unsynchronised, TriUnknown
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

// PseudoVersionTime is the UTC commit time in a Go pseudo-version's
// second-to-last dash-separated field (yyyymmddhhmmss), zero for any other
// version.
func PseudoVersionTime(v string) time.Time {
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
