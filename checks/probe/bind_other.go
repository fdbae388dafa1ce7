//go:build !linux && !darwin && !windows

package probe

import "github.com/netguard/netguard/checks"

const icmpBindable = false

// bindToInterface is unsupported here: the uplink probe then reports the
// error, and the other uplinks stay unjudged.
func bindToInterface(uintptr, bool, checks.Link) error { return checks.ErrUnsupported }
