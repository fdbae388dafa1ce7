//go:build !linux && !darwin && !windows

package probe

import "github.com/netguard/netguard/checks/netstate"

const icmpBindable = false

// bindToInterface is unsupported here: the uplink probe then reports the
// error, and the other uplinks stay unjudged.
func bindToInterface(uintptr, bool, netstate.Link) error { return netstate.ErrUnsupported }
