package netstate

import (
	"context"
	"net/netip"
	"slices"
)

// PortalResult is one HTTP GET to port 80 of the address the --dns name
// resolved to, sent only when the answers look like a captive portal's.
// The redirect is read, never followed.
type PortalResult struct {
	Addr netip.Addr
	// Host is the Host header sent: the --dns name.
	Host string
	// Status is the HTTP status code; 0 when no response was read.
	Status int
	// Location is where the portal sends the browser: a 3xx's Location,
	// or a 200's meta refresh URL, made absolute; "" when there is none
	// or it is not a printable http(s) URL.
	Location string
	// Err is why no response was read (a refusal, a timeout).
	Err error
}

// Redirects reports whether the answer sends the browser elsewhere.
func (p *PortalResult) Redirects() bool {
	return p != nil && p.Location != "" && (p.Status >= 300 && p.Status < 400 || p.Status == 200)
}

// PortalProber is a Prober that can ask a suspected captive portal where
// it sends a browser. checks/probe's NetProber implements it; the test
// fakes need not.
type PortalProber interface {
	// Portal sends one GET for / with Host host to addr:80 and reads a
	// bounded part of the answer until ctx is done; it follows nothing.
	Portal(ctx context.Context, addr netip.Addr, host string) PortalResult
}

// PortalSuspect is the address a captive portal's answers point at: the
// --dns name resolved to the gateway's own address, a private address or
// one on a local interface's network, while no external target answered
// on HTTPS (TCP 443) or on a port of its own. ok is false on a network
// where HTTPS gets through, whatever the name resolved to (a split-horizon
// name is normal there).
func PortalSuspect(s *State) (addr netip.Addr, ok bool) {
	if s.DNS.Err != nil || len(s.DNS.Addrs) == 0 {
		return netip.Addr{}, false
	}
	targets := 0
	for _, f := range s.Families() {
		for _, t := range f.External {
			targets++
			if t.TCP.Answered && (t.TCP.Target.Port() == 443 || !slices.Contains(DefaultTCPPorts, t.TCP.Target.Port())) {
				return netip.Addr{}, false
			}
		}
	}
	if targets == 0 {
		return netip.Addr{}, false
	}
	for _, a := range s.DNS.Addrs {
		a = a.Unmap()
		if a == s.V4.Gateway || a == s.V6.Gateway || a.IsPrivate() || onLocalNetwork(s.Links, a) {
			return a, true
		}
	}
	return netip.Addr{}, false
}

// onLocalNetwork reports whether a is on the network of an address of a
// local interface (not loopback's).
func onLocalNetwork(ls []Link, a netip.Addr) bool {
	for _, l := range ls {
		for _, p := range l.Addrs {
			if !p.Addr().IsLoopback() && !p.Addr().IsLinkLocalUnicast() && p.Masked().Contains(a) {
				return true
			}
		}
	}
	return false
}
