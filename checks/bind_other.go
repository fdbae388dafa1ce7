//go:build !linux && !darwin && !windows

package checks

const icmpBindable = false

// bindToInterface is unsupported here: the uplink probe then reports the
// error, and the other uplinks stay unjudged.
func bindToInterface(uintptr, bool, Link) error { return ErrUnsupported }
