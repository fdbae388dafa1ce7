package checks_test

import (
	"context"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"github.com/netguard/netguard/checks/checkstest"
	"github.com/netguard/netguard/checks/diagnose"
	"github.com/netguard/netguard/checks/netstate"
)

// portalProber is the fake prober with a captive portal's port 80: it
// records every address asked and redirects to login.
type portalProber struct {
	*checkstest.FakeProber
	mu    sync.Mutex
	asked []netip.Addr
	login string
}

func (p *portalProber) Portal(_ context.Context, a netip.Addr, host string) netstate.PortalResult {
	p.mu.Lock()
	p.asked = append(p.asked, a)
	p.mu.Unlock()
	return netstate.PortalResult{Addr: a, Host: host, Status: 302, Location: p.login}
}

// The portal GET is sent only when the name resolved to the gateway and
// HTTPS stayed silent: never on a healthy run, nor where the name resolves
// to the gateway while HTTPS gets through.
func TestPortalAskedOnlyWhenSuspect(t *testing.T) {
	for _, tc := range []struct {
		name      string
		toGateway bool
		extDown   bool
		want      bool
	}{
		{"healthy", false, false, false},
		{"name at the gateway, HTTPS through", true, false, false},
		{"targets down, name public", false, true, false},
		{"name at the gateway, HTTPS silent", true, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := checkstest.NewLab(false)
			pp := &portalProber{FakeProber: l.Prober, login: "http://198.18.3.1/login"}
			l.Engine.Prober = pp
			if tc.toGateway {
				l.Prober.DNSRes.Addrs = []netip.Addr{gw}
			}
			if tc.extDown {
				l.Prober.Down(checkstest.Ext)
			}
			r := l.Engine.Check(context.Background(), l.Options())
			if asked := len(pp.asked) > 0; asked != tc.want {
				t.Fatalf("portal asked %v, want %v", pp.asked, tc.want)
			}
			if tc.want && (r.Verdict != diagnose.Unhealthy || !strings.Contains(r.Summary, "log in at http://198.18.3.1/login")) {
				t.Fatalf("verdict %s, summary %q", r.Verdict, r.Summary)
			}
		})
	}
}
