package diagnose

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/netguard/netguard/checks/netstate"
)

// has reports whether a finding with id is present.
func (d *diag) has(id string) bool {
	return slices.ContainsFunc(d.findings, func(f Finding) bool { return f.ID == id })
}

// restatus sets the judging check's status from its findings so far,
// keeping its detail: a specific cause replaced the generic verdict.
func (d *diag) restatus() {
	st := StatusPass
	for _, f := range d.findings {
		if slices.ContainsFunc(d.check.Findings, func(def *Def) bool { return def.ID == f.ID }) {
			st = worse(st, statusOf(f.Severity))
		}
	}
	d.cur.Status = st
}

// proxies: every configured proxy parses and accepts a connection.
func (d *diag) proxies() {
	p := &d.s.Proxy
	switch {
	case !p.Checked:
		d.set(StatusSkip, "not collected")
		return
	case len(p.Settings) == 0:
		detail := "no proxy set"
		if p.SystemErr != nil {
			detail += "; " + p.SystemErr.Error()
		}
		d.set(StatusPass, detail)
		return
	case p.Disabled():
		d.set(StatusPass, "NO_PROXY=* turns every proxy off")
		return
	}
	var parts []string
	type dead struct {
		vars   []string
		p      *netstate.ProxySetting
		detail string
		sev    Severity
	}
	var deads []*dead
	byEndpoint := map[string]*dead{}
	for i := range p.Settings {
		s := &p.Settings[i]
		if !d.proxyApplies(s) {
			continue
		}
		if s.Err != nil {
			f := d.add(ProxyInvalid, Args{ArgVar: s.Var, ArgProxy: s.Value, ArgErr: s.Err.Error()},
				fmt.Sprintf("%s=%s: %v", s.Var, s.Value, s.Err))
			if s.For == "http" {
				f.Severity = SevWarning // plain-HTTP downloads only
			}
			parts = append(parts, fmt.Sprintf("%s=%s invalid", s.Var, s.Value))
			continue
		}
		var detail string
		switch {
		case s.Works():
			parts = append(parts, fmt.Sprintf("%s=%s answers in %s", s.Var, s.Value, ms(s.TCP.RTT)))
			continue
		case s.ResolveErr != nil:
			if d.s.DNS.Err != nil {
				// Names fail altogether: the DNS check names that cause.
				parts = append(parts, fmt.Sprintf("%s=%s: %s does not resolve", s.Var, s.Value, s.Host))
				continue
			}
			detail = fmt.Sprintf("the proxy's name %s does not resolve", s.Host)
		case s.TCP.Refused:
			detail = fmt.Sprintf("the proxy refuses connections (nothing listens on %s)", s.Endpoint())
		case s.TCP.Ran && s.TCP.NoPermission:
			parts = append(parts, fmt.Sprintf("%s=%s not probed (no permission)", s.Var, s.Value))
			continue
		case s.TCP.Ran && !s.Addr.IsLoopback() && d.pathDown():
			// Silence from a remote proxy is explained by the broken path
			// the network checks already name. A refusal, or a loopback
			// proxy, never is.
			parts = append(parts, fmt.Sprintf("%s=%s: no answer (the network path is down)", s.Var, s.Value))
			continue
		case s.TCP.Ran:
			detail = fmt.Sprintf("the proxy does not answer on %s (%s)", s.Endpoint(), netstate.ErrText(s.TCP.Err))
		default:
			parts = append(parts, fmt.Sprintf("%s=%s not probed", s.Var, s.Value))
			continue
		}
		parts = append(parts, fmt.Sprintf("%s=%s: %s", s.Var, s.Value, detail))
		// An HTTP-only proxy breaks plain-HTTP downloads only; most of a
		// start's traffic is HTTPS.
		sev := SevError
		if s.For == "http" || s.Var == netstate.WinHTTPProxyVar {
			sev = SevWarning
		}
		if dd := byEndpoint[s.Endpoint()]; dd != nil {
			dd.vars = append(dd.vars, s.Var)
			if sev == SevError {
				dd.sev = sev
			}
			continue
		}
		dd := &dead{vars: []string{s.Var}, p: s, detail: detail, sev: sev}
		byEndpoint[s.Endpoint()] = dd
		deads = append(deads, dd)
	}
	for _, dd := range deads {
		f := d.add(ProxyDead, Args{ArgVar: strings.Join(dd.vars, ", "), ArgProxy: dd.p.Value, ArgEndpoint: dd.p.Endpoint(), ArgDetail: dd.detail, ArgStop: d.proxyStop(dd.vars)}, parts...)
		f.Severity = dd.sev
		// Manual steps take one variable; the summary names them all.
		f.Args[ArgVar] = dd.vars[0]
		f.Summary = expand(ProxyDead.Text, Args{ArgVar: strings.Join(dd.vars, ", "), ArgProxy: dd.p.Value, ArgDetail: dd.detail})
	}
	if len(parts) == 0 {
		parts = []string{"no proxy applies to the interface in use"}
	}
	d.set(StatusPass, strings.Join(parts, "; "))
	d.restatus()
}

// proxyApplies: a per-interface system proxy (macOS) counts only while
// its interface carries a default route.
func (d *diag) proxyApplies(s *netstate.ProxySetting) bool {
	if s.Iface == "" {
		return true
	}
	for _, f := range d.families() {
		if f.Default != nil && f.Default.IfName == s.Iface {
			return true
		}
	}
	return false
}

// proxyStop says how to stop using the given settings on this OS: unset
// the variables, or turn the system proxy off. One ListSep-joined value
// per step: a command, or a comment for what is done in the settings.
func (d *diag) proxyStop(vars []string) string {
	var env, sys []string
	for _, v := range vars {
		if slices.Contains(netstate.ProxyVars, v) {
			env = append(env, v)
		} else {
			sys = append(sys, v)
		}
	}
	var out []string
	if len(env) > 0 {
		switch d.s.OS {
		case "windows":
			for _, v := range env {
				out = append(out, "Remove-Item Env:"+v, fmt.Sprintf("[Environment]::SetEnvironmentVariable('%s',$null,'User')", v)) // no ", ": values are ListSep-joined
			}
		default:
			out = append(out, "unset "+strings.Join(env, " "))
		}
	}
	if len(sys) > 0 {
		switch d.s.OS {
		case "darwin":
			out = append(out, "# turn off the "+strings.Join(sys, " and ")+" in System Settings › Network › Details › Proxies")
		case "windows":
			out = append(out, "# turn off the "+strings.Join(sys, " and ")+" in Settings › Network & internet › Proxy")
		default:
			out = append(out, "# turn off the "+strings.Join(sys, " and "))
		}
	}
	return strings.Join(out, ListSep)
}

// pathDown: a network finding already says nothing gets past this
// machine or its gateway.
func (d *diag) pathDown() bool {
	for _, id := range []string{LinkDown.ID, LinkNoCarrier.ID, LinkNoAddress.ID, NoDefaultRoute.ID, GatewayUnreachable.ID, GatewayNeighborFailed.ID, GatewayNeighborStatic.ID, GatewayNeighborAmbiguous.ID, GatewayNeighborWrong.ID} {
		if d.has(id) {
			return true
		}
	}
	return d.firewallBlocks
}

// workingProxy is a proxy for HTTPS traffic that accepted a connection.
func (d *diag) workingProxy() *netstate.ProxySetting {
	p := &d.s.Proxy
	if p.Disabled() {
		return nil
	}
	for i := range p.Settings {
		if s := &p.Settings[i]; s.Err == nil && s.For != "http" && s.Works() && d.proxyApplies(s) {
			return s
		}
	}
	return nil
}

// proxyOnly: direct connections fail but a proxy answers. That is how
// corporate networks work, not an outage: the internet verdict becomes
// "proxy-only" instead of unhealthy. A proxy on this machine only proves
// that the proxy app runs, not that it gets out, so that case is a
// warning.
func (d *diag) proxyOnly(mark int) {
	s := d.workingProxy()
	if s == nil || !(d.has(InternetUnreachable.ID) || d.has(TCPBlocked.ID)) {
		return
	}
	if s.Addr.IsLoopback() && d.pathDown() {
		return // a local proxy app cannot get past a broken path either
	}
	var targets []string
	for _, f := range d.families() {
		for i := range f.External {
			if t := &f.External[i]; !t.TCP.Answered {
				targets = append(targets, t.Addr.String())
			}
		}
	}
	if len(targets) == 0 {
		return
	}
	d.retract(mark, InternetUnreachable, LocalFirewallBlocks, TCPBlocked)
	line := fmt.Sprintf("%s=%s accepted a connection in %s", s.Var, s.Value, ms(s.TCP.RTT))
	f := d.add(NetworkProxyOnly, Args{ArgTargets: strings.Join(targets, ", "), ArgEndpoint: s.Endpoint(), ArgVar: s.Var}, line)
	if s.Addr.IsLoopback() {
		f.Severity = SevWarning
		f.Summary += " (the proxy runs on this machine: whether it gets out was not checked)"
	}
	d.set(statusOf(f.Severity), "direct connections blocked; proxy-only via "+line)
}

// ports: each port the environment needs can be listened on.
func (d *diag) ports() {
	if len(d.s.Ports) == 0 {
		detail := "no ports configured (--ports)"
		if len(d.s.PortNotes) > 0 {
			detail += "; " + strings.Join(d.s.PortNotes, "; ")
		}
		d.set(StatusSkip, detail)
		return
	}
	var parts []string
	st := StatusPass
	for _, r := range d.s.Ports {
		port := r.Spec.String()
		if r.Spec.From != "" {
			port += " (" + r.Spec.From + ")"
		}
		switch {
		case r.Free:
			parts = append(parts, port+" free")
		case r.Excluded:
			line := fmt.Sprintf("%s: %s", port, netstate.ErrText(r.Err))
			parts = append(parts, line)
			d.add(PortExcluded, Args{ArgPort: port}, line)
			st = StatusFail
		case r.InUse:
			args := Args{ArgPort: strconv.Itoa(int(r.Spec.Port)), ArgHolder: "another process"}
			switch {
			case r.Owner.Known():
				args[ArgHolder] = fmt.Sprintf("%s (pid %d)", cmpOr(r.Owner.Name, "a process"), r.Owner.PID)
				args[ArgPID], args[ArgProcess] = strconv.Itoa(r.Owner.PID), r.Owner.Name
			case r.OwnerErr != nil:
				args[ArgHolder] = "another process (" + r.OwnerErr.Error() + ")"
			}
			line := fmt.Sprintf("%s: in use by %s", port, args[ArgHolder])
			parts = append(parts, line)
			f := d.add(PortInUse, args, line, netstate.ErrText(r.Err))
			if why := ownContainerMaybe(r); why != "" {
				// The project's own containers may be up already, and
				// `docker compose up` then succeeds: a warning, not a
				// blocked start.
				f.Severity = SevWarning
				f.Summary += " (" + why + ": fine if it is this project's own container, already running)"
				st = worse(st, StatusWarn)
				continue
			}
			st = StatusFail
		default:
			parts = append(parts, fmt.Sprintf("%s: not tested (%s)", port, netstate.ErrText(r.Err)))
			st = worse(st, StatusUnknown)
		}
	}
	d.set(st, strings.Join(append(parts, d.s.PortNotes...), "; "))
}

// ownContainerMaybe says why a taken port the project publishes may be
// held by the project's own running container, or "" when it cannot be:
// its holder is a container's port publisher, or is hidden from this user
// (rootful Docker's docker-proxy runs as root, and a user cannot see
// root's sockets' processes). A port the user named is theirs to vouch
// for: never.
func ownContainerMaybe(r netstate.PortResult) string {
	switch {
	case r.Spec.From == "":
		return ""
	case containerPublisher(r.Owner.Name):
		return "a container's published port"
	case !r.Owner.Known():
		return "its holder is hidden from this user"
	}
	return ""
}

// containerPublishers are the processes that hold a container's published
// port on the host: Docker's userland proxy, rootless Docker's and
// Podman's port forwarders, Docker Desktop's and Podman machine's host
// side, and Podman's conmon.
var containerPublishers = []string{"docker-proxy", "rootlesskit", "rootlessport", "conmon", "com.docker.backend", "vpnkit-bridge", "com.docker.vpnkit", "wslrelay", "gvproxy"}

// containerPublisher reports whether a port holder's process name is one
// of containerPublishers (with or without Windows' .exe). Linux's comm
// keeps 15 bytes of a name and macOS's p_comm 16, so a name that long
// matches as a prefix ("com.docker.backe").
func containerPublisher(name string) bool {
	name = strings.TrimSuffix(strings.ToLower(name), ".exe")
	return name != "" && slices.ContainsFunc(containerPublishers, func(p string) bool {
		return p == name || len(name) >= 15 && strings.HasPrefix(p, name)
	})
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// hosts: localhost resolves to loopback.
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

// clockSlack: a binary built from a commit dated after "now" by more than
// this proves the clock is behind (commit dates may run ahead a little).
const clockSlack = 24 * time.Hour

// clock: the kernel's view of its clock, and a lower bound on the time.
func (d *diag) clock() {
	c := &d.s.Clock
	switch {
	case !c.Checked:
		d.set(StatusSkip, "not collected")
		return
	case !c.BuildTime.IsZero() && !c.Now.IsZero() && c.Now.Before(c.BuildTime.Add(-clockSlack)):
		detail := fmt.Sprintf("%s, before this binary's source was committed (%s): it is at least %s behind",
			c.Now.UTC().Format(time.DateTime), c.BuildTime.UTC().Format(time.DateTime), c.BuildTime.Sub(c.Now).Round(time.Hour))
		f := d.add(ClockWrong, Args{ArgDetail: detail}, detail)
		d.set(statusOf(f.Severity), detail)
		return
	case c.Err != nil:
		d.set(StatusUnknown, c.Err.Error())
		return
	}
	bound := ""
	if c.BuildTime.IsZero() {
		bound = noBuildTime
	}
	switch c.Synced {
	case netstate.TriYes:
		d.set(StatusPass, "synchronised (max error "+c.MaxError.String()+")"+bound)
	case netstate.TriNo:
		// Info only: without a time daemon (containers, CI sandboxes)
		// the kernel says this of a clock that may be right.
		d.add(ClockUnsynchronized, Args{ArgDetail: c.MaxError.String()}, "adjtimex: STA_UNSYNC / TIME_ERROR")
		d.set(StatusPass, "not synchronised by a time daemon (max error "+c.MaxError.String()+")"+bound)
	default:
		d.set(StatusPass, "synchronisation not reported by this OS"+bound)
	}
}

// minEphemeral is the smallest ephemeral range that normal use does not
// exhaust; below tinyEphemeral a start fails outright.
const (
	minEphemeral  = 1000
	tinyEphemeral = 128
)

// portRange: the ephemeral port range itself, whatever is in use now.
func (d *diag) portRange() {
	k := &d.s.Sockets
	if d.s.SocketsErr != nil || k.EphemeralLow <= 0 || k.EphemeralHigh < k.EphemeralLow {
		return
	}
	span := k.EphemeralHigh - k.EphemeralLow + 1
	if span >= minEphemeral {
		return
	}
	detail := fmt.Sprintf("%d-%d", k.EphemeralLow, k.EphemeralHigh)
	f := d.add(PortsRangeSmall, Args{ArgDetail: detail, ArgCount: strconv.Itoa(span)}, "ephemeral range "+detail)
	if span < tinyEphemeral {
		f.Severity = SevError
	}
	d.restatus()
}

// localService names the resolver service that should listen on a
// loopback name server.
func (d *diag) localService(a netip.Addr) string {
	switch {
	case a == netstate.ResolvedStub:
		return "systemd-resolved"
	case d.s.OS == "darwin":
		return "mDNSResponder"
	case d.s.OS == "windows":
		return "the local DNS proxy"
	}
	return "the local resolver (dnsmasq, unbound or another service meant to listen on " + a.String() + ":53)"
}

// localResolver: a loopback name server that refuses means the resolver
// service behind it is not running; the errno decides at once.
func (d *diag) localResolver() bool {
	r := &d.s.DNS
	for _, sv := range r.Servers {
		a := sv.Server.Addr()
		if sv.Upstream || !a.IsLoopback() || netstate.Classify(sv.Err) != netstate.ClassRefused {
			continue
		}
		var ups, evidence []string
		for _, u := range r.Servers {
			if u.Upstream {
				evidence = append(evidence, fmt.Sprintf("upstream %s: %s", u.Server.Addr(), serverText(u)))
				if u.Answered {
					ups = append(ups, u.Server.Addr().String())
				}
			}
		}
		// {detail} is optional in the text: empty unless upstreams answer.
		args := Args{ArgServer: a.String(), ArgService: d.localService(a), ArgDetail: ""}
		if len(ups) > 0 {
			args[ArgDetail] = fmt.Sprintf(" (its upstreams %s answer)", strings.Join(ups, ", "))
			args[ArgNext] = strings.Join(ups, ", ")
		}
		if a == netstate.ResolvedStub {
			args[ArgUnit] = "systemd-resolved"
		}
		f := d.add(DNSLocalResolverDown, args,
			append([]string{fmt.Sprintf("%s: %s", a, netstate.ErrText(sv.Err))}, evidence...)...)
		if r.Err == nil {
			f.Severity = SevWarning // another server answers: lookups work
		} else {
			d.supersede(DNSFailed, nil)
			d.supersede(DNSLossy, nil)
		}
		d.supersede(DNSServerFailed, func(x Args) bool { return x[ArgServer] == a.String() })
		return true
	}
	return false
}

func serverText(s netstate.DNSServerResult) string {
	if s.Answered {
		return s.Rcode + " " + ms(s.RTT)
	}
	return netstate.ErrText(s.Err)
}

// silentServer: asked directly, the server never answered (a timeout or
// an unreachable host), as opposed to refusing.
func (d *diag) silentServer(s netstate.DNSServerResult) bool {
	if s.Answered {
		return false
	}
	switch netstate.Classify(s.Err) {
	case netstate.ClassTimeout, netstate.ClassHostUnreach:
		return true
	case netstate.ClassNetUnreach:
		// A server of a family without a default route is skipped at once.
		return d.s.Family(netstate.FamilyOf(s.Server.Addr())).Default != nil
	}
	return false
}

// nameServerOrder: a silent server listed before one that answers makes
// every lookup wait for it. That is the cause, not loss: loss is when the
// same server sometimes answers and sometimes not.
func (d *diag) nameServerOrder() bool {
	r := &d.s.DNS
	cfg := &r.Resolver
	if cfg.Rotate {
		return false
	}
	var own []netstate.DNSServerResult
	for _, s := range r.Servers {
		if !s.Upstream {
			own = append(own, s)
		}
	}
	var silent []netstate.DNSServerResult
	var next *netstate.DNSServerResult
	for i := range own {
		if own[i].Answered {
			next = &own[i]
			break
		}
		if d.silentServer(own[i]) {
			silent = append(silent, own[i])
		}
	}
	if next == nil || len(silent) == 0 {
		return false
	}
	first := silent[0]
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = netstate.DefaultResolverTimeout
	}
	wait := time.Duration(len(silent)) * timeout
	var evidence []string
	route := ""
	for _, s := range silent {
		line := fmt.Sprintf("%s: %s", s.Server.Addr(), netstate.ErrText(s.Err))
		switch {
		case s.Route != nil:
			via := s.Route.IfName
			if via == "" {
				if l := d.linkByIndex(s.Route.IfIndex); l != nil {
					via = l.Name
				}
			}
			hop := ""
			if s.Route.Gateway.IsValid() {
				hop = "via " + s.Route.Gateway.String() + " "
			}
			line += fmt.Sprintf("; a route still leads to it (%sdev %s)", hop, cmpOr(via, "#"+strconv.Itoa(s.Route.IfIndex)))
		case s.RouteErr != nil:
			line += "; no route leads to it (" + netstate.ErrText(s.RouteErr) + ")"
		}
		if s.Server == first.Server {
			route = line[strings.Index(line, ";")+1:]
			if !strings.Contains(line, ";") {
				route = ""
			}
		}
		evidence = append(evidence, line)
	}
	evidence = append(evidence, fmt.Sprintf("%s answered: %s", next.Server.Addr(), serverText(*next)),
		fmt.Sprintf("%s: timeout %s, attempts %d", cmpOr(cfg.Source, "resolver"), timeout, cfg.Attempts))
	detail := ""
	if route != "" {
		detail = ";" + route
	}
	d.add(DNSFirstServerSilent, Args{
		ArgServer: first.Server.Addr().String(), ArgNext: next.Server.Addr().String(),
		ArgFile: cmpOr(cfg.Source, "the resolver configuration"), ArgWait: wait.String(), ArgDetail: detail,
	}, evidence...)
	// A warning even when the system resolver timed out: the resolver
	// does get its answer from the next server, only late, and a lost
	// burst of replies under heavy loss can look the same, so this never
	// blocks a start on its own.
	d.supersede(DNSFailed, nil)
	d.supersede(DNSLossy, nil)
	d.supersede(DNSServerFailed, func(x Args) bool {
		return slices.ContainsFunc(silent, func(s netstate.DNSServerResult) bool { return s.Server.Addr().String() == x[ArgServer] })
	})
	return true
}

// fakeIPRange is where Clash, Surge and mihomo hand out fake addresses
// (RFC 2544's benchmarking range).
var fakeIPRange = netip.MustParsePrefix("198.18.0.0/15")

// fakeIP: names resolve into 198.18.0.0/15 while a TUN device owns the
// default route. Addresses on a network of a local interface are real
// (labs and benchmarks use this range) and never count.
func (d *diag) fakeIP() {
	def := d.s.V4.Default
	if def == nil {
		return
	}
	l := d.linkByIndex(def.IfIndex)
	if l == nil || !l.Tunnel {
		return
	}
	onLink := func(a netip.Addr) bool {
		for _, ln := range d.s.Links {
			for _, p := range ln.Addrs {
				if p.Masked().Contains(a) {
					return true
				}
			}
		}
		return false
	}
	var fake []string
	for _, a := range d.s.DNS.Addrs {
		if a.Is4() && fakeIPRange.Contains(a) && !onLink(a) {
			fake = append(fake, a.String())
		}
	}
	if len(fake) == 0 {
		return
	}
	f := d.add(ProxyFakeIP, Args{ArgName: d.s.DNS.Name, ArgDetail: strings.Join(fake, ", "), ArgIface: l.Name},
		fmt.Sprintf("%s → %s", d.s.DNS.Name, strings.Join(fake, ", ")), fmt.Sprintf("default route via %s (tunnel)", l.Name))
	d.cur.Status = worse(d.cur.Status, statusOf(f.Severity))
}

// portHolder names, in the socket-exhaustion findings, the process that
// holds the most sockets, so their steps point at it rather than at a
// generic listing. Unnamed (another user's process), the step is left out.
func (d *diag) portHolder() {
	k := &d.s.Sockets
	if k.TopProcessPID <= 0 {
		return
	}
	holder := fmt.Sprintf("%s (pid %d, %d sockets)", cmpOr(k.TopProcess, "a process"), k.TopProcessPID, k.TopProcessSockets)
	for i := range d.findings {
		if f := &d.findings[i]; f.ID == PortsExhausted.ID || f.ID == PortsHigh.ID {
			f.Args[ArgHolder], f.Args[ArgPID] = holder, strconv.Itoa(k.TopProcessPID)
		}
	}
}

// noBuildTime is said of the clock when the binary has no date to bound it
// with, so the check is not silently weaker.
const noBuildTime = "; no build date to compare with (built without VCS data), so a clock set back is not detected"

// retract removes the judging check's own findings of defs added since
// mark: a cause it found after them explains them. A check never
// retracts another check's findings.
func (d *diag) retract(mark int, defs ...*Def) {
	own := d.findings[mark:]
	own = slices.DeleteFunc(own, func(f Finding) bool {
		return slices.ContainsFunc(defs, func(def *Def) bool { return def.ID == f.ID })
	})
	d.findings = d.findings[:mark+len(own)]
}
