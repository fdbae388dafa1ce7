package diagnose

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/netguard/netguard/checks/netstate"
)

// ArgURL is a URL the network handed out (a captive portal's login page).
const ArgURL Arg = "url"

// CaptivePortal is the internet check's finding of a network that holds
// traffic until someone logs in.
var (
	CaptivePortal = &Def{
		ID: "captive-portal", Severity: SevError,
		Title:     "A captive portal holds the network",
		Text:      "{name} resolves to {target} ({detail}) and HTTPS to {targets} does not get through, while http://{target}/ redirects: a captive portal holds this network: log in at {url}",
		DependsOn: []*Def{LinkDown, LinkNoCarrier, LinkNoAddress, NoDefaultRoute, LocalFirewallBlocks},
		Manual: Steps{
			Linux:   []string{"# log in at {url} in a browser (hotel, café, office guest network), then run the check again", "xdg-open {url}"},
			Darwin:  []string{"# log in at {url} in a browser (hotel, café, office guest network), then run the check again", "open {url}"},
			Windows: []string{"# log in at {url} in a browser (hotel, café, office guest network), then run the check again", "Start-Process {url}"},
		},
		Why: "The network answers names with its own login page and lets no HTTPS through until someone logs in: every download, git fetch and API call fails until then.",
		How: "The --dns name resolved to the gateway's own or a private address while no external target answered on HTTPS; then one GET to port 80 of that address (read-only, a few KB, the redirect never followed) answered with a redirect (3xx with Location, or a page with a meta refresh).",
	}
)

// captivePortal reports a captive portal: the name's answer and the
// external targets' silence on HTTPS point at one (netstate.PortalSuspect),
// and its port 80 redirects.
func (d *diag) captivePortal() bool {
	p := d.s.Portal
	a, suspect := netstate.PortalSuspect(d.s)
	if !suspect || !p.Redirects() || p.Addr != a || d.workingProxy() != nil {
		return false
	}
	// A redirect to the name asked for is an ordinary move to HTTPS by a
	// server of that name (a split-horizon intranet host), not a portal,
	// which sends every name to its own login page.
	if u, err := url.Parse(p.Location); err != nil || strings.EqualFold(u.Hostname(), strings.TrimSuffix(d.s.DNS.Name, ".")) {
		return false
	}
	what := "a private address"
	switch {
	case a == d.s.V4.Gateway || a == d.s.V6.Gateway:
		what = "the gateway's own address"
	case !a.IsPrivate():
		what = "an address on the local network"
	}
	var targets, lines []string
	for _, f := range d.s.Families() {
		for i := range f.External {
			t := &f.External[i]
			targets = append(targets, t.Addr.String())
			lines = append(lines, targetText(t))
		}
	}
	d.add(CaptivePortal, Args{ArgName: d.s.DNS.Name, ArgTarget: a.String(), ArgDetail: what, ArgTargets: strings.Join(targets, ListSep), ArgURL: p.Location},
		append([]string{fmt.Sprintf("%s → %s", d.s.DNS.Name, addrsText(d.s.DNS.Addrs)),
			fmt.Sprintf("http://%s/ (Host: %s): %d, location %s", a, p.Host, p.Status, p.Location)}, lines...)...)
	return true
}
