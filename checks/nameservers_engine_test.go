package checks_test

import (
	"context"
	"net/netip"
	"sync"
	"testing"

	"github.com/netguard/netguard/checks/checkstest"
)

// namingProber records the name the engine asks NameServers about.
type namingProber struct {
	*checkstest.FakeProber
	mu    sync.Mutex
	names []string
}

func (p *namingProber) NameServers(name string) ([]netip.AddrPort, bool) {
	p.mu.Lock()
	p.names = append(p.names, name)
	p.mu.Unlock()
	return p.FakeProber.NameServers(name)
}

// TestTraceNameServersForTheName holds that the engine traces the name
// servers used for the DNS probe's own name (a per-domain resolver's when
// it is under one's domain), not a list that ignores it.
func TestTraceNameServersForTheName(t *testing.T) {
	l := checkstest.NewLab(false)
	p := &namingProber{FakeProber: l.Prober}
	l.Engine.Prober = p
	o := l.Options()
	o.DNSName = "git.corp.example"
	l.Engine.Check(context.Background(), o)
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.names) != 1 || p.names[0] != "git.corp.example" {
		t.Errorf("NameServers asked for %q, want once for git.corp.example", p.names)
	}
}
