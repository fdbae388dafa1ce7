package netstate

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ProxyVars are the environment variables programs read for a proxy, in
// the order a finding names them. Both cases: curl reads http_proxy only in
// lower case (an upper-case HTTP_PROXY could come from a CGI request
// header), Go and Python read both, upper case first for Go.
var ProxyVars = []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"}

// ProxyEnv picks the proxy variables out of an environment lookup; the CLI
// calls it so that checks never reads the environment itself.
func ProxyEnv(getenv func(string) string) map[string]string {
	m := map[string]string{}
	for _, k := range ProxyVars {
		if v := getenv(k); v != "" {
			m[k] = v
		}
	}
	return m
}

// WinHTTPProxyVar names the Windows WinHTTP proxy (`netsh winhttp`) in
// findings. It serves services, Windows Update and some .NET programs, not
// the tools a start runs (npm, pip, docker, git), so a dead one is a
// warning, never a blocked start.
const WinHTTPProxyVar = "WinHTTP proxy"

// ProxySetting is one configured proxy: a variable or a system setting.
type ProxySetting struct {
	// Var is where it is set: "HTTPS_PROXY", "all_proxy", or a system
	// setting ("macOS HTTPS proxy", "WinHTTP proxy").
	Var string
	// Value as written, with any user part replaced by "***": it goes into
	// reports and logs.
	Value string
	// For is what it proxies: "https", "http" or "all".
	For string
	// Scheme, Host and Port as programs read Value: without a scheme
	// "http://" is assumed (Go and curl), without a port the scheme's
	// default.
	Scheme string
	Host   string
	Port   uint16
	// Err: Value is not a proxy URL programs accept.
	Err error
	// Addr is the address probed (Host itself, or what it resolved to);
	// ResolveErr why a host name did not resolve.
	Addr       netip.Addr
	ResolveErr error
	// TCP is one connect to the proxy, nothing more: accepted means it
	// runs, refused means nothing listens there.
	TCP ProbeResult
	// Iface ties a system setting to the interface whose network service
	// holds it (macOS keeps proxies per service): it applies only while
	// that interface carries the default route. Empty: always applies.
	Iface string
	// Credentials are the URL's user part, sent as Proxy-Authorization
	// and never printed.
	Credentials ProxyCredentials
	// Connect is an HTTP CONNECT through an http:// proxy that accepted
	// the connection, to the first external target's port 443.
	Connect ProxyConnect
	// Route is the kernel's route to Addr, looked up after the connect
	// (RouteErr when the lookup failed; neither for a loopback proxy): a
	// proxy that answered through the gateway is traffic through it.
	Route    Route
	RouteErr error
}

// Endpoint is host:port as programs connect to it.
func (p *ProxySetting) Endpoint() string {
	return net.JoinHostPort(p.Host, strconv.Itoa(int(p.Port)))
}

// Works reports whether the proxy accepted a connection and, when a
// CONNECT through it was sent, did not fail it.
func (p *ProxySetting) Works() bool {
	return p.TCP.Answered && !p.TCP.Refused && !p.Connect.Failed()
}

// ProxyState is every proxy the start's programs may use.
type ProxyState struct {
	Checked  bool
	Settings []ProxySetting
	// NoProxy is NO_PROXY (or no_proxy): hosts reached directly. "*"
	// turns every proxy off.
	NoProxy string
	// SystemErr: the system proxy settings could not be read.
	SystemErr error
}

// Disabled reports whether NO_PROXY=* is set, which makes curl, Go and
// Python ignore every proxy.
func (p *ProxyState) Disabled() bool { return strings.TrimSpace(p.NoProxy) == "*" }

// parseProxyEnv reads the proxy variables as programs do.
func ParseProxyEnv(env map[string]string) ProxyState {
	st := ProxyState{Checked: true}
	for _, k := range []string{"NO_PROXY", "no_proxy"} {
		if v := env[k]; v != "" {
			st.NoProxy = v
			break
		}
	}
	for _, k := range ProxyVars {
		v := strings.TrimSpace(env[k])
		if v == "" || strings.EqualFold(k, "NO_PROXY") {
			continue
		}
		st.Settings = append(st.Settings, ParseProxy(k, v, strings.TrimSuffix(strings.ToLower(k), "_proxy")))
	}
	return st
}

// defaultProxyPorts are the ports programs assume when a proxy URL has
// none (Go's net/http; curl assumes 1080 for every scheme, but proxies
// set without a port are rare).
var defaultProxyPorts = map[string]uint16{"http": 80, "https": 443, "socks5": 1080, "socks5h": 1080, "socks4": 1080, "socks4a": 1080, "socks": 1080}

// ParseProxy parses one proxy value like Go's httpproxy and curl: a value
// without a scheme is read as http://VALUE.
func ParseProxy(name, value, forWhat string) ProxySetting {
	p := ProxySetting{Var: name, Value: redactProxy(value), For: forWhat}
	u, err := url.Parse(value)
	if !strings.Contains(value, "://") {
		// "host:port" parses as scheme "host"; programs read it as http.
		u, err = url.Parse("http://" + value)
	}
	if err != nil {
		// url.Error repeats the value, password included.
		p.Err = fmt.Errorf("%s: not a URL", name)
		return p
	}
	p.Scheme = strings.ToLower(u.Scheme)
	if u.User != nil {
		pass, _ := u.User.Password()
		p.Credentials = ProxyCredentials{user: u.User.Username(), pass: pass, set: true}
	}
	def, ok := defaultProxyPorts[p.Scheme]
	if !ok {
		p.Err = fmt.Errorf("%s: unsupported proxy scheme %+q (want http, https or socks5)", name, u.Scheme)
		return p
	}
	p.Host = u.Hostname()
	if p.Host == "" {
		p.Err = fmt.Errorf("%s: no host in %+q", name, p.Value)
		return p
	}
	p.Port = def
	if ps := u.Port(); ps != "" {
		n, err := strconv.ParseUint(ps, 10, 16)
		if err != nil || n == 0 {
			p.Err = fmt.Errorf("%s: invalid port %+q", name, ps)
			return p
		}
		p.Port = uint16(n)
	}
	return p
}

// redactProxy hides the user part of a proxy URL (user:password@host, or
// a token alone as in http://TOKEN@host), even in a value that does not
// parse: either can be the secret.
func redactProxy(v string) string {
	at := strings.LastIndexByte(v, '@')
	if at < 0 {
		return v
	}
	start := 0
	if i := strings.Index(v, "://"); i >= 0 && i < at {
		start = i + 3
	}
	return v[:start] + "***" + v[at:]
}

// ProxyCredentials are the user part of a proxy URL, kept only to be sent
// as Proxy-Authorization. They print as "***" whatever the verb, so a
// State dumped into a log or a report never shows them.
type ProxyCredentials struct {
	user, pass string
	set        bool
}

// Set reports whether the URL carried a user part.
func (c ProxyCredentials) Set() bool { return c.set }

// UserPassword returns the credentials, to be sent and never shown.
func (c ProxyCredentials) UserPassword() (user, password string) { return c.user, c.pass }

// String hides the credentials.
func (c ProxyCredentials) String() string { return "***" }

// GoString hides the credentials from %#v.
func (c ProxyCredentials) GoString() string { return "***" }

// MarshalText hides the credentials from encoders.
func (c ProxyCredentials) MarshalText() ([]byte, error) { return []byte("***"), nil }

// ProxyConnect is one HTTP CONNECT through a proxy to an external target,
// the way programs use an HTTPS proxy; nothing is sent once the tunnel is
// up.
type ProxyConnect struct {
	// Ran is false when not sent: a SOCKS or HTTPS proxy, no external
	// target, or the proxy refused the connection itself.
	Ran    bool
	Target netip.AddrPort
	// Status is the proxy's HTTP status; 0 when no response came.
	Status int
	// Reason is the status line's text ("Proxy Authentication Required").
	Reason string
	// Realm is the realm of a 407's Proxy-Authenticate header ("" when
	// none), Scheme its scheme ("Basic", "Negotiate").
	Realm, AuthScheme string
	// SentAuth: Proxy-Authorization was sent (the URL had a user part).
	SentAuth bool
	RTT      time.Duration
	// Err is why no response came (reset, closed, timeout), errno kept.
	Err error
	// Closed: the proxy closed or reset the connection instead of
	// answering the CONNECT.
	Closed bool
}

// Tunneled reports whether the proxy answered the CONNECT with 200: it
// reached the target, so it is a way out.
func (c ProxyConnect) Tunneled() bool { return c.Ran && c.Status == 200 }

// Failed reports whether the CONNECT proved the proxy path broken: a
// status other than 200, or the connection closed unanswered. Silence
// proves nothing (the proxy may be waiting on a slow target).
func (c ProxyConnect) Failed() bool {
	return c.Ran && ((c.Status != 0 && c.Status != 200) || (c.Status == 0 && c.Closed))
}
