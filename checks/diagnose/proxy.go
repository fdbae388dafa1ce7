package diagnose

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/netguard/netguard/checks/netstate"
)

// Proxy is the proxy check.
var Proxy = &Check{
	ID: "proxy", Chained: false, judge: (*diag).proxies,
	Findings: []*Def{ProxyInvalid, ProxyDead, ProxyAuthRequired, ProxyConnectFailed},
}

// The findings of the proxy check, in root-cause order.
var (
	ProxyInvalid = &Def{
		ID: "proxy-invalid", Severity: SevError,
		Title: "A proxy setting is not a valid URL",
		Text:  "{var}={proxy} is not a proxy URL programs accept ({err}): downloads through it fail",
		Manual: Steps{
			Linux:   []string{"unset {var}  # or set it to http://HOST:PORT"},
			Darwin:  []string{"unset {var}  # or set it to http://HOST:PORT"},
			Windows: []string{"Remove-Item Env:{var}  # or set it to http://HOST:PORT", "[Environment]::SetEnvironmentVariable({var}, $null, 'User')  # if it is set for the user"},
		},
		Why: "Programs that read the variable fail every request through it, or silently go direct, depending on the tool.",
		How: "The value was parsed as curl and Go parse it (http:// assumed without a scheme): the scheme, host or port is not one a proxy can have.",
	}

	ProxyDead = &Def{
		ID: "proxy-dead", Severity: SevError,
		Title:    "The configured proxy is not running",
		Text:     "{var}={proxy}: {detail}; every download through it fails",
		Optional: []Arg{ArgStop},
		Manual: Steps{
			Linux:   []string{"# start the proxy that should listen there (Clash, V2Ray, a corporate agent)", "{stop}  # or stop using it", "curl -v --proxy {proxy} -I https://example.com  # check it"},
			Darwin:  []string{"# start the proxy app that should listen there (ClashX, Surge, a corporate agent)", "{stop}  # or stop using it", "scutil --proxy  # the system proxy"},
			Windows: []string{"# start the proxy app that should listen there", "{stop}  # or stop using it", "netsh winhttp show proxy  # the WinHTTP proxy"},
		},
		Why: "Package managers, registries and downloads send everything through the proxy the environment names: with nothing listening there, every download of the start fails (connection refused to 127.0.0.1:7890 when Clash or V2Ray was closed).",
		How: "One TCP connect to the proxy itself, nothing beyond it: refused, or silent while the network path to it works. Each variable and the system proxy (macOS per-service settings, Windows Internet Settings) are read; NO_PROXY=* turns them off.",
	}
)

// The findings of a CONNECT through a proxy that accepts connections.
var (
	ProxyAuthRequired = &Def{
		ID: "proxy-auth-required", Severity: SevError,
		Title: "The proxy wants credentials the environment lacks",
		Text:  "{var}={proxy}: {detail}; every download through it fails",
		Manual: Steps{
			Linux:   []string{"# put the proxy account in the variable: export {var}=http://USER:PASSWORD@HOST:PORT (percent-encode @ and : in the password)", "curl -v --proxy {proxy} --proxy-user USER -I https://example.com  # check the account"},
			Darwin:  []string{"# put the proxy account in the variable: export {var}=http://USER:PASSWORD@HOST:PORT (percent-encode @ and : in the password)", "curl -v --proxy {proxy} --proxy-user USER -I https://example.com  # check the account"},
			Windows: []string{"# put the proxy account in the variable: $env:{var} = 'http://USER:PASSWORD@HOST:PORT' (percent-encode @ and : in the password)", "curl.exe -v --proxy {proxy} --proxy-user USER -I https://example.com  # check the account"},
		},
		Why: "The proxy answers every CONNECT with 407: package managers, registries and git over HTTPS fail through it until the variable carries an account the proxy accepts (or a tool that speaks its scheme, such as NTLM or Negotiate, sits in between).",
		How: "An HTTP CONNECT to the first external target's port 443 was sent through the proxy, with the URL's user part as Basic Proxy-Authorization when it has one; the proxy answered 407, and its Proxy-Authenticate header names the realm. The credentials are never printed.",
	}

	ProxyConnectFailed = &Def{
		ID: "proxy-connect-failed", Severity: SevError,
		Title: "The proxy refuses to tunnel",
		Text:  "{var}={proxy}: {detail}; every HTTPS download through it fails",
		Manual: Steps{
			Linux:   []string{"curl -v --proxy {proxy} -I https://example.com  # what the proxy answers", "# ask the proxy's administrator to allow CONNECT to port 443, or fix {var} (a SOCKS port needs socks5://)"},
			Darwin:  []string{"curl -v --proxy {proxy} -I https://example.com  # what the proxy answers", "# ask the proxy's administrator to allow CONNECT to port 443, or fix {var} (a SOCKS port needs socks5://)"},
			Windows: []string{"curl.exe -v --proxy {proxy} -I https://example.com  # what the proxy answers", "# ask the proxy's administrator to allow CONNECT to port 443, or fix {var} (a SOCKS port needs socks5://)"},
		},
		Why: "Programs reach HTTPS sites through a proxy with CONNECT: a proxy that answers it with an error, or closes the connection, fails every HTTPS download of the start although it accepts connections.",
		How: "An HTTP CONNECT to the first external target's port 443 was sent through the proxy; it answered a status other than 200 (named), or closed the connection without answering. Silence is not judged: the proxy may be waiting on the target.",
	}
)

// proxies judges whether every configured proxy parses and accepts a
// connection.
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
		def    *Def
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
		def := ProxyDead
		// soft: the failure may be the target's, not the proxy's.
		soft := false
		switch {
		case s.Connect.Failed():
			def, detail = connectFailure(s.Connect)
			soft = gatewayStatus(s.Connect.Status) && !d.serves443(s.Connect.Target.Addr())
		case s.Works():
			part := fmt.Sprintf("%s=%s answers in %s", s.Var, s.Value, ms(s.TCP.RTT))
			if c := s.Connect; c.Tunneled() {
				part += fmt.Sprintf("; CONNECT %s through it: 200 in %s", c.Target, ms(c.RTT))
			} else if c.Ran {
				part += fmt.Sprintf("; CONNECT %s through it: no answer (%s)", c.Target, netstate.ErrText(c.Err))
			}
			parts = append(parts, part)
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
		if s.For == "http" || s.Var == netstate.WinHTTPProxyVar || soft {
			sev = SevWarning
		}
		k := def.ID + " " + s.Endpoint() + " " + detail
		if dd := byEndpoint[k]; dd != nil {
			dd.vars = append(dd.vars, s.Var)
			if sev == SevError {
				dd.sev = sev
			}
			continue
		}
		dd := &dead{def: def, vars: []string{s.Var}, p: s, detail: detail, sev: sev}
		byEndpoint[k] = dd
		deads = append(deads, dd)
	}
	for _, dd := range deads {
		a := Args{ArgVar: strings.Join(dd.vars, ", "), ArgProxy: dd.p.Value, ArgDetail: dd.detail}
		if dd.def == ProxyDead {
			a[ArgEndpoint], a[ArgStop] = dd.p.Endpoint(), d.proxyStop(dd.vars)
		}
		f := d.add(dd.def, a, parts...)
		f.Severity = dd.sev
		// Manual steps take one variable; the summary names them all.
		f.Args[ArgVar] = dd.vars[0]
		f.Summary = expand(dd.def.Text, Args{ArgVar: strings.Join(dd.vars, ", "), ArgProxy: dd.p.Value, ArgDetail: dd.detail})
	}
	if len(parts) == 0 {
		parts = []string{"no proxy applies to the interface in use"}
	}
	d.set(StatusPass, strings.Join(parts, "; "))
	d.restatus()
}

// connectFailure is the finding and its detail for a CONNECT that failed.
func connectFailure(c netstate.ProxyConnect) (*Def, string) {
	switch {
	case c.Status == 407:
		return ProxyAuthRequired, authDetail(c)
	case c.Status != 0:
		return ProxyConnectFailed, fmt.Sprintf("a CONNECT to %s through it gets %s", c.Target, statusText(c))
	}
	return ProxyConnectFailed, fmt.Sprintf("the proxy closes the connection on a CONNECT to %s without answering (%s): not an HTTP proxy, or one that drops the tunnel", c.Target, netstate.ErrText(c.Err))
}

// gatewayStatus reports whether a proxy's status says it could not reach
// the target (502, 503, 504): the target's fault as much as the proxy's.
func gatewayStatus(code int) bool { return code == 502 || code == 503 || code == 504 }

// serves443 reports whether the external target a accepted a direct
// connection on port 443: then a proxy that cannot reach it is at fault.
// Unknown (direct traffic blocked, or the target serves another port) is
// no proof, and a CONNECT answered 502 then blocks nothing on its own: the
// internet check still judges the way out.
func (d *diag) serves443(a netip.Addr) bool {
	for _, f := range d.s.Families() {
		for i := range f.External {
			if t := &f.External[i]; t.Addr == a && connected443(t) {
				return true
			}
		}
	}
	return false
}

// statusText is "403 Forbidden", or the bare code without a reason.
func statusText(c netstate.ProxyConnect) string {
	if c.Reason == "" {
		return strconv.Itoa(c.Status)
	}
	return strconv.Itoa(c.Status) + " " + c.Reason
}

// authDetail says what a 407 means for the variable: credentials it lacks,
// or credentials the proxy rejects. The realm is the proxy's own text.
func authDetail(c netstate.ProxyConnect) string {
	realm := ""
	switch {
	case c.Realm != "":
		realm = fmt.Sprintf(", realm %q", c.Realm)
	case c.AuthScheme != "":
		realm = ", scheme " + c.AuthScheme
	}
	if c.SentAuth {
		return fmt.Sprintf("the proxy rejects the credentials in the variable (%s to a CONNECT for %s%s)", statusText(c), c.Target, realm)
	}
	return fmt.Sprintf("the proxy wants credentials the variable does not carry (%s to a CONNECT for %s%s)", statusText(c), c.Target, realm)
}

// proxyApplies reports whether s counts: a per-interface system proxy
// (macOS) counts only while its interface carries a default route.
func (d *diag) proxyApplies(s *netstate.ProxySetting) bool {
	if s.Iface == "" {
		return true
	}
	for _, f := range d.s.Families() {
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

// pathDown reports whether a network finding already says nothing gets past
// this machine or its gateway.
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

// proxyGetsOut reports whether a working proxy is a way off this machine:
// one elsewhere that accepts, or one on this machine (a proxy app) that
// tunnelled a CONNECT to the target. A local app that only accepts may
// itself be fenced in by the rules being judged.
func (d *diag) proxyGetsOut() bool {
	s := d.workingProxy()
	return s != nil && (!s.Addr.IsLoopback() || s.Connect.Tunneled())
}
