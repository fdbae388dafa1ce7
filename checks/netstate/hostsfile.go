package netstate

import (
	"net/netip"
	"strings"
)

// HostsEntry is one address-to-name mapping of the hosts file.
type HostsEntry struct {
	Line int
	Addr netip.Addr
	Text string // the line as written, for the report
}

// HostsState is what the hosts file says about localhost, and what the
// system resolver answers for it.
type HostsState struct {
	Checked bool
	Path    string
	Err     error // unreadable: the check is unknown
	// Truncated: the file is larger than MaxHostsFile and only that much
	// was read; without a loopback line in it the check is unknown.
	Truncated bool
	// Localhost are the lines that map the name localhost.
	Localhost []HostsEntry
	// Resolved is the system resolver's answer for localhost, asked only
	// when the file has no loopback mapping; ResolveErr its error.
	Resolved   []netip.Addr
	ResolveErr error
	Looked     bool
	// NSSModule names a glibc NSS module that answers localhost itself
	// (myhostname, resolve), read only when the lookup did not answer
	// loopback: glibc programs then resolve it whatever the file says.
	NSSModule string
}

// MaxHostsFile is how much of the hosts file is read. Blocklist hosts
// files run to a few MB; a larger one is read that far, and a localhost
// line beyond it is neither seen nor called missing.
const MaxHostsFile = 16 << 20

// HasLoopback reports whether some entry maps localhost to a loopback address.
func (h *HostsState) HasLoopback() bool {
	for _, e := range h.Localhost {
		if IsThisHost(e.Addr) {
			return true
		}
	}
	return false
}

// IsThisHost reports whether a is an address that reaches this machine
// itself: loopback, the loopback interface's own link-local address (older
// macOS hosts files ship "fe80::1%lo0 localhost"), or the unspecified
// address (which connects locally).
func IsThisHost(a netip.Addr) bool {
	return a.IsLoopback() || a.IsUnspecified() || (a.IsLinkLocalUnicast() && strings.HasPrefix(a.Zone(), "lo"))
}
