package probe

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/netguard/netguard/checks/checkstest/wine"
	"github.com/netguard/netguard/checks/netstate"
)

// responder is a DNS server on a loopback UDP port (the network rule):
// it drops the first `drop` queries, then answers with rcode, or never
// answers when silent.
type responder struct {
	addr    netip.AddrPort
	queries atomic.Int32
}

func startResponder(t *testing.T, rcode dnsmessage.RCode, drop int32, silent bool) *responder {
	t.Helper()
	wine.SkipIfGap(t, wine.GapUDP)
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	r := &responder{addr: pc.LocalAddr().(*net.UDPAddr).AddrPort()}
	go func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if r.queries.Add(1) <= drop || silent {
				continue
			}
			var m dnsmessage.Message
			if m.Unpack(buf[:n]) != nil {
				continue
			}
			m.Header.Response, m.Header.RCode = true, rcode
			if out, err := m.Pack(); err == nil {
				_, _ = pc.WriteTo(out, from)
			}
		}
	}()
	return r
}

// The direct query to one name server: an answer of any rcode means the
// server works; lost queries are resent; silence ends with the context;
// a closed port is refused at once.
func TestQueryServer(t *testing.T) {
	p := &NetProber{Interval: 10 * time.Millisecond, Attempts: 8}
	for _, tc := range []struct {
		name     string
		rcode    dnsmessage.RCode
		drop     int32
		silent   bool
		answered bool
		rc       string
	}{
		{name: "answers", rcode: dnsmessage.RCodeSuccess, answered: true, rc: "NOERROR"},
		{name: "NXDOMAIN is an answer", rcode: dnsmessage.RCodeNameError, answered: true, rc: "NXDOMAIN"},
		{name: "SERVFAIL is an answer", rcode: dnsmessage.RCodeServerFailure, answered: true, rc: "SERVFAIL"},
		{name: "two lost queries, resent", rcode: dnsmessage.RCodeSuccess, drop: 2, answered: true, rc: "NOERROR"},
		{name: "silent", silent: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := startResponder(t, tc.rcode, tc.drop, tc.silent)
			ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
			defer cancel()
			t0 := time.Now()
			res := p.queryServer(ctx, r.addr, "www.lab.test")
			if res.Answered != tc.answered || res.Rcode != tc.rc || res.Server != r.addr {
				t.Fatalf("queryServer = %+v, want answered=%v rcode %q", res, tc.answered, tc.rc)
			}
			if !tc.answered && (res.Err == nil || netstate.Classify(res.Err) != netstate.ClassTimeout) {
				t.Fatalf("silent server: err %v (class %v), want a timeout", res.Err, netstate.Classify(res.Err))
			}
			if got := r.queries.Load(); got < tc.drop+1 && tc.answered {
				t.Fatalf("%d queries, want more than the %d dropped", got, tc.drop)
			}
			if d := time.Since(t0); d > time.Second {
				t.Fatalf("took %v", d)
			}
		})
	}
	t.Run("closed port refused at once", func(t *testing.T) {
		wine.SkipIfGap(t, wine.GapUDP)
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := pc.LocalAddr().(*net.UDPAddr).AddrPort()
		pc.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		t0 := time.Now()
		res := p.queryServer(ctx, addr, "www.lab.test")
		if res.Answered || netstate.Classify(res.Err) != netstate.ClassRefused {
			t.Fatalf("closed port: %+v (class %v), want refused", res, netstate.Classify(res.Err))
		}
		if d := time.Since(t0); d > 500*time.Millisecond {
			t.Fatalf("refusal took %v", d)
		}
	})
	t.Run("bad name", func(t *testing.T) {
		res := p.queryServer(context.Background(), netip.MustParseAddrPort("127.0.0.1:53"), "bad..name")
		if res.Answered || res.Err == nil || errors.Is(res.Err, context.DeadlineExceeded) {
			t.Fatalf("bad name: %+v", res)
		}
	})
}

// scriptedResponder answers each query with the datagrams reply makes of
// it, each after its delay, some from another socket (another source
// port: what an off-path sender would use).
type sent struct {
	delay   time.Duration
	b       func(q dnsmessage.Message) []byte
	spoofed bool // from another port than the server's
}

func startScripted(t *testing.T, script []sent) netip.AddrPort {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	other, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close(); other.Close() })
	go func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			var q dnsmessage.Message
			if q.Unpack(buf[:n]) != nil {
				continue
			}
			go func() {
				for _, s := range script {
					time.Sleep(s.delay)
					c := pc
					if s.spoofed {
						c = other
					}
					_, _ = c.WriteTo(s.b(q), from)
				}
			}()
		}
	}()
	return pc.LocalAddr().(*net.UDPAddr).AddrPort()
}

func response(rcode dnsmessage.RCode, edit func(*dnsmessage.Message)) func(dnsmessage.Message) []byte {
	return func(q dnsmessage.Message) []byte {
		q.Header.Response, q.Header.RCode = true, rcode
		q.Questions = slices.Clone(q.Questions) // shared with the other datagrams' edits
		if edit != nil {
			edit(&q)
		}
		b, _ := q.Pack()
		return b
	}
}

// The direct query keeps only the response to its own question: a wrong
// ID, a query echoed back, another question, another source or garbage
// are not answers; duplicates count once; what comes after the window is
// not seen.
func TestQueryServerIgnoresForgedAnswers(t *testing.T) {
	wine.SkipIfGap(t, wine.GapUDP)
	p := &NetProber{Interval: 10 * time.Millisecond, Attempts: 8}
	nx := dnsmessage.RCodeNameError
	wrongID := response(nx, func(m *dnsmessage.Message) { m.Header.ID++ })
	echoed := func(q dnsmessage.Message) []byte { b, _ := q.Pack(); return b }
	otherName := response(nx, func(m *dnsmessage.Message) { m.Questions[0].Name = dnsmessage.MustNewName("evil.test.") })
	otherType := response(nx, func(m *dnsmessage.Message) { m.Questions[0].Type = dnsmessage.TypeAAAA })
	noQuestion := response(nx, func(m *dnsmessage.Message) { m.Questions = nil })
	garbage := func(dnsmessage.Message) []byte { return []byte{0xde, 0xad} }
	good := response(dnsmessage.RCodeSuccess, nil)
	for _, tc := range []struct {
		name   string
		script []sent
		rc     string // "" for no answer
	}{
		{"wrong ID", []sent{{b: wrongID}}, ""},
		{"the query echoed back", []sent{{b: echoed}}, ""},
		{"another name", []sent{{b: otherName}}, ""},
		{"another type", []sent{{b: otherType}}, ""},
		{"no question", []sent{{b: noQuestion}}, ""},
		{"garbage", []sent{{b: garbage}}, ""},
		{"from another port", []sent{{b: good, spoofed: true}}, ""},
		{"forgeries first, then the answer", []sent{{b: wrongID}, {b: otherName}, {b: garbage}, {b: response(nx, nil), spoofed: true}, {delay: 5 * time.Millisecond, b: good}}, "NOERROR"},
		{"the answer twice", []sent{{b: good}, {b: good}}, "NOERROR"},
		{"the answer after the window", []sent{{delay: 400 * time.Millisecond, b: good}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr := startScripted(t, tc.script)
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			res := p.queryServer(ctx, addr, "www.lab.test")
			if res.Answered != (tc.rc != "") || res.Rcode != tc.rc {
				t.Fatalf("queryServer = %+v, want rcode %q", res, tc.rc)
			}
			if tc.rc == "" && netstate.Classify(res.Err) != netstate.ClassTimeout {
				t.Fatalf("err %v (class %v), want a timeout", res.Err, netstate.Classify(res.Err))
			}
		})
	}
}
