package checks_test

import (
	"context"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/netguard/netguard/checks"
	"github.com/netguard/netguard/checks/checkstest"
	"github.com/netguard/netguard/checks/diagnose"
	"github.com/netguard/netguard/checks/netstate"
)

// localFake adds the local OS layer to the fake system: a hosts file, a
// port owner and a clock of its own, nothing read from this machine.
type localFake struct {
	*checkstest.FakeSystem
	hosts string
	owner netstate.PortOwner
}

func (f *localFake) PortOwner(context.Context, uint16) (netstate.PortOwner, error) {
	return f.owner, nil
}
func (f *localFake) HostsFile() (string, []byte, error) {
	return "/etc/hosts", []byte(f.hosts), nil
}
func (f *localFake) SystemProxy() ([]netstate.ProxySetting, error) { return nil, nil }
func (f *localFake) Clock() netstate.ClockState {
	return netstate.ClockState{Checked: true, Synced: netstate.TriYes, MaxError: time.Millisecond}
}

// The engine collects the local configuration beside the probes: the
// proxy through the prober (one connect), the ports by binding on
// loopback, the hosts file through the OS layer, and a route lookup for
// the name server that stayed silent.
func TestCollectLocal(t *testing.T) {
	l := checkstest.NewLab(false)
	sys := &localFake{FakeSystem: l.Sys, hosts: "127.0.0.1 localhost\n", owner: netstate.PortOwner{PID: 4242, Name: "postgres"}}
	eng := l.Engine
	eng.Sys = sys
	proxy := netip.MustParseAddr("127.0.0.1")
	l.Prober.TCPBy[proxy] = netstate.ProbeResult{Kind: netstate.ProbeTCP, Ran: true, Answered: true, Refused: true, Err: syscall.ECONNREFUSED}
	dead, good := netip.MustParseAddrPort("203.0.113.9:53"), netip.MustParseAddrPort("203.0.113.5:53")
	dns := checkstest.GoodDNS()
	dns.Resolver = netstate.ResolverConfig{Source: "/etc/resolv.conf", Servers: []netip.AddrPort{dead, good}, Timeout: 5 * time.Second, Attempts: 2}
	dns.Servers = []netstate.DNSServerResult{{Server: dead, Err: context.DeadlineExceeded}, {Server: good, Answered: true, Rcode: "NOERROR"}}
	l.Prober.DNSRes = dns

	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port

	o := l.Options()
	o.ProxyEnv = map[string]string{"HTTPS_PROXY": "http://127.0.0.1:7890"}
	o.Ports, err = netstate.ParsePorts("127.0.0.1:" + strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	s := eng.Collect(context.Background(), o)
	if !s.Proxy.Checked || len(s.Proxy.Settings) != 1 || !s.Proxy.Settings[0].TCP.Refused {
		t.Errorf("proxy: %+v", s.Proxy)
	}
	if len(s.Ports) != 1 || !s.Ports[0].InUse || s.Ports[0].Owner.PID != 4242 {
		t.Errorf("ports: %+v", s.Ports)
	}
	if !s.Hosts.Checked || len(s.Hosts.Localhost) != 1 || s.Hosts.Looked {
		t.Errorf("hosts: %+v", s.Hosts)
	}
	if s.DNS.Servers[0].Route == nil || s.DNS.Servers[1].Route != nil {
		t.Errorf("route lookups: silent %+v, answered %+v", s.DNS.Servers[0], s.DNS.Servers[1])
	}
	for _, id := range []string{"proxy", "ports", "hosts", "clock"} {
		if _, ok := s.Took[id]; !ok {
			t.Errorf("no duration for %s: %v", id, s.Took)
		}
	}
	r := checks.NewReport("linux", diagnose.Diagnose(s), nil)
	var ids []string
	for _, f := range r.Findings {
		ids = append(ids, f.ID)
	}
	want := "dns-first-server-silent proxy-dead port-in-use"
	if strings.Join(ids, " ") != want || r.Verdict != diagnose.Unhealthy {
		t.Fatalf("findings %v verdict %s, want %s unhealthy", ids, r.Verdict, want)
	}
	if len(sys.Calls) != 0 {
		t.Fatalf("check changed the system: %v", sys.Calls)
	}
}
