package netstate

import (
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
