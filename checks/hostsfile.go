package checks

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
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

// parseHostsLocalhost returns the lines of hosts file text that map
// "localhost" (any case; the canonical name or an alias).
func parseHostsLocalhost(data []byte) []HostsEntry {
	var out []HostsEntry
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for n := 1; sc.Scan(); n++ {
		raw := sc.Text()
		line := raw
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		fs := strings.Fields(line)
		if len(fs) < 2 {
			continue
		}
		a, err := netip.ParseAddr(fs[0])
		if err != nil {
			continue
		}
		for _, name := range fs[1:] {
			if strings.EqualFold(strings.TrimSuffix(name, "."), "localhost") {
				out = append(out, HostsEntry{Line: n, Addr: a.Unmap(), Text: strings.TrimSpace(raw)})
				break
			}
		}
	}
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

// collectHosts reads the hosts file once. Only when it lacks a loopback
// mapping for localhost is the system resolver asked, to tell a file that
// relies on the resolver (systemd's nss-myhostname, mDNSResponder) from
// one that breaks localhost.
func collectHosts(ctx context.Context, ls LocalSystem) HostsState {
	path, data, err := ls.HostsFile()
	h := HostsState{Checked: true, Path: path}
	if err != nil {
		h.Err = fmt.Errorf("read hosts file: %w", err)
		return h
	}
	h.Localhost = parseHostsLocalhost(data)
	if !h.hasLoopback() {
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
