package diagnose

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/netguard/netguard/checks/netstate"
)

// Severity of a finding. It decides the verdict: any error makes the run
// unhealthy, any warning degraded.
type Severity string

const (
	SevInfo    Severity = "info"
	SevWarning Severity = "warning"
	SevError   Severity = "error"
)

// Arg names a value a finding's texts refer to as {name}.
type Arg string

const (
	ArgIface   Arg = "iface"
	ArgGateway Arg = "gateway"
	ArgMAC     Arg = "mac"
	ArgState   Arg = "state"
	ArgFamily  Arg = "family"
	ArgPrefix  Arg = "prefix"
	ArgType    Arg = "type"
	ArgTargets Arg = "targets"
	ArgName    Arg = "name"
	ArgServer  Arg = "server"
	ArgErr     Arg = "err"
	ArgApp     Arg = "app"
	ArgCount   Arg = "count"
	ArgPct     Arg = "pct"
	ArgDetail  Arg = "detail"
	// List args: several values joined with ListSep. A manual step that
	// names one is rendered once per value: one command per target.
	ArgIfaces   Arg = "ifaces"   // interfaces, each holding a copy of an entry
	ArgPrefixes Arg = "prefixes" // route prefixes ("203.0.113.0/24")
	ArgRoutes   Arg = "routes"   // route type and prefix ("blackhole 203.0.113.0/24")

	// Path tracing, uplinks and path MTU.
	ArgTarget     Arg = "target"  // one address, for a step that takes one
	ArgLink       Arg = "link"    // an interface with its kind and state: "bridge br0 (no carrier)"
	ArgDefault    Arg = "default" // the interface the default route uses
	ArgMetric     Arg = "metric"
	ArgAltIface   Arg = "alt_iface" // the uplink that works
	ArgAltGateway Arg = "alt_gateway"
	ArgAltMetric  Arg = "alt_metric"
	ArgOther      Arg = "other" // the other address family
	ArgEgressMTU  Arg = "egress_mtu"
	ArgSize       Arg = "size"
	ArgMTU        Arg = "mtu"
	// ArgAddress is one of this machine's own addresses.
	ArgAddress Arg = "address"
)

// ListSep joins the values of a list arg ({targets}, {ifaces}, {prefixes},
// {routes}): a summary shows them joined, a manual step is rendered once
// per value.
const ListSep = ", "

// listArgs are the args whose value is a ListSep-joined list.
var listArgs = []Arg{ArgTargets, ArgIfaces, ArgPrefixes, ArgRoutes, ArgStop}

// Args fill a finding's templates.
type Args map[Arg]string

// Def declares one kind of finding. The catalog is fixed and its IDs are
// part of the JSON contract.
type Def struct {
	ID       string
	Severity Severity // default; a finding may raise or lower it
	Title    string
	// Text is the one-line summary, with {arg} placeholders.
	Text string
	// Why says why the finding matters to a developer about to start
	// work, How how it was decided (which table or probe, and what
	// confirmed it): the text of guard explain.
	Why, How string
	// DependsOn hides this finding while any of these is present: a
	// missing route is not also reported as "internet down".
	DependsOn []*Def
	// Fixes are the ladder rungs that may repair it, narrowest first.
	Fixes []netstate.Rung
	// Manual steps per GOOS ("linux", "darwin", "windows"), with {arg}
	// placeholders; every finding has its own for each. Each step pastes
	// as it is: one command in that OS's own terms (a "  # why" comment
	// after it), or a "# " comment alone for what a person does by hand.
	// A placeholder is never quoted by the template: its value is quoted
	// for the OS's shell when filled. A step that starts with "[IPv4] " or
	// "[IPv6] " is shown only when the finding's {family} is that one
	// (macOS: arp for IPv4, ndp for IPv6); one that starts with a manager's
	// name ("[NetworkManager] ", see Manager) only when that manager is in
	// charge. A step naming a list arg is rendered once per value.
	Manual Steps
	// Optional are the args the diagnosis fills only when it knows them
	// (the interface a missing default route would use); a step that
	// names one the finding lacks is left out. Every other arg a step
	// names must be filled (a test enforces it).
	Optional []Arg
}

// Steps are a finding's manual steps for each OS, with {arg} placeholders.
// A struct, not a map keyed by GOOS: the catalog is then laid out by the
// linker instead of built by package init on every run.
type Steps struct {
	Linux, Darwin, Windows []string
}

// For returns the steps for goos ("linux", "darwin", "windows"), nil for
// any other.
func (s Steps) For(goos string) []string {
	switch goos {
	case "linux":
		return s.Linux
	case "darwin":
		return s.Darwin
	case "windows":
		return s.Windows
	}
	return nil
}

// Finding is one observed problem or notable fact.
type Finding struct {
	ID       string   `json:"id"`
	Severity Severity `json:"severity"`
	Summary  string   `json:"summary"`
	Evidence []string `json:"evidence"`
	// Fix is the first ladder rung that may repair it; empty if none.
	Fix  netstate.Rung `json:"fix,omitempty"`
	Args Args          `json:"args,omitempty"`
}

func newFinding(d *Def, a Args, evidence ...string) Finding {
	f := Finding{ID: d.ID, Severity: d.Severity, Summary: expand(d.Text, a), Evidence: evidence, Args: a}
	if len(d.Fixes) > 0 {
		f.Fix = d.Fixes[0]
	}
	if f.Evidence == nil {
		f.Evidence = []string{}
	}
	return f
}

// familyTags are the step prefixes that select an address family.
var familyTags = []string{"[IPv4] ", "[IPv6] "}

// stepTags splits the tags off a step template: "[IPv6] [NetworkManager]
// nmcli ..." gives the family "IPv6", the managers of which one must be in
// charge for the step to show (need) and the command. ok is false for a
// tag nobody knows.
func stepTags(s string) (family string, need netstate.Manager, rest string, ok bool) {
	for strings.HasPrefix(s, "[") {
		end := strings.Index(s, "] ")
		if end < 0 || strings.ContainsAny(s[:end], " ]:") {
			break // a command that starts with "[" ([Environment]::...)
		}
		tag := s[1:end]
		s = s[end+2:]
		if tag == "IPv4" || tag == "IPv6" {
			family = tag
			continue
		}
		m, known := netstate.ManagerByName(tag)
		if !known {
			return "", 0, s, false
		}
		need |= m
	}
	return family, need, s, true
}

// renderStep expands one step template: none, one, or one per value of the
// list arg it names.
func renderStep(goos, s string, a Args, optional []Arg, m netstate.Managers) []string {
	family, need, s, ok := stepTags(s)
	if !ok || (family != "" && a[ArgFamily] != family) {
		return nil
	}
	if need != 0 && !m.Has(need) {
		return nil
	}
	for _, o := range optional {
		if a[o] == "" && strings.Contains(s, "{"+string(o)+"}") {
			return nil
		}
	}
	for _, l := range listArgs {
		if a[l] == "" || !strings.Contains(s, "{"+string(l)+"}") {
			continue
		}
		vals := strings.Split(a[l], ListSep)
		out := make([]string, 0, len(vals))
		one := maps.Clone(a)
		for _, v := range vals {
			one[l] = v
			out = append(out, expandQuoted(goos, s, one))
		}
		return out
	}
	return []string{expandQuoted(goos, s, a)}
}

// rawArgs hold a command the diagnosis built for this OS from fixed words
// (how to stop using a proxy), placed in a step as it is.
var rawArgs = []Arg{ArgStop}

// wordArgs hold several shell words ("blackhole 203.0.113.0/24"), each
// quoted on its own.
var wordArgs = []Arg{ArgRoutes}

// expandQuoted fills a step template with each value quoted for goos's
// shell: a step is pasted into a shell, and the values come from the
// machine and the network.
func expandQuoted(goos, s string, a Args) string {
	if !strings.Contains(s, "{") {
		return s
	}
	q := make(Args, len(a))
	for k, v := range a {
		switch {
		case slices.Contains(rawArgs, k):
			q[k] = v
		case slices.Contains(wordArgs, k):
			w := strings.Fields(v)
			for i := range w {
				w[i] = QuoteFor(goos, w[i])
			}
			q[k] = strings.Join(w, " ")
		default:
			q[k] = QuoteFor(goos, v)
		}
	}
	return expand(s, q)
}

// expand fills {arg} placeholders with the values as they are: for
// summaries, which are read, not run.
func expand(s string, a Args) string {
	if !strings.Contains(s, "{") {
		return s
	}
	keys := make([]string, 0, len(a))
	for k := range a {
		keys = append(keys, string(k))
	}
	sort.Strings(keys)
	pairs := make([]string, 0, 2*len(keys))
	for _, k := range keys {
		pairs = append(pairs, "{"+k+"}", a[Arg(k)])
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

func famName(f int) string { return fmt.Sprintf("IPv%d", f) }

// Arguments of the local-configuration findings.
const (
	ArgPort     Arg = "port"
	ArgPID      Arg = "pid"
	ArgProcess  Arg = "process"
	ArgVar      Arg = "var"
	ArgProxy    Arg = "proxy"
	ArgEndpoint Arg = "endpoint"
	ArgFile     Arg = "file"
	ArgService  Arg = "service"
	ArgNext     Arg = "next"
	ArgWait     Arg = "wait"
	ArgHolder   Arg = "holder"
	ArgStop     Arg = "stop" // how to stop using a proxy setting, on this OS
	ArgUnit     Arg = "unit" // the systemd unit of a local resolver, when known
)

// The local configuration a start depends on: name servers in the
// resolver's order, proxies, the ports the environment needs, localhost,
// the ephemeral port range and the clock. Declared after the network
// findings: a broken network explains a silent remote proxy, not the
// other way round.
var ()
