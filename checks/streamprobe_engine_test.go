package checks_test

import (
	"context"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/netguard/netguard/checks"
	"github.com/netguard/netguard/checks/checkstest"
	"github.com/netguard/netguard/checks/diagnose"
	"github.com/netguard/netguard/checks/netstate"
)

// streamFake adds first requests and CONNECTs to the fake prober, and
// records each one sent.
type streamFake struct {
	*checkstest.FakeProber
	mu      sync.Mutex
	hello   netstate.StreamResult
	connect netstate.ProxyConnect
	sent    []string
}

func (f *streamFake) Hello(_ context.Context, dst netip.AddrPort) netstate.StreamResult {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent = append(f.sent, "hello "+dst.String())
	r := f.hello
	r.Ran, r.Target = true, dst
	return r
}

func (f *streamFake) Connect(_ context.Context, proxy, target netip.AddrPort, auth string) netstate.ProxyConnect {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent = append(f.sent, "connect "+proxy.String()+" "+target.String()+" "+auth)
	r := f.connect
	r.Ran, r.Target, r.SentAuth = true, target, auth != ""
	return r
}

// tunHolderFake names the holder of a TUN device.
type tunHolderFake struct {
	*localFake
	asked []string
}

func (f *tunHolderFake) TunHolders(_ context.Context, iface string) ([]netstate.TunHolder, error) {
	f.asked = append(f.asked, iface)
	return []netstate.TunHolder{{PID: 812, Command: "mihomo"}}, nil
}

func newStreamLab() (*checkstest.Lab, *streamFake, *tunHolderFake) {
	l := checkstest.NewLab(false)
	sp := &streamFake{FakeProber: l.Prober}
	sys := &tunHolderFake{localFake: &localFake{FakeSystem: l.Sys, hosts: "127.0.0.1 localhost\n"}}
	l.Engine.Prober, l.Engine.Sys = sp, sys
	return l, sp, sys
}

// A healthy run sends no first request and names no TUN holder: both are
// only for names answered with fake-ip addresses.
func TestTunAppNotOnHealthyPath(t *testing.T) {
	l, sp, sys := newStreamLab()
	s := l.Engine.Collect(context.Background(), l.Options())
	if s.TunApp.Checked || len(sp.sent) != 0 || len(sys.asked) != 0 {
		t.Fatalf("healthy run: tun app %+v, sent %v, holders asked for %v", s.TunApp, sp.sent, sys.asked)
	}
}

// Names answered in 198.18.0.0/15 with the targets routed into a TUN
// device (0/1 + 128/1 over the main default): the engine names the
// holder and sends a first request through it; a reset is the app's dead
// upstream.
func TestTunAppUpstreamDead(t *testing.T) {
	l, sp, sys := newStreamLab()
	l.Sys.LinkTable = append(l.Sys.LinkTable, netstate.Link{Index: 9, Name: "Meta", Kind: netstate.LinkTunnel, Tunnel: true, AdminUp: true, Carrier: true, Addrs: []netip.Prefix{netip.MustParsePrefix("198.18.0.1/30")}})
	for _, p := range []string{"0.0.0.0/1", "128.0.0.0/1"} {
		l.Sys.RouteTable = append(l.Sys.RouteTable, netstate.Route{Dst: netip.MustParsePrefix(p), IfIndex: 9, IfName: "Meta", Table: 254})
	}
	dns := checkstest.GoodDNS()
	dns.Addrs = []netip.Addr{netip.MustParseAddr("198.18.0.7")}
	l.Prober.DNSRes = dns
	sp.hello = netstate.StreamResult{Connected: true, Reset: true, Err: syscall.ECONNRESET}
	s := l.Engine.Collect(context.Background(), l.Options())
	if !s.TunApp.Checked || s.TunApp.Iface != "Meta" || len(s.TunApp.Holders) != 1 {
		t.Fatalf("tun app %+v", s.TunApp)
	}
	if len(sp.sent) != 1 || sp.sent[0] != "hello "+checkstest.Ext.String()+":443" || len(sys.asked) != 1 || sys.asked[0] != "Meta" {
		t.Fatalf("sent %v, holders asked for %v", sp.sent, sys.asked)
	}
	r := checks.NewReport("linux", diagnose.Diagnose(s), nil)
	if r.Verdict != diagnose.Unhealthy || len(r.Findings) == 0 || r.Findings[len(r.Findings)-1].ID != diagnose.ProxyAppUpstreamDead.ID {
		t.Fatalf("verdict %s, findings %+v", r.Verdict, r.Findings)
	}
}

// A proxy URL's credentials go to the proxy as Basic Proxy-Authorization,
// in a CONNECT to the first external target's port 443; the state and the
// report never show them.
func TestProxyConnectSendsCredentials(t *testing.T) {
	l, sp, _ := newStreamLab()
	proxy := netip.MustParseAddr("127.0.0.1")
	l.Prober.TCPBy[proxy] = netstate.ProbeResult{Kind: netstate.ProbeTCP, Ran: true, Answered: true}
	sp.connect = netstate.ProxyConnect{Status: 407, Reason: "Proxy Authentication Required", AuthScheme: "Basic", Realm: "corp"}
	o := l.Options()
	o.ProxyEnv = map[string]string{"HTTPS_PROXY": "http://alice:pa%40ss@127.0.0.1:3128", "ALL_PROXY": "socks5://127.0.0.1:1080"}
	s := l.Engine.Collect(context.Background(), o)
	// alice:pa@ss
	want := "connect 127.0.0.1:3128 " + checkstest.Ext.String() + ":443 Basic YWxpY2U6cGFAc3M="
	if len(sp.sent) != 1 || sp.sent[0] != want {
		t.Fatalf("sent %q, want only %q (no CONNECT to a SOCKS proxy)", sp.sent, want)
	}
	r := checks.NewReport("linux", diagnose.Diagnose(s), nil)
	found := false
	for _, f := range r.Findings {
		if f.ID == diagnose.ProxyAuthRequired.ID {
			found = true
		}
	}
	text := r.Summary
	for _, f := range r.Findings {
		text += f.Summary
		for _, e := range f.Evidence {
			text += e
		}
	}
	for _, st := range r.ManualSteps {
		text += st
	}
	if !found || containsAny(text, "alice", "pa@ss", "pa%40ss", "YWxpY2U6") {
		t.Fatalf("auth finding %v; report text %q must not hold the credentials", found, text)
	}
}

func containsAny(s string, subs ...string) bool {
	return slices.ContainsFunc(subs, func(x string) bool { return strings.Contains(s, x) })
}
