package diagnose

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/netguard/netguard/checks/netstate"
)

// Hosts is the hosts check.
var Hosts = &Check{
	ID: "hosts", Chained: false, judge: (*diag).hosts,
	Findings: []*Def{HostsLocalhostWrong, HostsLocalhostMissing},
}

// The findings of the hosts check, in root-cause order.
var (
	HostsLocalhostWrong = &Def{
		ID: "hosts-localhost-wrong", Severity: SevError,
		Title: "The hosts file maps localhost elsewhere",
		Text:  "{file} line {detail} maps localhost to a non-loopback address: programs that connect to localhost reach another host",
		Manual: Steps{
			Linux:   []string{"sudo nano {file}  # localhost must map to 127.0.0.1 and ::1 only"},
			Darwin:  []string{"sudo nano {file}  # localhost must map to 127.0.0.1 and ::1 only", "sudo dscacheutil -flushcache"},
			Windows: []string{"notepad {file}  # from an elevated prompt; localhost must map to 127.0.0.1 and ::1 only", "ipconfig /flushdns"},
		},
		Why: "Programs that connect to localhost reach another host: dev servers, databases and health checks fail or talk to the wrong machine.",
		How: "A line of the hosts file maps the name localhost to an address that is not this machine's (not loopback).",
	}

	HostsLocalhostMissing = &Def{
		ID: "hosts-localhost-missing", Severity: SevError,
		Title: "localhost does not resolve",
		Text:  "{file} has no localhost line and the system resolver does not resolve localhost to loopback ({detail}): programs fail with ENOTFOUND localhost",
		Manual: Steps{
			Linux:   []string{"printf '127.0.0.1 localhost\\n::1 localhost\\n' | sudo tee -a {file}"},
			Darwin:  []string{"printf '127.0.0.1 localhost\\n::1 localhost\\n' | sudo tee -a {file}", "sudo dscacheutil -flushcache"},
			Windows: []string{"Add-Content -Path {file} -Value '127.0.0.1 localhost','::1 localhost'  # elevated", "ipconfig /flushdns"},
		},
		Why: "Without a localhost entry, and with no resolver that answers it, 'localhost' fails to resolve: getaddrinfo ENOTFOUND localhost.",
		How: "The hosts file has no line for localhost, the system resolver did not answer loopback for it, and no NSS module (nss-myhostname, nss-resolve) that answers it is configured.",
	}
)

// hosts judges whether localhost resolves to loopback.
func (d *diag) hosts() {
	h := &d.s.Hosts
	switch {
	case !h.Checked:
		d.set(StatusSkip, "not collected")
		return
	case h.Err != nil:
		d.set(StatusUnknown, h.Err.Error())
		return
	}
	for _, e := range h.Localhost {
		if !netstate.IsThisHost(e.Addr) {
			line := fmt.Sprintf("%s:%d: %s", h.Path, e.Line, e.Text)
			d.add(HostsLocalhostWrong, Args{ArgFile: h.Path, ArgDetail: fmt.Sprintf("%d (%s)", e.Line, e.Text)}, line)
			d.set(StatusFail, line)
			return
		}
	}
	if h.HasLoopback() {
		d.set(StatusPass, "localhost → loopback in "+h.Path)
		return
	}
	if h.Truncated {
		// The line may be in the part not read; the resolver, asked
		// instead, would spend the deadline reading the same file.
		d.set(StatusUnknown, fmt.Sprintf("no localhost line in the first %d MiB of %s (only that much is read)", netstate.MaxHostsFile>>20, h.Path))
		return
	}
	if h.Looked && len(h.Resolved) > 0 && !slices.ContainsFunc(h.Resolved, func(a netip.Addr) bool { return !netstate.IsThisHost(a) }) {
		d.set(StatusPass, fmt.Sprintf("no localhost line in %s; the resolver answers %s", h.Path, addrsText(h.Resolved)))
		return
	}
	if h.NSSModule != "" {
		// Programs that use glibc get loopback from the module; only
		// static binaries with their own resolver would not.
		d.set(StatusPass, fmt.Sprintf("no localhost line in %s; glibc's nss-%s answers it", h.Path, h.NSSModule))
		return
	}
	got := "no answer"
	switch {
	case h.ResolveErr != nil:
		got = dnsErrText(h.ResolveErr)
	case len(h.Resolved) > 0:
		got = "it answers " + addrsText(h.Resolved)
	}
	d.add(HostsLocalhostMissing, Args{ArgFile: h.Path, ArgDetail: got}, h.Path+": no line maps localhost", "resolver: "+got)
	d.set(StatusFail, fmt.Sprintf("no localhost line in %s; resolver: %s", h.Path, got))
}
