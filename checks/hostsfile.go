package checks

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/netguard/netguard/checks/internal/conffile"
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

// parseHostsLocalhost returns the lines of hosts file text that map
// "localhost" (any case; the canonical name or an alias). A very long
// line is looked at only as far as conffile.MaxLine: it never ends the
// reading of the lines after it.
func parseHostsLocalhost(data []byte) []HostsEntry {
	var out []HostsEntry
	conffile.Lines(data, func(n int, raw string) {
		line := raw
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		fs := strings.Fields(line)
		if len(fs) < 2 {
			return
		}
		a, err := netip.ParseAddr(fs[0])
		if err != nil {
			return
		}
		for _, name := range fs[1:] {
			if strings.EqualFold(strings.TrimSuffix(name, "."), "localhost") {
				out = append(out, HostsEntry{Line: n, Addr: a.Unmap(), Text: strings.TrimSpace(raw)})
				break
			}
		}
	})
	return out
}

// hasLoopback: some entry maps localhost to a loopback address.
func (h *HostsState) hasLoopback() bool {
	for _, e := range h.Localhost {
		if isThisHost(e.Addr) {
			return true
		}
	}
	return false
}

// isThisHost: an address that reaches this machine itself: loopback, the
// loopback interface's own link-local address (older macOS hosts files
// ship "fe80::1%lo0 localhost"), or the unspecified address (which
// connects locally).
func isThisHost(a netip.Addr) bool {
	return a.IsLoopback() || a.IsUnspecified() || (a.IsLinkLocalUnicast() && strings.HasPrefix(a.Zone(), "lo"))
}

// collectHosts reads the hosts file once (at most MaxHostsFile of it: the
// system layer returns one byte more to say there is more). Only when it
// lacks a loopback mapping for localhost is the system resolver asked, to
// tell a file that
// relies on the resolver (systemd's nss-myhostname, mDNSResponder) from
// one that breaks localhost.
func collectHosts(ctx context.Context, ls LocalSystem) HostsState {
	path, data, err := ls.HostsFile()
	h := HostsState{Checked: true, Path: path}
	if err != nil {
		h.Err = fmt.Errorf("read hosts file: %w", err)
		return h
	}
	if len(data) > MaxHostsFile {
		// Up to the last whole line: a name cut at the bound is not a name.
		data, h.Truncated = data[:bytes.LastIndexByte(data[:MaxHostsFile], '\n')+1], true
	}
	h.Localhost = parseHostsLocalhost(data)
	if !h.hasLoopback() && !h.Truncated {
		h.Looked = true
		as, err := (&net.Resolver{}).LookupNetIP(ctx, "ip", "localhost")
		h.ResolveErr = err
		for _, a := range as {
			h.Resolved = append(h.Resolved, a.Unmap())
		}
		if r, ok := ls.(NSSReader); ok && (err != nil || len(h.Resolved) == 0) {
			h.NSSModule = r.LocalhostNSSModule()
		}
	}
	return h
}
